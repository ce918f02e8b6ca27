// The reference backend ("js"): plain loops, float64 accumulation, single-threaded. It is the
// oracle of the parity tests and the backend of last resort.
import type { Backend, Engine } from '../engine.js';
import type { NetSpec } from '../layout.js';
import type { Kernels } from '../kernels.js';
import { ComposedEngine } from '../composed.js';
import * as activation from './activation.js';
import * as dense from './dense.js';
import * as loss from './loss.js';
import * as matmul from './matmul.js';
import * as optim from './optim.js';

export const jsKernels: Kernels = { ...matmul, ...dense, ...activation, ...loss, ...optim };

export function createJsBackend(): Backend {
  return {
    name: 'js',
    kernels: jsKernels,
    details: () => ({ kernelPath: 'float64-accumulating reference loops', threads: 1, notes: [] }),
    setThreads: () => {},
    createEngine: (spec) => new ComposedEngine(spec, jsKernels),
  };
}

/** The reference composition in double precision: used by the finite-difference gradient check. */
export function createFloat64Engine(spec: NetSpec): Engine {
  return new ComposedEngine(spec, jsKernels, Float64Array);
}
