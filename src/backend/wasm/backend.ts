// The wasm Backend: AssemblyScript SIMD kernels (assembly/) over one linear memory, with GEMMs
// split across worker threads when the host allows them.
import type { Backend, BackendDetails } from '../engine.js';
import { checkedKernels } from '../kernel-args.js';
import { ENGINE_BYTES_HOLD, engineBytes, workspaceBytes } from '../layout.js';
import { clampThreads, threadCap } from '../threads.js';
import { WasmEngine } from './engine.js';
import { wasmKernels } from './kernels.js';
import { requestedWasmKernels, type WasmKernels } from './kernel-choice.js';
import type { WasmPlatform } from './platform.js';
import { MAXIMUM_PAGES, PAGE_BYTES } from './memory.js';
import { createRuntime, type WasmRuntime } from './runtime.js';

export interface WasmBackend extends Backend {
  readonly name: 'wasm';
  /** Resolves when the workers asked for by setThreads are running (tests, benchmarks). */
  threadsReady(): Promise<void>;
  /** The runtime (tests and benchmarks: memory size, raw exports, the thread pool). */
  readonly runtime: WasmRuntime;
}

/** `kernels`: which build to load; by default what setWasmKernels or MLPX_WASM_KERNELS ask for, else 'auto'. */
export async function createWasmBackend(platform: WasmPlatform, kernels: WasmKernels | 'auto' = requestedWasmKernels()): Promise<WasmBackend> {
  const runtime = await createRuntime(platform, kernels);
  const { pool } = runtime;
  const maxThreads = pool === undefined ? 1 : threadCap(platform.cores, pool.maxThreads);
  let clampNote: string | undefined;
  return {
    name: 'wasm',
    runtime,
    kernels: checkedKernels(wasmKernels(runtime.exports, runtime.mem)),
    details: (): BackendDetails => {
      const notes: string[] = [];
      if (pool === undefined) notes.push(`single-threaded: ${runtime.threadsOff}`);
      else notes.push(`${pool.active} of ${pool.threads} threads running (${platform.workerKind}, shared WebAssembly.Memory); GEMMs, optimizer update and batch gather split in chunks where a cost model says it pays`);
      if (pool?.failure !== undefined) notes.push(pool.failure);
      if (clampNote !== undefined) notes.push(clampNote);
      notes.push(runtime.kernelsNote);
      const fused = runtime.kernels === 'relaxed-simd' ? ' multiply-add' : '';
      return { kernelPath: `${runtime.kernels} (AssemblyScript, 2x16 f32x4${fused} GEMM microkernel)`, threads: pool?.threads ?? 1, notes };
    },
    maxThreads,
    setThreads: (requested: number) => {
      // single-threaded builds accept any count and run on one thread (details() says why)
      const { threads, note } = clampThreads(requested, pool === undefined ? Number.MAX_SAFE_INTEGER : maxThreads);
      clampNote = note;
      pool?.setThreads(threads);
    },
    memoryLimit: MAXIMUM_PAGES * PAGE_BYTES,
    memoryLimitReason: 'the 2 GiB of WebAssembly linear memory (32-bit addresses), shared by every wasm network in this process',
    engineBytes,
    engineBytesHold: ENGINE_BYTES_HOLD,
    workspaceBytes,
    threadsReady: () => pool?.whenReady() ?? Promise.resolve(),
    createEngine: (spec) => new WasmEngine(spec, runtime),
  };
}
