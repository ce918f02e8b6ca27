// The reference backend ("js"): plain loops, float64 accumulation, single-threaded. It is the
// oracle of the parity tests and the backend of last resort.
import type { Backend } from '../engine.js';
import { ENGINE_BYTES_HOLD, engineBytes, workspaceBytes, type NetSpec } from '../layout.js';
import type { Kernels } from '../kernels.js';
import { ComposedEngine } from '../composed.js';
import { checkedKernels } from '../kernel-args.js';
import { clampThreads } from '../threads.js';
import * as activation from './activation.js';
import * as dense from './dense.js';
import * as loss from './loss.js';
import * as matmul from './matmul.js';
import * as optim from './optim.js';

export const jsKernels: Kernels = { ...matmul, ...dense, ...activation, ...loss, ...optim };

export interface MemoryLimit {
  readonly memoryLimit: number;
  readonly memoryLimitReason: string;
}

/** Where the platform cannot say how much memory there is (browsers). */
export const DEFAULT_MEMORY_LIMIT: MemoryLimit = { memoryLimit: 2 ** 31, memoryLimitReason: '2 GiB, what a browser tab can be counted on to allocate' };

export function createJsBackend(limit: MemoryLimit = DEFAULT_MEMORY_LIMIT): Backend {
  return {
    name: 'js',
    kernels: checkedKernels(jsKernels),
    details: () => ({ kernelPath: 'float64-accumulating reference loops', threads: 1, notes: [] }),
    maxThreads: 1,
    // single-threaded by design: the count is validated, then has nothing to change
    setThreads: (threads) => void clampThreads(threads, Number.MAX_SAFE_INTEGER),
    ...limit,
    engineBytes,
    engineBytesHold: ENGINE_BYTES_HOLD,
    workspaceBytes,
    createEngine: (spec) => new ComposedEngine(spec, jsKernels),
  };
}

/** The reference composition in double precision: used by the finite-difference gradient check. */
export function createFloat64Engine(spec: NetSpec): ComposedEngine {
  return new ComposedEngine(spec, jsKernels, Float64Array);
}
