// Loading the wasm backend: feature detection, choosing the binary, one memory and the calling
// thread's instance, and the worker pool when threads are possible.
import { BackendUnavailableError } from '../../util/errors.js';
import { guarded, type WasmExports } from './exports.js';
import { LinearMemory } from './memory.js';
import type { WasmKernels } from './kernel-choice.js';
import type { WasmFile, WasmPlatform } from './platform.js';
import { ThreadPool } from './threads.js';

// Smallest modules using one f32x4 instruction / one atomic op on shared memory (the probes of
// the wasm-feature-detect project): WebAssembly.validate says whether this engine has them.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
const THREADS_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 5, 4, 1, 3, 1, 1, 10, 11, 1, 9, 0, 65, 0, 254, 16, 2, 0, 26, 11]);
// A function returning f32x4.relaxed_madd of three f32x4.splat(0): the relaxed-SIMD builds' one
// relaxed instruction (V8 since Chromium 114 and Node 22; Node 20 has it behind
// --experimental-wasm-relaxed-simd).
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 28, 1, 26, 0,
  67, 0, 0, 0, 0, 253, 19, 67, 0, 0, 0, 0, 253, 19, 67, 0, 0, 0, 0, 253, 19, 253, 133, 2, 11,
]);

/** Whether this engine runs the relaxed-SIMD builds. */
export function hasRelaxedSimd(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(RELAXED_SIMD_PROBE);
}

export interface WasmRuntime {
  /** the kernels loaded, and why */
  readonly kernels: WasmKernels;
  readonly kernelsNote: string;
  readonly exports: WasmExports;
  readonly mem: LinearMemory;
  /** undefined when single-threaded; `threadsOff` says why */
  readonly pool: ThreadPool | undefined;
  readonly threadsOff: string | undefined;
  readonly platform: WasmPlatform;
}

/** 'auto' → relaxed-simd where the engine has it; a named kind this engine lacks is a BackendUnavailableError. */
function chooseKernels(requested: WasmKernels | 'auto'): { kernels: WasmKernels; note: string } {
  const relaxed = hasRelaxedSimd();
  if (requested === 'relaxed-simd' && !relaxed) {
    throw new BackendUnavailableError("the relaxed-simd wasm kernels were asked for (setWasmKernels or MLPX_WASM_KERNELS), but this WebAssembly engine lacks relaxed SIMD; 'simd128' or 'auto' runs everywhere");
  }
  if (requested !== 'auto') return { kernels: requested, note: `${requested} kernels, as asked for (setWasmKernels or MLPX_WASM_KERNELS)` };
  return relaxed
    ? { kernels: 'relaxed-simd', note: "relaxed SIMD: the GEMM's multiply-adds are fused, so the bits depend on the engine and CPU (setWasmKernels('simd128') gives the same bits in every engine)" }
    : { kernels: 'simd128', note: 'this WebAssembly engine lacks relaxed SIMD: GEMM multiplies and adds are rounded separately' };
}

/** The module of `kernels`, shared-memory (threaded) or not. */
export function moduleFile(threaded: boolean, kernels: WasmKernels): WasmFile {
  const name = threaded ? 'mlpx-threads' : 'mlpx';
  return kernels === 'relaxed-simd' ? `${name}-relaxed.wasm` : `${name}.wasm`;
}

export async function createRuntime(platform: WasmPlatform, requested: WasmKernels | 'auto'): Promise<WasmRuntime> {
  if (typeof WebAssembly !== 'object') throw new BackendUnavailableError('WebAssembly is not available in this runtime');
  if (!WebAssembly.validate(SIMD_PROBE)) {
    throw new BackendUnavailableError('this WebAssembly engine lacks SIMD (fixed-width simd128), which the wasm kernels need; the js backend works everywhere');
  }
  const threadsOff = !WebAssembly.validate(THREADS_PROBE)
    ? 'this WebAssembly engine lacks threads (shared memory and atomics)'
    : platform.threadsUnavailable();
  const threaded = threadsOff === undefined;
  const { kernels, note: kernelsNote } = chooseKernels(requested);
  const module = await platform.compile(moduleFile(threaded, kernels));
  // The data segments end where __heap_base says; the memory must exist before instantiating,
  // so read it from a throwaway instance over a scratch memory of the same kind.
  const probe = instantiate(module, new LinearMemory(threaded, 0).memory);
  const mem = new LinearMemory(threaded, probe.data_end());
  const exports = guarded(instantiate(module, mem.memory));
  // control words and per-thread GEMM scratch; needed single-threaded too
  const ctrl = mem.alloc(exports.CTRL_BYTES.value as number);
  exports.threads_init(ctrl);
  let pool: ThreadPool | undefined;
  if (threaded) {
    pool = new ThreadPool(platform, module, mem, ctrl, exports.MAX_WORKERS.value as number);
    pool.setThreads(platform.cores);
    await pool.whenReady();
  }
  return { kernels, kernelsNote, exports, mem, pool, threadsOff, platform };
}

function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): WasmExports {
  return new WebAssembly.Instance(module, { env: { memory, now: clock } }).exports as unknown as WasmExports;
}

/** The module's clock import (assembly/clock.ts: how long a split task's caller waited; the profile build's phase clocks). */
const clock = (): number => performance.now();
