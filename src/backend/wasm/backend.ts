// The wasm Backend: AssemblyScript SIMD kernels (assembly/) over one linear memory, with GEMMs
// split across worker threads when the host allows them.
import type { Backend, BackendDetails } from '../engine.js';
import { invalidArgument } from '../../util/errors.js';
import { WasmEngine } from './engine.js';
import { wasmKernels } from './kernels.js';
import type { WasmPlatform } from './platform.js';
import { createRuntime, type WasmRuntime } from './runtime.js';

export interface WasmBackend extends Backend {
  readonly name: 'wasm';
  /** Resolves when the workers asked for by setThreads are running (tests, benchmarks). */
  threadsReady(): Promise<void>;
  /** The runtime (tests: memory size, raw exports). */
  readonly runtime: WasmRuntime;
}

export async function createWasmBackend(platform: WasmPlatform): Promise<WasmBackend> {
  const runtime = await createRuntime(platform);
  const { pool } = runtime;
  return {
    name: 'wasm',
    runtime,
    kernels: wasmKernels(runtime.exports, runtime.mem),
    details: (): BackendDetails => {
      const notes: string[] = [];
      if (pool === undefined) notes.push(`single-threaded: ${runtime.threadsOff}`);
      else notes.push(`${pool.active} of ${pool.threads} threads running (${platform.workerKind}, shared WebAssembly.Memory); GEMMs, optimizer update and Σg² split in chunks`);
      if (pool?.failure !== undefined) notes.push(pool.failure);
      notes.push('relaxed SIMD not used (no fused multiply-add build; results stay bit-identical across engines)');
      return { kernelPath: 'simd128 (AssemblyScript, 4x8 f32x4 GEMM microkernel)', threads: pool?.threads ?? 1, notes };
    },
    setThreads: (threads: number) => {
      if (!Number.isInteger(threads) || threads < 1) throw invalidArgument('threads', 'an integer ≥ 1', threads);
      pool?.setThreads(threads);
    },
    threadsReady: () => pool?.whenReady() ?? Promise.resolve(),
    createEngine: (spec) => new WasmEngine(spec, runtime),
  };
}
