// An Engine built from a backend's kernels: the reference composition of the fused training
// step. The js backend uses it as is; it also documents, step by step, what the native and wasm
// fused steps must compute.
import type { BoundData, Engine } from './engine.js';
import { STAT_CORRECT, STAT_GRAD_NORM2, STAT_LOSS, STATS_PER_BATCH } from './engine.js';
import { OPTIMIZER_STATE_PER_PARAM, Optimizer, type Kernels, type OptimizerId, type OptimizerParams } from './kernels.js';
import { paramLayout, usesFusedOutputDelta, type NetSpec, type ParamLayout } from './layout.js';
import { yieldToEventLoop } from '../util/yield.js';

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

export class ComposedEngine implements Engine {
  readonly paramCount: number;
  readonly #layout: ParamLayout;
  readonly #fused: boolean;
  readonly #params: Float32Array;
  readonly #grads: Float32Array;
  #state: Float32Array = new Float32Array(0);
  /** Adam's m and v: views of #state made once, not per step. */
  #adamMoments: [Float32Array, Float32Array] = [this.#state, this.#state];
  #stateKind: OptimizerId = Optimizer.sgd;
  #capacity = 0;
  #layers: LayerViews[] = [];
  #deltaA: Float32Array = new Float32Array(0);
  #deltaZ: Float32Array = new Float32Array(0);
  #batchX: Float32Array = new Float32Array(0);
  #batchY: Float32Array = new Float32Array(0);
  readonly #stepStats = new Float64Array(STATS_PER_BATCH);

  constructor(readonly spec: NetSpec, private readonly k: Kernels, private readonly floats: FloatArrayType = Float32Array) {
    this.#layout = paramLayout(spec.sizes);
    this.paramCount = this.#layout.count;
    this.#fused = usesFusedOutputDelta(spec);
    this.#params = this.#alloc(this.paramCount);
    this.#grads = this.#alloc(this.paramCount);
  }

  #alloc(length: number): Float32Array {
    return new this.floats(length) as Float32Array;
  }

  params(): Float32Array { return this.#params; }
  grads(): Float32Array { return this.#grads; }
  optimizerState(): Float32Array { return this.#state; }
  get capacity(): number { return this.#capacity; }

  setOptimizer(kind: OptimizerId): void {
    if (kind === this.#stateKind && this.#state.length > 0) return;
    this.#stateKind = kind;
    this.#state = this.#alloc(OPTIMIZER_STATE_PER_PARAM[kind] * this.paramCount);
    this.#adamMoments = [this.#state.subarray(0, this.paramCount), this.#state.subarray(this.paramCount)];
  }

  reserve(rows: number): void {
    if (rows <= this.#capacity) return;
    const sizes = this.spec.sizes;
    const widest = Math.max(...sizes);
    this.#layers = this.#layout.layers.map((slot) => ({
      w: this.#params.subarray(slot.weightOffset, slot.biasOffset),
      b: this.#params.subarray(slot.biasOffset, slot.biasOffset + slot.units),
      dw: this.#grads.subarray(slot.weightOffset, slot.biasOffset),
      db: this.#grads.subarray(slot.biasOffset, slot.biasOffset + slot.units),
      z: this.#alloc(rows * slot.units),
      a: this.#alloc(rows * slot.units),
    }));
    this.#deltaA = this.#alloc(rows * widest);
    this.#deltaZ = this.#alloc(rows * widest);
    this.#batchX = this.#alloc(rows * sizes[0]!);
    this.#batchY = this.#alloc(rows * sizes[sizes.length - 1]!);
    this.#capacity = rows;
  }

  forward(x: Float32Array, rows: number): Float32Array {
    return this.#forward(x, rows).subarray(0, rows * this.spec.sizes[this.spec.sizes.length - 1]!);
  }

  /** The output buffer (capacity rows), without making a view: trainStep must not allocate. */
  #forward(x: Float32Array, rows: number): Float32Array {
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

  evaluate(x: Float32Array, y: Float32Array, rows: number, stats: Float64Array): void {
    const output = this.#forward(x, rows);
    const units = this.spec.sizes[this.spec.sizes.length - 1]!;
    stats[STAT_LOSS] = this.k.loss_forward(output, y, rows, units, this.spec.loss);
    stats[STAT_CORRECT] = this.k.count_correct(output, y, rows, units);
  }

  gradient(x: Float32Array, y: Float32Array, rows: number, stats: Float64Array): void {
    const { k, spec } = this;
    this.evaluate(x, y, rows, stats);
    const slots = this.#layout.layers;
    const L = slots.length;
    const last = this.#layers[L - 1]!;
    const outUnits = slots[L - 1]!.units;
    let dz = this.#deltaZ;
    let da = this.#deltaA;
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

  trainStep(x: Float32Array, y: Float32Array, rows: number, opt: OptimizerParams, step: number, stats: Float64Array): void {
    this.gradient(x, y, rows, stats);
    if (!Number.isFinite(stats[STAT_LOSS]!) || !Number.isFinite(stats[STAT_GRAD_NORM2]!)) return;
    this.#update(opt, step);
  }

  #update(opt: OptimizerParams, step: number): void {
    const { k } = this;
    const P = this.paramCount;
    const params = this.#params;
    const grads = this.#grads;
    this.setOptimizer(opt.kind);
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

  bindData(x: Float32Array, y: Float32Array, rows: number): BoundData {
    let released = false;
    const data = {
      rows,
      release: () => { released = true; },
      get x() { if (released) throw new Error('mlpx: bound data used after release()'); return x; },
      y,
    };
    return data;
  }

  async trainEpoch(
    data: BoundData, order: Uint32Array, batchSize: number, opt: OptimizerParams, firstStep: number,
    batchStats: Float64Array, onProgress?: (batchesDone: number) => void,
  ): Promise<number> {
    const { x, y } = data as BoundData & { x: Float32Array; y: Float32Array };
    const inputs = this.spec.sizes[0]!;
    const outputs = this.spec.sizes[this.spec.sizes.length - 1]!;
    this.reserve(Math.min(batchSize, order.length));
    const batches = Math.ceil(order.length / batchSize);
    for (let batch = 0; batch < batches; batch++) {
      const start = batch * batchSize;
      const rows = Math.min(batchSize, order.length - start);
      for (let r = 0; r < rows; r++) {
        const row = order[start + r]!;
        copyRow(this.#batchX, r * inputs, x, row * inputs, inputs);
        copyRow(this.#batchY, r * outputs, y, row * outputs, outputs);
      }
      const stats = this.#stepStats;
      this.trainStep(this.#batchX, this.#batchY, rows, opt, firstStep + batch, stats);
      for (let s = 0; s < STATS_PER_BATCH; s++) batchStats[batch * STATS_PER_BATCH + s] = stats[s]!;
      onProgress?.(batch + 1);
      if (!Number.isFinite(stats[STAT_LOSS]!) || !Number.isFinite(stats[STAT_GRAD_NORM2]!)) return batch + 1;
      await yieldToEventLoop();
    }
    return batches;
  }
}

function copyRow(to: Float32Array, toOffset: number, from: Float32Array, fromOffset: number, count: number): void {
  for (let i = 0; i < count; i++) to[toOffset + i] = from[fromOffset + i]!;
}
