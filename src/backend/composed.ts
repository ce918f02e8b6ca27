// An Engine built from a backend's kernels: the reference composition of the fused steps
// (FUSED_STEP_NAMES in kernels.ts). The js backend uses it as is; native/net.cc and
// assembly/step.ts compute the same phases, in the same order, under the same names.
import type { BoundData, Engine, EpochProgress } from './engine.js';
import {
  batchRows, GRAD_NORM2_LIMIT, STAT_CORRECT, STAT_GRAD_NORM2, STAT_LOSS, STAT_STATUS, STATS_PER_BATCH,
  STEP_GRADIENT_NON_FINITE, STEP_LOSS_NON_FINITE, STEP_OK, STEP_UPDATE_NON_FINITE,
} from './engine.js';
import { driveEpoch } from './epoch.js';
import { EngineGuard } from './guard.js';
import { OPTIMIZER_STATE_PER_PARAM, Optimizer, type Kernels, type OptimizerId, type OptimizerParams } from './kernels.js';
import { paramLayout, usesFusedOutputDelta, type NetSpec, type ParamLayout } from './layout.js';
import { copyIn, copyOut, requireArray, requireData, requireEpoch, requireOptimizerKind, requireOptimizerParams, requireRowCount, requireStepArgs } from './transfer.js';
import { InvalidArgumentError, MlpxError } from '../util/errors.js';

interface LayerViews {
  w: Float32Array; b: Float32Array; dw: Float32Array; db: Float32Array;
  z: Float32Array; a: Float32Array;
}

/**
 * The storage type of an engine's buffers. Float32Array for training; the gradient check passes
 * Float64Array to run the same reference composition in double precision (the reference kernels
 * are plain loops and work unchanged on either).
 */
export type FloatArrayType = Float32ArrayConstructor | Float64ArrayConstructor;

/** The rows of one bound data set: a private copy nobody else holds. */
class ComposedBoundData implements BoundData {
  #released = false;
  readonly #x: Float32Array;
  readonly #y: Float32Array;
  constructor(x: Float32Array, y: Float32Array, readonly rows: number, readonly owner: ComposedEngine) {
    this.#x = x.slice(0, rows * owner.spec.sizes[0]!);
    this.#y = y.slice(0, rows * owner.spec.sizes[owner.spec.sizes.length - 1]!);
  }
  get x(): Float32Array { this.#check(); return this.#x; }
  get y(): Float32Array { this.#check(); return this.#y; }
  release(): void { this.#released = true; }
  #check(): void { if (this.#released) throw new MlpxError('bound data used after release()'); }
}

export class ComposedEngine implements Engine {
  readonly paramCount: number;
  readonly #layout: ParamLayout;
  readonly #fused: boolean;
  readonly #guard = new EngineGuard();
  #params: Float32Array;
  #grads: Float32Array;
  #state: Float32Array;
  /** Adam's m and v: views of #state made once, not per step. */
  #adamMoments: [Float32Array, Float32Array];
  #stateKind: OptimizerId = Optimizer.sgd;
  #capacity = 0;
  #layers: LayerViews[] = [];
  #deltaA: Float32Array;
  #deltaZ: Float32Array;
  #batchX: Float32Array;
  #batchY: Float32Array;
  readonly #stepStats = new Float64Array(STATS_PER_BATCH);

  constructor(readonly spec: NetSpec, private readonly k: Kernels, private readonly floats: FloatArrayType = Float32Array) {
    this.#layout = paramLayout(spec.sizes);
    this.paramCount = this.#layout.count;
    this.#fused = usesFusedOutputDelta(spec);
    this.#params = this.#alloc(this.paramCount);
    this.#grads = this.#alloc(this.paramCount);
    this.#state = this.#deltaA = this.#deltaZ = this.#batchX = this.#batchY = this.#alloc(0);
    this.#adamMoments = [this.#state, this.#state];
  }

  #alloc(length: number): Float32Array {
    try {
      return new this.floats(length) as Float32Array;
    } catch (error) {
      throw new MlpxError(`js backend: could not allocate ${length} floats (${(error as Error).message})`);
    }
  }

  readParams(out?: Float32Array): Float32Array { this.#guard.check('readParams'); return copyOut(this.#params, out, this.floats); }
  writeParams(values: Float32Array): void { this.#guard.check('writeParams'); copyIn(this.#params, values, 'parameters'); }
  readGrads(out?: Float32Array): Float32Array { this.#guard.check('readGrads'); return copyOut(this.#grads, out, this.floats); }
  get optimizerKind(): OptimizerId { return this.#stateKind; }
  /** This engine's own parameter array: the float64 gradient check perturbs it in place. */
  liveParams(): Float32Array { this.#guard.check('liveParams'); return this.#params; }
  readOptimizerState(out?: Float32Array): Float32Array { this.#guard.check('readOptimizerState'); return copyOut(this.#state, out, this.floats); }
  writeOptimizerState(values: Float32Array): void { this.#guard.check('writeOptimizerState'); copyIn(this.#state, values, 'optimizer state'); }
  get capacity(): number { return this.#capacity; }

  setOptimizer(kind: OptimizerId): void {
    this.#guard.check('setOptimizer');
    requireOptimizerKind('setOptimizer', kind);
    this.#setOptimizer(kind);
  }

  #setOptimizer(kind: OptimizerId): void {
    if (kind === this.#stateKind) return;
    const state = this.#alloc(OPTIMIZER_STATE_PER_PARAM[kind] * this.paramCount);
    this.#stateKind = kind;
    this.#state = state;
    this.#adamMoments = [state.subarray(0, this.paramCount), state.subarray(this.paramCount)];
  }

  reserve(rows: number): void {
    this.#guard.check('reserve');
    requireRowCount('reserve', rows);
    this.#reserve(rows);
  }

  #reserve(rows: number): void {
    if (rows <= this.#capacity) return;
    const sizes = this.spec.sizes;
    const widest = Math.max(...sizes);
    // allocate everything before replacing anything: a failed reserve leaves the engine as it was
    const layers = this.#layout.layers.map((slot) => ({
      w: this.#params.subarray(slot.weightOffset, slot.biasOffset),
      b: this.#params.subarray(slot.biasOffset, slot.biasOffset + slot.units),
      dw: this.#grads.subarray(slot.weightOffset, slot.biasOffset),
      db: this.#grads.subarray(slot.biasOffset, slot.biasOffset + slot.units),
      z: this.#alloc(rows * slot.units),
      a: this.#alloc(rows * slot.units),
    }));
    const deltaA = this.#alloc(rows * widest), deltaZ = this.#alloc(rows * widest);
    const batchX = this.#alloc(rows * sizes[0]!), batchY = this.#alloc(rows * sizes[sizes.length - 1]!);
    this.#layers = layers;
    this.#deltaA = deltaA;
    this.#deltaZ = deltaZ;
    this.#batchX = batchX;
    this.#batchY = batchY;
    this.#capacity = rows;
  }

  forward(x: Float32Array, rows: number, out: Float32Array): void {
    this.#guard.check('forward');
    requireStepArgs('forward', this.spec, this.#capacity, rows, x, null, null, this.floats);
    const outputs = this.spec.sizes[this.spec.sizes.length - 1]!;
    requireArray('forward', 'out', out, rows * outputs, this.floats);
    out.set(this.net_forward(x, rows).subarray(0, rows * outputs));
  }

  evaluate(x: Float32Array, y: Float32Array, rows: number, stats: Float64Array): void {
    this.#guard.check('evaluate');
    requireStepArgs('evaluate', this.spec, this.#capacity, rows, x, y, stats, this.floats);
    this.net_loss(this.net_forward(x, rows), y, rows, stats);
    stats[STAT_STATUS] = STEP_OK;
  }

  gradient(x: Float32Array, y: Float32Array, rows: number, stats: Float64Array): void {
    this.#guard.check('gradient');
    requireStepArgs('gradient', this.spec, this.#capacity, rows, x, y, stats, this.floats);
    this.net_loss(this.net_forward(x, rows), y, rows, stats);
    this.net_backward(x, y, rows, stats);
    stats[STAT_STATUS] = STEP_OK;
  }

  trainStep(x: Float32Array, y: Float32Array, rows: number, opt: OptimizerParams, step: number, stats: Float64Array): void {
    this.#guard.check('trainStep');
    requireStepArgs('trainStep', this.spec, this.#capacity, rows, x, y, stats, this.floats);
    requireOptimizerParams('trainStep', opt);
    this.#setOptimizer(opt.kind);
    this.net_train_step(x, y, rows, opt, step, stats);
  }

  /** The output buffer (capacity rows): the steps must not allocate. */
  private net_forward(x: Float32Array, rows: number): Float32Array {
    const { k, spec } = this;
    let input = x;
    this.#layout.layers.forEach((slot, l) => {
      const layer = this.#layers[l]!;
      k.dense_forward(layer.z, input, layer.w, layer.b, rows, slot.inputs, slot.units);
      k.activation_forward(layer.a, layer.z, rows, slot.units, spec.activations[l]!);
      input = layer.a;
    });
    return input;
  }

  private net_loss(output: Float32Array, y: Float32Array, rows: number, stats: Float64Array): void {
    const units = this.spec.sizes[this.spec.sizes.length - 1]!;
    stats[STAT_LOSS] = this.k.loss_forward(output, y, rows, units, this.spec.loss);
    stats[STAT_CORRECT] = this.k.count_correct(output, y, rows, units);
  }

  /** After net_forward on the same rows. */
  private net_backward(x: Float32Array, y: Float32Array, rows: number, stats: Float64Array): void {
    const { k, spec } = this;
    const slots = this.#layout.layers;
    const L = slots.length;
    const last = this.#layers[L - 1]!;
    const outUnits = slots[L - 1]!.units;
    const dz = this.#deltaZ;
    const da = this.#deltaA;
    if (this.#fused) {
      k.output_delta_fused(dz, last.a, y, rows, outUnits);
    } else {
      k.loss_backward(da, last.a, y, rows, outUnits, spec.loss);
      k.activation_backward(dz, da, last.z, last.a, rows, outUnits, spec.activations[L - 1]!);
    }
    for (let l = L - 1; l >= 0; l--) {
      const slot = slots[l]!;
      const layer = this.#layers[l]!;
      const input = l === 0 ? x : this.#layers[l - 1]!.a;
      k.dense_backward(l === 0 ? null : da, layer.dw, layer.db, dz, input, layer.w, rows, slot.inputs, slot.units);
      if (l > 0) {
        const below = this.#layers[l - 1]!;
        k.activation_backward(dz, da, below.z, below.a, rows, slot.inputs, spec.activations[l - 1]!);
      }
    }
    stats[STAT_GRAD_NORM2] = k.sum_squares(this.#grads, this.paramCount);
  }

  /** One update of the state's optimizer; false if it wrote a non-finite value. */
  private optimizer_update(opt: OptimizerParams, step: number): boolean {
    const { k } = this;
    const P = this.paramCount;
    const params = this.#params;
    const grads = this.#grads;
    switch (opt.kind) {
      case Optimizer.sgd:
        return k.sgd_update(params, grads, P, opt.lr);
      case Optimizer.momentum:
        return k.momentum_update(params, grads, this.#state, P, opt.lr, opt.beta1);
      case Optimizer.rmsprop:
        return k.rmsprop_update(params, grads, this.#state, P, opt.lr, opt.beta1, opt.eps);
      case Optimizer.adam:
        return k.adam_update(params, grads, this.#adamMoments[0], this.#adamMoments[1], P, opt.lr, opt.beta1, opt.beta2, opt.eps, step);
    }
  }

  /** The optimizer state must be sized for opt.kind. */
  private net_train_step(x: Float32Array, y: Float32Array, rows: number, opt: OptimizerParams, step: number, stats: Float64Array): void {
    this.net_loss(this.net_forward(x, rows), y, rows, stats);
    this.net_backward(x, y, rows, stats);
    stats[STAT_STATUS] = !Number.isFinite(stats[STAT_LOSS]!) ? STEP_LOSS_NON_FINITE
      : !(stats[STAT_GRAD_NORM2]! <= GRAD_NORM2_LIMIT) ? STEP_GRADIENT_NON_FINITE
      : this.optimizer_update(opt, step) ? STEP_OK : STEP_UPDATE_NON_FINITE;
  }

  private net_train_batches(
    data: ComposedBoundData, order: Uint32Array, batchSize: number, first: number, count: number,
    opt: OptimizerParams, firstStep: number, batchStats: Float64Array,
  ): number {
    const { x, y } = data;
    const inputs = this.spec.sizes[0]!;
    const outputs = this.spec.sizes[this.spec.sizes.length - 1]!;
    const stats = this.#stepStats;
    for (let i = 0; i < count; i++) {
      const batch = first + i;
      const start = batch * batchSize;
      const rows = batchRows(batch, batchSize, order.length);
      for (let r = 0; r < rows; r++) {
        const row = order[start + r]!;
        copyRow(this.#batchX, r * inputs, x, row * inputs, inputs);
        copyRow(this.#batchY, r * outputs, y, row * outputs, outputs);
      }
      this.net_train_step(this.#batchX, this.#batchY, rows, opt, firstStep + i, stats);
      batchStats.set(stats, batch * STATS_PER_BATCH);
      if (stats[STAT_STATUS] !== STEP_OK) return i + 1;
    }
    return count;
  }

  bindData(x: Float32Array, y: Float32Array, rows: number): BoundData {
    this.#guard.check('bindData');
    requireData(this.spec, x, y, rows);
    return new ComposedBoundData(x, y, rows, this);
  }

  trainEpoch(
    data: BoundData, order: Uint32Array, batchSize: number, opt: OptimizerParams, firstStep: number,
    batchStats: Float64Array, onProgress?: EpochProgress,
  ): Promise<number> {
    return this.#guard.epoch(async () => {
      if (!(data instanceof ComposedBoundData) || data.owner !== this) throw new InvalidArgumentError('trainEpoch: data must be bound by this engine (bindData)');
      const batches = requireEpoch(order, data.rows, batchSize, batchStats);
      requireOptimizerParams('trainEpoch', opt);
      this.#reserve(Math.min(batchSize, order.length));
      this.#setOptimizer(opt.kind);
      return driveEpoch(batches, batches, (first, count) => this.net_train_batches(data, order, batchSize, first, count, opt, firstStep + first, batchStats), batchStats, onProgress);
    });
  }

  dispose(): void {
    if (!this.#guard.dispose()) return;
    this.#params = this.#grads = this.#state = this.#deltaA = this.#deltaZ = this.#batchX = this.#batchY = this.#alloc(0);
    this.#layers = [];
    this.#capacity = 0;
  }
}

function copyRow(to: Float32Array, toOffset: number, from: Float32Array, fromOffset: number, count: number): void {
  for (let i = 0; i < count; i++) to[toOffset + i] = from[fromOffset + i]!;
}
