// The wasm backend in browsers: the modules embedded in the JS (or fetched from where
// setWasmLocation says), workers are Web Workers from a Blob URL (no worker file for a bundler to
// lose), and threads need a cross-origin-isolated page (COOP/COEP headers).
import { createWasmBackend, type WasmBackend } from './backend.js';
import { embeddedWasm } from './embedded.js';
import { wasmKernelsLoaded } from './kernel-choice.js';
import { wasmLocation, type WasmPlatform } from './platform.js';
import { WORKER_SOURCE } from './worker-source.js';

let workerUrl: string | undefined;

export const browserPlatform: WasmPlatform = {
  workerKind: 'Web Workers',
  cores: globalThis.navigator?.hardwareConcurrency ?? 1,
  callerMayBlock: typeof document === 'undefined', // inside a worker
  compile: async (file) => {
    const url = wasmLocation(file);
    if (url === undefined) return WebAssembly.compile(embeddedWasm(file));
    const response = await fetch(url);
    if (!response.ok) {
      throw new Error(`cannot fetch ${url.href} (HTTP ${response.status}); serve mlpx's dist/wasm/*.wasm there, or do not call setWasmLocation to use the embedded copies`);
    }
    // compileStreaming insists on Content-Type application/wasm; fall back for servers without it
    if (response.headers.get('content-type')?.startsWith('application/wasm')) return WebAssembly.compileStreaming(response);
    return WebAssembly.compile(await response.arrayBuffer());
  },
  threadsUnavailable: () => {
    if (typeof Worker !== 'function') return 'Web Workers are not available here';
    if (typeof SharedArrayBuffer !== 'function' || globalThis.crossOriginIsolated !== true) {
      return 'the page is not cross-origin isolated, so SharedArrayBuffer is unavailable (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
    }
    return undefined;
  },
  startWorker: (init, onMessage) => {
    workerUrl ??= URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
    const worker = new Worker(workerUrl);
    worker.onmessage = (event: MessageEvent<string>) => onMessage(event.data);
    worker.onerror = (event) => onMessage(event.message || 'worker failed to start');
    worker.postMessage(init);
    return { terminate: () => worker.terminate() };
  },
};

export async function loadWasmBackend(): Promise<WasmBackend> {
  const backend = await createWasmBackend(browserPlatform);
  wasmKernelsLoaded(backend.runtime.kernels);
  return backend;
}
