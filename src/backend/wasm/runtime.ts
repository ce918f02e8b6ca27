// Loading the wasm backend: feature detection, choosing the binary, one memory and the calling
// thread's instance, and the worker pool when threads are possible.
import { BackendUnavailableError } from '../../util/errors.js';
import { guarded, type WasmExports } from './exports.js';
import { LinearMemory } from './memory.js';
import type { WasmPlatform } from './platform.js';
import { ThreadPool } from './threads.js';

// Smallest modules using one f32x4 instruction / one atomic op on shared memory (the probes of
// the wasm-feature-detect project): WebAssembly.validate says whether this engine has them.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
const THREADS_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 5, 4, 1, 3, 1, 1, 10, 11, 1, 9, 0, 65, 0, 254, 16, 2, 0, 26, 11]);

export interface WasmRuntime {
  readonly exports: WasmExports;
  readonly mem: LinearMemory;
  /** undefined when single-threaded; `threadsOff` says why */
  readonly pool: ThreadPool | undefined;
  readonly threadsOff: string | undefined;
  readonly platform: WasmPlatform;
}

export async function createRuntime(platform: WasmPlatform): Promise<WasmRuntime> {
  if (typeof WebAssembly !== 'object') throw new BackendUnavailableError('WebAssembly is not available in this runtime');
  if (!WebAssembly.validate(SIMD_PROBE)) {
    throw new BackendUnavailableError('this WebAssembly engine lacks SIMD (fixed-width simd128), which the wasm kernels need; the js backend works everywhere');
  }
  const threadsOff = !WebAssembly.validate(THREADS_PROBE)
    ? 'this WebAssembly engine lacks threads (shared memory and atomics)'
    : platform.threadsUnavailable();
  const threaded = threadsOff === undefined;
  const module = await platform.compile(threaded ? 'mlpx-threads.wasm' : 'mlpx.wasm');
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
  return { exports, mem, pool, threadsOff, platform };
}

function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): WasmExports {
  return new WebAssembly.Instance(module, { env: { memory, now: clock } }).exports as unknown as WasmExports;
}

/** The module's clock import (assembly/clock.ts: how long a split task's caller waited; the profile build's phase clocks). */
const clock = (): number => performance.now();
