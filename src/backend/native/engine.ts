// Engine over the addon's Net: parameters, gradients, optimizer state and workspace live in
// memory the Net owns; trainStep is one native call and trainEpoch runs every batch on a libuv
// worker thread, so the event loop stays free (but for epochs shorter than SHORT_EPOCH_MS, which
// cost less on the calling thread than handing them over: src/backend/epoch.ts).
import type { BoundData, Engine, EpochProgress } from '../engine.js';
import { EpochPace, SHORT_EPOCH_MS } from '../epoch.js';
import { OPTIMIZER_FIELDS, packOptimizer, type OptimizerId, type OptimizerParams } from '../kernels.js';
import { packSpec, type NetSpec } from '../layout.js';
import { BusyError, DisposedError, InvalidArgumentError, MlpxError } from '../../util/errors.js';
import { requireData, requireOptimizerParams, requireRowWeights } from '../transfer.js';
import type { NativeAddon, NativeNet } from './load.js';

/** Make the addon throw mlpx's own error classes (once per loaded addon). */
export function registerErrorClasses(addon: NativeAddon): NativeAddon {
  addon.setErrorClasses({ InvalidArgumentError, BusyError, DisposedError, MlpxError });
  return addon;
}

/**
 * The epoch worker reads the rows in place from another thread, so it gets a private copy: the
 * caller's arrays may be changed or transferred (detached) at any time without effect.
 */
class NativeBoundData implements BoundData {
  #released = false;
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly weights: Float32Array | null;
  constructor(x: Float32Array, y: Float32Array, readonly rows: number, weights: Float32Array | undefined, readonly owner: NativeEngine) {
    const sizes = owner.spec.sizes;
    this.x = x.slice(0, rows * sizes[0]!);
    this.y = y.slice(0, rows * sizes[sizes.length - 1]!);
    this.weights = weights?.slice(0, rows) ?? null;
  }
  release(): void { this.#released = true; }
  get released(): boolean { return this.#released; }
}

export class NativeEngine implements Engine {
  readonly paramCount: number;
  readonly #net: NativeNet;
  /** the optimizer parameters of the latest trainStep, packed (reused: no allocation per step) */
  readonly #opt = new Float64Array(OPTIMIZER_FIELDS.length);
  /** the last epoch's time per batch: an epoch expected to be short runs on the calling thread */
  readonly #pace = new EpochPace();
  /** the Net checks this itself; bindData, which never reaches it, asks here */
  #disposed = false;

  constructor(readonly spec: NetSpec, addon: NativeAddon) {
    this.#net = new addon.Net(packSpec(spec));
    this.paramCount = this.#net.paramCount();
  }

  readParams(out?: Float32Array): Float32Array { return this.#net.readParams(out); }
  writeParams(values: Float32Array): void { this.#net.writeParams(values); }
  readGrads(out?: Float32Array): Float32Array { return this.#net.readGrads(out); }
  get optimizerKind(): OptimizerId { return this.#net.optimizerKind() as OptimizerId; }
  setOptimizer(kind: OptimizerId): void { this.#net.setOptimizer(kind); }
  readOptimizerState(out?: Float32Array): Float32Array { return this.#net.readOptimizerState(out); }
  writeOptimizerState(values: Float32Array): void { this.#net.writeOptimizerState(values); }
  reserve(rows: number): void { this.#net.reserve(rows); }
  get capacity(): number { return this.#net.capacity(); }

  /**
   * Prediction (native/inference.cc): reads the weights in place and needs no training
   * workspace, so batch 1 touches only the weights. Bit-identical to the training step's forward
   * pass. It keeps the engines' contract (rows ≤ capacity) all the same.
   */
  forward(x: Float32Array, rows: number, out: Float32Array): void { this.#net.predict(x, rows, out); }

  evaluate(x: Float32Array, y: Float32Array, rows: number, stats: Float64Array): void {
    this.#net.evaluate(x, y, rows, stats);
  }

  gradient(x: Float32Array, y: Float32Array, rows: number, stats: Float64Array): void {
    this.#net.gradient(x, y, rows, stats);
  }

  trainStep(x: Float32Array, y: Float32Array, rows: number, opt: OptimizerParams, step: number, stats: Float64Array, weights?: Float32Array): void {
    requireOptimizerParams('trainStep', opt);
    requireRowWeights('trainStep', weights, rows);
    this.#net.trainStep(x, y, weights ?? null, rows, packOptimizer(opt, this.#opt), step, stats);
  }

  bindData(x: Float32Array, y: Float32Array, rows: number, weights?: Float32Array): BoundData {
    if (this.#disposed) throw new DisposedError('native backend: bindData: this engine was disposed');
    requireData(this.spec, x, y, rows, weights);
    return new NativeBoundData(x, y, rows, weights, this);
  }

  async trainEpoch(
    data: BoundData, order: Uint32Array, batchSize: number, opt: OptimizerParams, firstStep: number,
    batchStats: Float64Array, onProgress?: EpochProgress, rates?: Float32Array,
  ): Promise<number> {
    if (!(data instanceof NativeBoundData) || data.owner !== this || data.released) {
      throw new InvalidArgumentError('trainEpoch: data must be bound by this engine (bindData) and not released');
    }
    requireOptimizerParams('trainEpoch', opt);
    const batches = Math.ceil(order.length / batchSize);
    const short = this.#pace.expectedMs(batchSize, batches) <= SHORT_EPOCH_MS;
    const started = performance.now();
    const done = await this.#net.trainEpoch(
      data.x, data.y, data.weights, data.rows, order, batchSize, packOptimizer(opt, this.#opt),
      rates ?? null, firstStep, batchStats, onProgress, short,
    );
    this.#pace.record(batchSize, performance.now() - started, done);
    return done;
  }

  dispose(): void {
    this.#net.dispose();
    this.#disposed = true;
  }
}
