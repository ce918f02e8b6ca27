// An Engine built from a backend's kernels: the reference composition of the fused steps
// (FUSED_STEP_NAMES in kernels.ts). The js backend uses it as is; native/net.cc and
// assembly/step.ts compute the same phases, in the same order, under the same names.
import type { BoundData, Engine, EpochProgress } from './engine.js';
import {
  batchRows, clipScale, GRAD_NORM2_LIMIT, STAT_CORRECT, STAT_GRAD_NORM2, STAT_LOSS, STAT_STATUS, STATS_PER_BATCH,
  STEP_GRADIENT_NON_FINITE, STEP_LOSS_NON_FINITE, STEP_OK, STEP_UPDATE_NON_FINITE,
} from './engine.js';
import { driveEpoch, EpochPace } from './epoch.js';
import { EngineGuard } from './guard.js';
import { OPTIMIZER_STATE_PER_PARAM, Optimizer, type Kernels, type OptimizerId, type OptimizerParams } from './kernels.js';
import { dropoutThresholds, paramLayout, usesFusedOutputDelta, type NetSpec, type ParamLayout } from './layout.js';
import {
  copyIn, copyOut, requireArray, requireData, requireEpoch, requireOptimizerKind, requireOptimizerParams, requireRates, requireRowCount,
  requireStepArgs,
} from './transfer.js';
import { InvalidArgumentError, MlpxError } from '../util/errors.js';

interface LayerViews {
  w: Float32Array; b: Float32Array; dw: Float32Array; db: Float32Array;
  z: Float32Array; a: Float32Array;
}

/**
 * A stretch of the flat vectors one optimizer call updates: a layer's weights (regularised) or
 * its biases (not), with the matching stretches of the optimizer state. Made when the state is
 * (re)allocated, not per step.
 */
interface Segment {
  params: Float32Array; grads: Float32Array; state0: Float32Array; state1: Float32Array;
  count: number; regularized: boolean;
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
  readonly #weights: Float32Array | null;
  constructor(x: Float32Array, y: Float32Array, readonly rows: number, weights: Float32Array | undefined, readonly owner: ComposedEngine) {
    this.#x = x.slice(0, rows * owner.spec.sizes[0]!);
    this.#y = y.slice(0, rows * owner.spec.sizes[owner.spec.sizes.length - 1]!);
    this.#weights = weights?.slice(0, rows) ?? null;
  }
  get x(): Float32Array { this.#check(); return this.#x; }
  get y(): Float32Array { this.#check(); return this.#y; }
  get weights(): Float32Array | null { this.#check(); return this.#weights; }
  release(): void { this.#released = true; }
  #check(): void { if (this.#released) throw new MlpxError('bound data used after release()'); }
}

export class ComposedEngine implements Engine {
  readonly paramCount: number;
  readonly #layout: ParamLayout;
  readonly #fused: boolean;
  /** dropout rate per layer (0: none) */
  readonly #dropout: readonly number[];
  readonly #guard = new EngineGuard();
  /** how the next epoch is chunked (driveEpoch) */
  readonly #pace = new EpochPace();
  #params: Float32Array;
  #grads: Float32Array;
  #state: Float32Array;
  #stateKind: OptimizerId = Optimizer.sgd;
  #segments: Segment[] = [];
  #capacity = 0;
  #layers: LayerViews[] = [];
  #deltaA: Float32Array;
  #deltaZ: Float32Array;
  #batchX: Float32Array;
  #batchY: Float32Array;
  #batchW: Float32Array;
  readonly #stepStats = new Float64Array(STATS_PER_BATCH);

  constructor(readonly spec: NetSpec, private readonly k: Kernels, private readonly floats: FloatArrayType = Float32Array) {
    dropoutThresholds(spec); // checks the rates and the seed
    this.#layout = paramLayout(spec.sizes);
    this.paramCount = this.#layout.count;
    this.#fused = usesFusedOutputDelta(spec);
    this.#dropout = spec.dropout ?? spec.activations.map(() => 0);
    this.#params = this.#alloc(this.paramCount);
    this.#grads = this.#alloc(this.paramCount);
    this.#state = this.#deltaA = this.#deltaZ = this.#batchX = this.#batchY = this.#batchW = this.#alloc(0);
    this.#segments = this.#makeSegments();
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
    this.#segments = this.#makeSegments();
  }

  /** Each layer's weights, then its biases, as views of the parameters, gradients and state. */
  #makeSegments(): Segment[] {
    const P = this.paramCount;
    const second = OPTIMIZER_STATE_PER_PARAM[this.#stateKind] === 2;
    const view = (array: Float32Array, begin: number, end: number) => (array.length >= end ? array.subarray(begin, end) : array);
    return this.#layout.layers.flatMap((slot) => [[slot.weightOffset, slot.biasOffset, true], [slot.biasOffset, slot.biasOffset + slot.units, false]] as const)
      .map(([begin, end, regularized]) => ({
        params: this.#params.subarray(begin, end), grads: this.#grads.subarray(begin, end),
        state0: view(this.#state, begin, end), state1: second ? this.#state.subarray(P + begin, P + end) : this.#state,
        count: end - begin, regularized,
      }));
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
    const batchX = this.#alloc(rows * sizes[0]!), batchY = this.#alloc(rows * sizes[sizes.length - 1]!), batchW = this.#alloc(rows);
    this.#layers = layers;
    this.#deltaA = deltaA;
    this.#deltaZ = deltaZ;
    this.#batchX = batchX;
    this.#batchY = batchY;
    this.#batchW = batchW;
    this.#capacity = rows;
  }

  forward(x: Float32Array, rows: number, out: Float32Array): void {
    this.#guard.check('forward');
    requireStepArgs('forward', this.spec, this.#capacity, rows, x, null, null, this.floats);
    const outputs = this.spec.sizes[this.spec.sizes.length - 1]!;
    requireArray('forward', 'out', out, rows * outputs, this.floats);
    out.set(this.net_forward(x, rows, null).subarray(0, rows * outputs));
  }

  evaluate(x: Float32Array, y: Float32Array, rows: number, stats: Float64Array): void {
    this.#guard.check('evaluate');
    requireStepArgs('evaluate', this.spec, this.#capacity, rows, x, y, stats, this.floats);
    this.net_loss(this.net_forward(x, rows, null), y, null, rows, stats);
    stats[STAT_STATUS] = STEP_OK;
  }

  gradient(x: Float32Array, y: Float32Array, rows: number, stats: Float64Array): void {
    this.#guard.check('gradient');
    requireStepArgs('gradient', this.spec, this.#capacity, rows, x, y, stats, this.floats);
    this.net_loss(this.net_forward(x, rows, null), y, null, rows, stats);
    this.net_backward(x, y, null, rows, stats, null);
    stats[STAT_STATUS] = STEP_OK;
  }

  trainStep(x: Float32Array, y: Float32Array, rows: number, opt: OptimizerParams, step: number, stats: Float64Array, weights?: Float32Array): void {
    this.#guard.check('trainStep');
    requireStepArgs('trainStep', this.spec, this.#capacity, rows, x, y, stats, this.floats);
    requireOptimizerParams('trainStep', opt);
    if (weights !== undefined) requireArray('trainStep', 'weights', weights, rows, this.floats);
    this.#setOptimizer(opt.kind);
    this.net_train_step(x, y, weights ?? null, rows, opt, opt.lr, step, stats);
  }

  /** The output buffer (capacity rows): the steps must not allocate. `step`: a training step's update number (dropout), or null. */
  private net_forward(x: Float32Array, rows: number, step: number | null): Float32Array {
    const { k, spec } = this;
    let input = x;
    this.#layout.layers.forEach((slot, l) => {
      const layer = this.#layers[l]!;
      const rate = this.#dropout[l]!;
      k.dense_forward(layer.z, input, layer.w, layer.b, rows, slot.inputs, slot.units);
      if (step !== null && rate > 0) k.dropout_forward(layer.a, layer.z, rows, slot.units, spec.activations[l]!, rate, spec.seed ?? 0, step, l);
      else k.activation_forward(layer.a, layer.z, rows, slot.units, spec.activations[l]!);
      input = layer.a;
    });
    return input;
  }

  private net_loss(output: Float32Array, y: Float32Array, weights: Float32Array | null, rows: number, stats: Float64Array): void {
    const units = this.spec.sizes[this.spec.sizes.length - 1]!;
    stats[STAT_LOSS] = this.k.loss_forward(output, y, weights, rows, units, this.spec.loss);
    stats[STAT_CORRECT] = this.k.count_correct(output, y, rows, units);
  }

  /** After net_forward on the same rows (and with the same step). */
  private net_backward(x: Float32Array, y: Float32Array, weights: Float32Array | null, rows: number, stats: Float64Array, step: number | null): void {
    const { k, spec } = this;
    const slots = this.#layout.layers;
    const L = slots.length;
    const last = this.#layers[L - 1]!;
    const outUnits = slots[L - 1]!.units;
    const dz = this.#deltaZ;
    const da = this.#deltaA;
    if (this.#fused) {
      k.output_delta_fused(dz, last.a, y, weights, rows, outUnits, spec.activations[L - 1]!);
    } else {
      k.loss_backward(da, last.a, y, weights, rows, outUnits, spec.loss);
      k.activation_backward(dz, da, last.z, last.a, rows, outUnits, spec.activations[L - 1]!);
    }
    for (let l = L - 1; l >= 0; l--) {
      const slot = slots[l]!;
      const layer = this.#layers[l]!;
      const input = l === 0 ? x : this.#layers[l - 1]!.a;
      k.dense_backward(l === 0 ? null : da, layer.dw, layer.db, dz, input, layer.w, rows, slot.inputs, slot.units);
      if (l > 0) {
        const below = this.#layers[l - 1]!;
        const rate = this.#dropout[l - 1]!;
        const act = spec.activations[l - 1]!;
        if (step !== null && rate > 0) k.dropout_backward(dz, da, below.z, rows, slot.inputs, act, rate, spec.seed ?? 0, step, l - 1);
        else k.activation_backward(dz, da, below.z, below.a, rows, slot.inputs, act);
      }
    }
    stats[STAT_GRAD_NORM2] = k.sum_squares(this.#grads, this.paramCount);
  }

  /**
   * One update of the state's optimizer, each layer's weights and biases in turn; false if it
   * wrote a non-finite value. The rate is a float32, as the other engines receive it (and a rate
   * table holds it).
   */
  private optimizer_update(opt: OptimizerParams, rate: number, step: number, gradScale: number): boolean {
    const { k } = this;
    const lr = Math.fround(rate);
    const clip = opt.clipValue ?? 0;
    let finite = true;
    for (const s of this.#segments) {
      const l2 = s.regularized ? opt.l2 ?? 0 : 0;
      const l1 = s.regularized ? opt.l1 ?? 0 : 0;
      const decay = s.regularized ? opt.weightDecay ?? 0 : 0;
      switch (opt.kind) {
        case Optimizer.sgd:
          finite = k.sgd_update(s.params, s.grads, s.count, lr, gradScale, clip, l2, l1, decay) && finite;
          break;
        case Optimizer.momentum:
          finite = k.momentum_update(s.params, s.grads, s.state0, s.count, lr, opt.beta1, opt.nesterov ?? 0, gradScale, clip, l2, l1, decay) && finite;
          break;
        case Optimizer.rmsprop:
          finite = k.rmsprop_update(s.params, s.grads, s.state0, s.count, lr, opt.beta1, opt.eps, gradScale, clip, l2, l1, decay) && finite;
          break;
        case Optimizer.adam:
          finite = k.adam_update(s.params, s.grads, s.state0, s.state1, s.count, lr, opt.beta1, opt.beta2, opt.eps, step, gradScale, clip, l2, l1, decay) && finite;
          break;
      }
    }
    return finite;
  }

  /** ½ l2 ‖W‖² + l1 ‖W‖₁ over every layer's weights (0 without l2 and l1). */
  private penalty(opt: OptimizerParams): number {
    const l2 = opt.l2 ?? 0, l1 = opt.l1 ?? 0;
    if (l2 === 0 && l1 === 0) return 0;
    let sum = 0;
    for (const s of this.#segments) if (s.regularized) sum += this.k.weight_penalty(s.params, s.count, l2, l1);
    return sum;
  }

  /** The optimizer state must be sized for opt.kind. */
  private net_train_step(
    x: Float32Array, y: Float32Array, weights: Float32Array | null, rows: number, opt: OptimizerParams, lr: number, step: number, stats: Float64Array,
  ): void {
    this.net_loss(this.net_forward(x, rows, step), y, weights, rows, stats);
    stats[STAT_LOSS] = stats[STAT_LOSS]! + this.penalty(opt);
    this.net_backward(x, y, weights, rows, stats, step);
    const gradNorm2 = stats[STAT_GRAD_NORM2]!;
    stats[STAT_STATUS] = !Number.isFinite(stats[STAT_LOSS]!) ? STEP_LOSS_NON_FINITE
      : !(gradNorm2 <= GRAD_NORM2_LIMIT) ? STEP_GRADIENT_NON_FINITE
      : this.optimizer_update(opt, lr, step, clipScale(opt.clipNorm ?? 0, gradNorm2)) ? STEP_OK : STEP_UPDATE_NON_FINITE;
  }

  private net_train_batches(
    data: ComposedBoundData, order: Uint32Array, batchSize: number, first: number, count: number,
    opt: OptimizerParams, rates: Float32Array | undefined, firstStep: number, batchStats: Float64Array,
  ): number {
    const { x, y, weights } = data;
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
        if (weights !== null) this.#batchW[r] = weights[row]!;
      }
      const lr = rates === undefined ? opt.lr : rates[batch]!;
      this.net_train_step(this.#batchX, this.#batchY, weights === null ? null : this.#batchW, rows, opt, lr, firstStep + i, stats);
      batchStats.set(stats, batch * STATS_PER_BATCH);
      if (stats[STAT_STATUS] !== STEP_OK) return i + 1;
    }
    return count;
  }

  bindData(x: Float32Array, y: Float32Array, rows: number, weights?: Float32Array): BoundData {
    this.#guard.check('bindData');
    requireData(this.spec, x, y, rows, weights);
    return new ComposedBoundData(x, y, rows, weights, this);
  }

  trainEpoch(
    data: BoundData, order: Uint32Array, batchSize: number, opt: OptimizerParams, firstStep: number,
    batchStats: Float64Array, onProgress?: EpochProgress, rates?: Float32Array,
  ): Promise<number> {
    return this.#guard.epoch(async () => {
      if (!(data instanceof ComposedBoundData) || data.owner !== this) throw new InvalidArgumentError('trainEpoch: data must be bound by this engine (bindData)');
      const batches = requireEpoch(order, data.rows, batchSize, batchStats);
      requireOptimizerParams('trainEpoch', opt);
      requireRates(rates, batches);
      this.#reserve(Math.min(batchSize, order.length));
      this.#setOptimizer(opt.kind);
      return driveEpoch(batches, batchSize, batches, (first, count) => this.net_train_batches(data, order, batchSize, first, count, opt, rates, firstStep + first, batchStats), batchStats, onProgress, this.#pace);
    });
  }

  dispose(): void {
    if (!this.#guard.dispose()) return;
    this.#params = this.#grads = this.#state = this.#deltaA = this.#deltaZ = this.#batchX = this.#batchY = this.#batchW = this.#alloc(0);
    this.#layers = [];
    this.#segments = [];
    this.#capacity = 0;
  }
}

function copyRow(to: Float32Array, toOffset: number, from: Float32Array, fromOffset: number, count: number): void {
  for (let i = 0; i < count; i++) to[toOffset + i] = from[fromOffset + i]!;
}
