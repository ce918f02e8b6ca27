// The network-level contract: one Engine holds one network's parameters, gradients, optimizer
// state and workspace in its backend's memory, and runs whole training steps (forward, loss,
// backward, update) in one call. Backends implement it natively (native, wasm) or by composing
// their kernels (src/backend/composed.ts). The fused steps are listed in kernels.ts
// (FUSED_STEP_NAMES); the numbers below are mirrored by assembly/ and native/ and checked by
// test/parity/layout.test.ts.
import type { Kernels, OptimizerId, OptimizerParams } from './kernels.js';
import type { NetSpec } from './layout.js';

export type BackendName = 'native' | 'wasm' | 'js';

/** Offsets into the stats arrays that steps fill in (float64 slots). */
export const STAT_LOSS = 0;
export const STAT_CORRECT = 1;
/** Σ g² over all gradients (Armijo; its finiteness decides whether the update runs). */
export const STAT_GRAD_NORM2 = 2;
/** The StepStatus of a training step (0 for evaluate and gradient). */
export const STAT_STATUS = 3;
export const STATS_PER_BATCH = 4;

/**
 * The largest ‖g‖² a step applies: float32's largest value. Beyond it some g² overflows float32,
 * and with it RMSProp's and Adam's second moments; within it those stay finite, so the update
 * itself need only check the parameters (the optimizer kernels' finite check).
 */
export const GRAD_NORM2_LIMIT = 3.4028234663852886e38;

/**
 * What a training step reports. Anything but STEP_OK ends the epoch after that batch.
 * - STEP_LOSS_NON_FINITE, STEP_GRADIENT_NON_FINITE (‖g‖² not finite or above GRAD_NORM2_LIMIT):
 *   the update was skipped, so the parameters and optimizer state are those after the previous
 *   (checked) update.
 * - STEP_UPDATE_NON_FINITE: the update ran and wrote a non-finite parameter; the engine's
 *   parameters (and possibly its momentum or Adam m) are no longer usable until a finite
 *   snapshot is written back.
 */
export const STEP_OK = 0;
export const STEP_LOSS_NON_FINITE = 1;
export const STEP_GRADIENT_NON_FINITE = 2;
export const STEP_UPDATE_NON_FINITE = 3;
export type StepStatus = typeof STEP_OK | typeof STEP_LOSS_NON_FINITE | typeof STEP_GRADIENT_NON_FINITE | typeof STEP_UPDATE_NON_FINITE;

/** The status of batch `batch` in a batchStats array. */
export function batchStatus(batchStats: Float64Array, batch: number): StepStatus {
  return batchStats[batch * STATS_PER_BATCH + STAT_STATUS]! as StepStatus;
}

/**
 * The clip-by-norm factor s = min(1, clipNorm / ‖g‖) (1 when clipNorm is 0), from ‖g‖² in
 * float64, rounded once to float32: native/net.cc and assembly/step.ts compute the same value.
 */
export function clipScale(clipNorm: number, gradNorm2: number): number {
  const norm = Math.sqrt(gradNorm2);
  return clipNorm > 0 && norm > clipNorm ? Math.fround(clipNorm / norm) : 1;
}

/** Batches of an epoch over `rows` rows: ⌈rows / batchSize⌉, the last one possibly short. */
export function epochBatches(rows: number, batchSize: number): number {
  return Math.ceil(rows / batchSize);
}

/** Rows of batch `batch` (0-based): batchSize, except the last batch, which takes what is left. */
export function batchRows(batch: number, batchSize: number, rows: number): number {
  return Math.min(batchSize, rows - batch * batchSize);
}

/** A data set bound to an engine for whole-epoch training. */
export interface BoundData {
  readonly rows: number;
  /** Drop the engine's copy (frees wasm memory). Using it afterwards throws. */
  release(): void;
}

/**
 * Called as batches finish (it may coalesce): `batchesDone` so far. Returning false asks the
 * engine to stop after the batch it is running.
 */
export type EpochProgress = (batchesDone: number) => boolean | void;

export interface Engine {
  readonly spec: NetSpec;
  readonly paramCount: number;

  // Parameters, gradients and optimizer state are copied in and out: no view of backend memory
  // leaves the engine (wasm memory can grow and move under a view).
  /** A copy of the parameters (into `out` when given). */
  readParams(out?: Float32Array): Float32Array;
  writeParams(values: Float32Array): void;
  /** A copy of the gradients of the last gradient()/trainStep(). */
  readGrads(out?: Float32Array): Float32Array;
  /** The optimizer whose state the engine holds (sgd: none). */
  readonly optimizerKind: OptimizerId;
  /** Size (and zero) the optimizer state for `kind`; keeps it when the kind is unchanged. */
  setOptimizer(kind: OptimizerId): void;
  /** A copy of the optimizer state: OPTIMIZER_STATE_PER_PARAM[optimizerKind] × paramCount floats. */
  readOptimizerState(out?: Float32Array): Float32Array;
  writeOptimizerState(values: Float32Array): void;

  /** Make room for batches of up to `rows` rows. Allocates (all or nothing); never called per step. */
  reserve(rows: number): void;
  /** Largest batch the workspace holds now. */
  readonly capacity: number;

  /** Forward pass of `rows` ≤ capacity rows of x; writes the output (rows × units) into `out`. */
  forward(x: Float32Array, rows: number, out: Float32Array): void;
  /** Forward + loss. Fills stats[STAT_LOSS], stats[STAT_CORRECT]. */
  evaluate(x: Float32Array, y: Float32Array, rows: number, stats: Float64Array): void;
  /** Forward + loss + backward into the gradients. Fills loss, correct and ‖g‖². */
  gradient(x: Float32Array, y: Float32Array, rows: number, stats: Float64Array): void;
  /**
   * net_train_step: one training step with the given hyper-parameters; `step` is the 1-based
   * update count (Adam's bias correction, and the dropout masks of the spec's dropout layers).
   * `weights` (rows values ≥ 0) weights each row's loss. The loss in stats includes the l2/l1
   * penalty. Fills the stats including STAT_STATUS.
   */
  trainStep(x: Float32Array, y: Float32Array, rows: number, opt: OptimizerParams, step: number, stats: Float64Array, weights?: Float32Array): void;

  /**
   * Make a data set available to trainEpoch, with a weight per row for its loss (default 1). The
   * engine keeps its own copy (or memory nobody else can detach), so changing or transferring x,
   * y and weights afterwards has no effect.
   */
  bindData(x: Float32Array, y: Float32Array, rows: number, weights?: Float32Array): BoundData;
  /**
   * All mini-batches of one epoch (net_train_batches): batch i takes rows order[i·batch … ) of
   * the data (the last batch may be short), runs trainStep with update number firstStep + i and
   * learning rate rates[i] (opt.lr without rates), and writes its STATS_PER_BATCH stats at
   * batchStats[i·STATS_PER_BATCH]. Stops after the first batch whose status is not STEP_OK, or
   * when onProgress returns false. Never blocks the event loop for long. Resolves to the number
   * of batches run. While it runs, every other call on this engine throws a BusyError.
   */
  trainEpoch(
    data: BoundData, order: Uint32Array, batchSize: number, opt: OptimizerParams, firstStep: number,
    batchStats: Float64Array, onProgress?: EpochProgress, rates?: Float32Array,
  ): Promise<number>;

  /** Free the engine's memory now (wasm: back to the allocator). Later calls throw a DisposedError. */
  dispose(): void;
}

export interface BackendDetails {
  /** e.g. 'avx512', 'avx2', 'portable', 'simd128', 'float64 reference loops' */
  readonly kernelPath: string;
  readonly threads: number;
  /** Free-form facts worth showing in `mlpx info` (why threads are off, etc.). */
  readonly notes: readonly string[];
}

export interface Backend {
  readonly name: BackendName;
  readonly kernels: Kernels;
  details(): BackendDetails;
  /** Most threads this backend will use (setThreads clamps to it). */
  readonly maxThreads: number;
  /**
   * Kernel threads for this backend's kernels and engines: an integer ≥ 1, clamped to
   * maxThreads (details().notes then says so).
   */
  setThreads(threads: number): void;
  /**
   * The most memory, in bytes, that one network may use on this backend (engine, workspace and
   * bound data): networks and fits that need more are refused before anything is allocated.
   */
  readonly memoryLimit: number;
  /** Why memoryLimit is what it is, for error messages. */
  readonly memoryLimitReason: string;
  /**
   * Bytes a network of this spec holds on this backend whatever its batches, which the memory
   * checks count: its parameters, gradients and optimizer state (layout.ts engineBytes) and, on
   * native, the copy of the weights predict packs.
   */
  engineBytes(spec: NetSpec): number;
  /** What engineBytes counts, in words, for error messages. */
  readonly engineBytesHold: string;
  /**
   * Bytes that batches of `rows` rows take on this backend, which the memory checks count: the
   * engine's workspace (layout.ts workspaceBytes) and, on native, the room they take in the
   * process's buffer of a split GEMM's K-block products.
   */
  workspaceBytes(spec: NetSpec, rows: number): number;
  createEngine(spec: NetSpec): Engine;
}
