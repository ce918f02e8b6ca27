// The network-level contract: one Engine holds one network's parameters, gradients, optimizer
// state and workspace in its backend's memory, and runs whole training steps (forward, loss,
// backward, update) in one call. Backends implement it natively (native, wasm) or by composing
// their kernels (src/backend/composed.ts).
import type { Kernels, OptimizerParams } from './kernels.js';
import type { NetSpec } from './layout.js';

export type BackendName = 'native' | 'wasm' | 'js';

/** Offsets into the stats arrays that steps fill in. */
export const STAT_LOSS = 0;
export const STAT_CORRECT = 1;
/** Σ g² over all gradients (non-finite detection, Armijo). */
export const STAT_GRAD_NORM2 = 2;
export const STATS_PER_BATCH = 3;

/** A data set copied into (or pinned by) a backend for whole-epoch training. */
export interface BoundData {
  readonly rows: number;
  /** Drop the backend's copy (frees wasm memory). Using it afterwards throws. */
  release(): void;
}

export interface Engine {
  readonly spec: NetSpec;
  readonly paramCount: number;

  /** Live views of backend memory. Re-read them after any call: wasm memory may have grown. */
  params(): Float32Array;
  grads(): Float32Array;
  /** statePerParam × paramCount floats for the optimizer set by setOptimizer (empty for SGD). */
  optimizerState(): Float32Array;
  /** Size (and zero) the optimizer state for `kind`; keeps it when the kind is unchanged. */
  setOptimizer(kind: OptimizerParams['kind']): void;

  /** Make room for batches of up to `rows` rows. Allocates; never called per step. */
  reserve(rows: number): void;
  /** Largest batch the workspace holds now. */
  readonly capacity: number;

  /** Forward pass of `rows` ≤ capacity rows of x; returns a view of the output (rows × units), valid until the next call. */
  forward(x: Float32Array, rows: number): Float32Array;
  /** Forward + loss. Fills stats[STAT_LOSS], stats[STAT_CORRECT]. */
  evaluate(x: Float32Array, y: Float32Array, rows: number, stats: Float64Array): void;
  /** Forward + loss + backward into grads(). Fills loss, correct and ‖g‖². */
  gradient(x: Float32Array, y: Float32Array, rows: number, stats: Float64Array): void;
  /**
   * gradient() then one optimizer update with the given hyper-parameters; `step` is the 1-based
   * update count. The update is skipped when the loss or ‖g‖² is not finite.
   */
  trainStep(x: Float32Array, y: Float32Array, rows: number, opt: OptimizerParams, step: number, stats: Float64Array): void;

  /** Make a data set available to trainEpoch (wasm copies it into linear memory once). */
  bindData(x: Float32Array, y: Float32Array, rows: number): BoundData;
  /**
   * All mini-batches of one epoch: batch i takes rows order[i·batch … ) of data (the last batch
   * may be short), runs trainStep with update number firstStep + i, and writes its
   * STATS_PER_BATCH stats at batchStats[i·STATS_PER_BATCH]. Stops after the first batch whose
   * loss or ‖g‖² is not finite (its update skipped). Never blocks the event loop for more than
   * one batch; calls onProgress(batchesDone) as batches finish (it may coalesce).
   * Resolves to the number of batches run.
   */
  trainEpoch(
    data: BoundData, order: Uint32Array, batchSize: number, opt: OptimizerParams, firstStep: number,
    batchStats: Float64Array, onProgress?: (batchesDone: number) => void,
  ): Promise<number>;
}

export interface BackendDetails {
  /** e.g. 'avx2-fma', 'portable', 'simd128', 'float64 reference loops' */
  readonly kernelPath: string;
  readonly threads: number;
  /** Free-form facts worth showing in `mlpx info` (why threads are off, etc.). */
  readonly notes: readonly string[];
}

export interface Backend {
  readonly name: BackendName;
  readonly kernels: Kernels;
  details(): BackendDetails;
  /** Worker/thread count for kernels and engines of this backend (≥ 1). */
  setThreads(threads: number): void;
  createEngine(spec: NetSpec): Engine;
}
