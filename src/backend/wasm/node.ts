// The wasm backend under Node: the modules embedded in the JS, workers are worker_threads.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createWasmBackend, type WasmBackend } from './backend.js';
import { embeddedWasm } from './embedded.js';
import { wasmKernelsLoaded } from './kernel-choice.js';
import type { WasmPlatform } from './platform.js';
import { WORKER_SOURCE } from './worker-source.js';

export const nodePlatform: WasmPlatform = {
  workerKind: 'worker_threads',
  cores: availableParallelism(),
  callerMayBlock: true,
  compile: (file) => WebAssembly.compile(embeddedWasm(file)),
  threadsUnavailable: () => (typeof SharedArrayBuffer === 'function' ? undefined : 'SharedArrayBuffer is not available'),
  startWorker: (init, onMessage) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: init });
    // Referenced until it reports 'ready' (the backend waits for that); afterwards a parked worker
    // must not keep the process alive. unref() has to follow the listeners: adding a 'message'
    // listener refs the worker's port again.
    worker.on('message', (message: string) => {
      if (message === 'ready') worker.unref();
      onMessage(message);
    });
    worker.on('error', (error) => {
      worker.unref();
      onMessage(error.message);
    });
    return { terminate: () => void worker.terminate() };
  },
};

export async function loadWasmBackend(): Promise<WasmBackend> {
  const backend = await createWasmBackend(nodePlatform);
  wasmKernelsLoaded(backend.runtime.kernels);
  return backend;
}
