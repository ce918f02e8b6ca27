// The wasm Engine: one network's parameters, gradients, optimizer state, workspace and bound data
// in linear memory, described to the module by a block of i32 words (NET_* in ./layout.ts,
// assembly/step.ts). A training step is one call (net_train_step); an epoch is a few calls
// (net_train_batches over chunks of ~10 ms, driven by ../epoch.ts), yielding to the event loop
// between chunks.
import type { BoundData, Engine, EpochProgress } from '../engine.js';
import { STAT_STATUS, STATS_PER_BATCH, STEP_OK } from '../engine.js';
import { driveEpoch, EpochPace } from '../epoch.js';
import { EngineGuard } from '../guard.js';
import { dropoutScale } from '../dropout.js';
import { OPTIMIZER_STATE_PER_PARAM, Optimizer, type OptimizerId, type OptimizerParams } from '../kernels.js';
import { dropoutThresholds, paramLayout, usesFusedOutputDelta, type NetSpec, type ParamLayout } from '../layout.js';
import {
  copyIn, copyOut, requireArray, requireData, requireEpoch, requireOptimizerKind, requireOptimizerParams, requireRates, requireRowCount,
  requireRowWeights, requireStepArgs,
} from '../transfer.js';
import { InvalidArgumentError } from '../../util/errors.js';
import { NET, UPDATE } from './layout.js';
import type { LinearMemory } from './memory.js';
import type { WasmRuntime } from './runtime.js';

/** Most batches one net_train_batches call may run (its stats buffer). */
const MAX_CHUNK = 1024;
const STATS_BYTES = STATS_PER_BATCH * 8;

/** Blocks of linear memory owned by one engine or bound data set; freed with it. */
class Blocks {
  readonly owned = new Set<number>();
  constructor(private readonly mem: LinearMemory) {}
  /** Allocate blocks of these byte sizes, all or none. */
  allocAll(sizes: readonly number[]): number[] {
    const done: number[] = [];
    try {
      for (const bytes of sizes) done.push(this.mem.alloc(bytes));
    } catch (error) {
      for (const ptr of done) this.mem.free(ptr);
      throw error;
    }
    for (const ptr of done) this.owned.add(ptr);
    return done;
  }
  alloc(bytes: number): number {
    return this.allocAll([bytes])[0]!;
  }
  free(ptr: number): void {
    if (this.owned.delete(ptr)) this.mem.free(ptr);
  }
  freeAll(): void {
    for (const ptr of this.owned) this.mem.free(ptr);
    this.owned.clear();
  }
}

// dispose() and release() give memory back at once; a network or data set dropped without them
// gives it back when it is garbage-collected.
const collected = new FinalizationRegistry<Blocks>((blocks) => blocks.freeAll());

/** A block of 4-byte values that grows to the longest length asked for and is reused after that. */
class GrowingBlock {
  #ptr = 0;
  #length = 0;
  constructor(private readonly blocks: Blocks) {}
  /** The block's address, holding at least `length` values. */
  of(length: number): number {
    if (length > this.#length) {
      const block = this.blocks.alloc(length * 4);
      if (this.#ptr !== 0) this.blocks.free(this.#ptr);
      this.#ptr = block;
      this.#length = length;
    }
    return this.#ptr;
  }
}

class WasmBoundData implements BoundData {
  released = false;
  readonly x: number;
  readonly y: number;
  /** the row weights (0: none) */
  readonly weights: number;
  /** an epoch's order (it may revisit rows, so it can exceed `rows`) */
  readonly order: GrowingBlock;
  /** an epoch's learning rates */
  readonly rates: GrowingBlock;
  readonly #blocks: Blocks;

  constructor(readonly rows: number, inputs: number, outputs: number, weighted: boolean, mem: LinearMemory, readonly owner: WasmEngine) {
    this.#blocks = new Blocks(mem);
    const [x, y, weights] = this.#blocks.allocAll([rows * inputs * 4, rows * outputs * 4, ...(weighted ? [rows * 4] : [])]);
    this.x = x!;
    this.y = y!;
    this.weights = weights ?? 0;
    this.order = new GrowingBlock(this.#blocks);
    this.rates = new GrowingBlock(this.#blocks);
    collected.register(this, this.#blocks, this);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    collected.unregister(this);
    this.#blocks.freeAll();
  }
}

export class WasmEngine implements Engine {
  readonly paramCount: number;
  readonly #layout: ParamLayout;
  readonly #blocks: Blocks;
  readonly #guard = new EngineGuard();
  /** how the next epoch is chunked (driveEpoch) */
  readonly #pace = new EpochPace();
  readonly #net: number;
  readonly #update: number;
  readonly #params: number;
  readonly #grads: number;
  /** f64 × STATS_PER_BATCH·MAX_CHUNK: per-batch stats of a chunk; the first slots serve single steps */
  readonly #stats: number;
  #state = 0;
  #stateKind: OptimizerId = Optimizer.sgd;
  #capacity = 0;
  /** the workspace blocks, freed when a larger workspace replaces them */
  #workspace: number[] = [];

  constructor(readonly spec: NetSpec, private readonly rt: WasmRuntime) {
    const thresholds = dropoutThresholds(spec);
    this.#layout = paramLayout(spec.sizes);
    this.paramCount = this.#layout.count;
    const blocks = (this.#blocks = new Blocks(rt.mem));
    const L = spec.activations.length;
    const squareFloats = this.#layout.layers.map((slot) => rt.exports.gemm_squares_floats(slot.inputs));
    const [net, params, grads, stats, squares] = blocks.allocAll([
      this.#netBytes(), this.paramCount * 4, this.paramCount * 4, MAX_CHUNK * STATS_BYTES, squareFloats.reduce((sum, f) => sum + f, 0) * 4,
    ]);
    this.#net = net!;
    rt.exports.step_choice_forget(this.#net);
    this.#update = this.#net + NET.NET_UPDATE;
    this.#params = params!;
    this.#grads = grads!;
    this.#stats = stats!;
    collected.register(this, blocks, this);
    const words = this.#words();
    words[NET.NET_LAYERS / 4] = L;
    words[NET.NET_LOSS / 4] = spec.loss;
    words[NET.NET_FUSED / 4] = usesFusedOutputDelta(spec) ? 1 : 0;
    rt.mem.f64(this.#net + NET.NET_SEED, 1)[0] = spec.seed ?? 0;
    const update = (this.#update - this.#net) / 4;
    words[update + UPDATE.UPD_PARAMS / 4] = this.#params;
    words[update + UPDATE.UPD_GRADS / 4] = this.#grads;
    words[update + UPDATE.UPD_COUNT / 4] = this.paramCount;
    words[update + UPDATE.UPD_SEGMENTS / 4] = 2 * L;
    const bounds = NET.NET_LAYER0 + L * NET.NET_LAYER_BYTES;
    words[update + UPDATE.UPD_BOUNDS / 4] = this.#net + bounds;
    const floats = rt.mem.f32(this.#net, this.#netBytes() / 4);
    let layerSquares = squares!;
    this.#layout.layers.forEach((slot, l) => {
      const at = (NET.NET_LAYER0 + l * NET.NET_LAYER_BYTES) / 4;
      words[at + NET.LAYER_IN / 4] = slot.inputs;
      words[at + NET.LAYER_UNITS / 4] = slot.units;
      words[at + NET.LAYER_ACT / 4] = spec.activations[l]!;
      words[at + NET.LAYER_W / 4] = this.#params + slot.weightOffset * 4;
      words[at + NET.LAYER_B / 4] = this.#params + slot.biasOffset * 4;
      words[at + NET.LAYER_DW / 4] = this.#grads + slot.weightOffset * 4;
      words[at + NET.LAYER_DB / 4] = this.#grads + slot.biasOffset * 4;
      words[at + NET.LAYER_DROP / 4] = thresholds[l]! | 0;
      floats[at + NET.LAYER_DROP_SCALE / 4] = dropoutScale(thresholds[l]!);
      words[at + NET.LAYER_SQUARES / 4] = layerSquares;
      layerSquares += squareFloats[l]! * 4;
      // segment 2l: the layer's weights (regularised), 2l + 1: its biases
      words[bounds / 4 + 2 * l + 1] = slot.biasOffset;
      words[bounds / 4 + 2 * l + 2] = slot.biasOffset + slot.units;
    });
  }

  /** The network block: the NET_* words, a layer entry per layer, the update's 2L + 1 segment bounds. */
  #netBytes(): number {
    const L = this.spec.activations.length;
    return NET.NET_LAYER0 + L * NET.NET_LAYER_BYTES + (2 * L + 1) * 4;
  }

  #words(): Int32Array { return this.rt.mem.i32(this.#net, this.#netBytes() / 4); }

  /** The optimizer's kind and constant hyper-parameters into the update block (the step writes lr, step and the clip factor). */
  #writeOptimizer(opt: OptimizerParams): void {
    const { mem } = this.rt;
    const words = mem.i32(this.#update, UPDATE.UPD_BYTES / 4);
    const floats = mem.f32(this.#update, UPDATE.UPD_BYTES / 4);
    words[UPDATE.UPD_KIND / 4] = opt.kind;
    words[UPDATE.UPD_NESTEROV / 4] = opt.nesterov ? 1 : 0;
    floats[UPDATE.UPD_BETA1 / 4] = opt.beta1;
    floats[UPDATE.UPD_BETA2 / 4] = opt.beta2;
    floats[UPDATE.UPD_EPS / 4] = opt.eps;
    floats[UPDATE.UPD_CLIP_VALUE / 4] = opt.clipValue ?? 0;
    floats[UPDATE.UPD_L2 / 4] = opt.l2 ?? 0;
    floats[UPDATE.UPD_L1 / 4] = opt.l1 ?? 0;
    floats[UPDATE.UPD_WEIGHT_DECAY / 4] = opt.weightDecay ?? 0;
    mem.f64(this.#net + NET.NET_CLIP_NORM, 1)[0] = opt.clipNorm ?? 0;
  }
  #stateFloats(): number { return OPTIMIZER_STATE_PER_PARAM[this.#stateKind] * this.paramCount; }

  readParams(out?: Float32Array): Float32Array {
    this.#guard.check('readParams');
    return copyOut(this.rt.mem.f32(this.#params, this.paramCount), out);
  }
  writeParams(values: Float32Array): void {
    this.#guard.check('writeParams');
    copyIn(this.rt.mem.f32(this.#params, this.paramCount), values, 'parameters');
  }
  readGrads(out?: Float32Array): Float32Array {
    this.#guard.check('readGrads');
    return copyOut(this.rt.mem.f32(this.#grads, this.paramCount), out);
  }
  get optimizerKind(): OptimizerId { return this.#stateKind; }
  readOptimizerState(out?: Float32Array): Float32Array {
    this.#guard.check('readOptimizerState');
    return copyOut(this.rt.mem.f32(this.#state, this.#stateFloats()), out);
  }
  writeOptimizerState(values: Float32Array): void {
    this.#guard.check('writeOptimizerState');
    copyIn(this.rt.mem.f32(this.#state, this.#stateFloats()), values, 'optimizer state');
  }
  get capacity(): number { return this.#capacity; }

  setOptimizer(kind: OptimizerId): void {
    this.#guard.check('setOptimizer');
    requireOptimizerKind('setOptimizer', kind);
    this.#setOptimizer(kind);
  }

  #setOptimizer(kind: OptimizerId): void {
    if (kind === this.#stateKind) return;
    const floats = OPTIMIZER_STATE_PER_PARAM[kind] * this.paramCount;
    const state = floats === 0 ? 0 : this.#blocks.alloc(floats * 4); // before freeing the old one
    if (this.#state !== 0) this.#blocks.free(this.#state);
    this.#state = state;
    this.#stateKind = kind;
    this.rt.mem.i32(this.#update + UPDATE.UPD_STATE, 1)[0] = this.#state;
  }

  reserve(rows: number): void {
    this.#guard.check('reserve');
    requireRowCount('reserve', rows);
    this.#reserve(rows);
  }

  /** Allocates the new workspace first: when that fails, the old one stays in place and in use. */
  #reserve(rows: number): void {
    if (rows <= this.#capacity) return;
    const sizes = this.spec.sizes;
    const widest = Math.max(...sizes);
    // the depth splits' room (at least a float: every block has an address of its own)
    const partialFloats = this.rt.exports.net_partial_floats(this.#net, rows);
    const floats = [
      ...this.#layout.layers.flatMap((slot) => [rows * slot.units, rows * slot.units]),
      rows * widest, rows * widest, rows * sizes[0]!, rows * sizes[sizes.length - 1]!, rows, Math.max(1, partialFloats),
    ];
    const workspace = this.#blocks.allocAll(floats.map((n) => n * 4));
    for (const ptr of this.#workspace) this.#blocks.free(ptr);
    this.#workspace = workspace;
    const L = this.#layout.layers.length;
    const words = this.#words();
    for (let l = 0; l < L; l++) {
      const at = (NET.NET_LAYER0 + l * NET.NET_LAYER_BYTES) / 4;
      words[at + NET.LAYER_Z / 4] = workspace[2 * l]!;
      words[at + NET.LAYER_A / 4] = workspace[2 * l + 1]!;
    }
    words[NET.NET_DELTA_A / 4] = workspace[2 * L]!;
    words[NET.NET_DELTA_Z / 4] = workspace[2 * L + 1]!;
    words[NET.NET_BATCH_X / 4] = workspace[2 * L + 2]!;
    words[NET.NET_BATCH_Y / 4] = workspace[2 * L + 3]!;
    words[NET.NET_BATCH_W / 4] = workspace[2 * L + 4]!;
    words[NET.NET_PARTIALS / 4] = workspace[2 * L + 5]!;
    words[NET.NET_PARTIAL_FLOATS / 4] = partialFloats;
    this.#capacity = rows;
  }

  /** Check a call's arguments, then copy `rows` rows of x (and y) into the batch buffers; returns their addresses. */
  #stage(call: string, x: Float32Array, y: Float32Array | null, rows: number, stats: Float64Array | null): [number, number] {
    this.#guard.check(call);
    requireStepArgs(call, this.spec, this.#capacity, rows, x, y, stats);
    const words = this.#words();
    const bx = words[NET.NET_BATCH_X / 4]!, by = words[NET.NET_BATCH_Y / 4]!;
    const sizes = this.spec.sizes;
    copyRows(this.rt.mem.f32(bx, rows * sizes[0]!), x);
    if (y !== null) copyRows(this.rt.mem.f32(by, rows * sizes[sizes.length - 1]!), y);
    return [bx, by];
  }

  #copyStats(stats: Float64Array): void {
    stats.set(this.rt.mem.f64(this.#stats, Math.min(stats.length, STATS_PER_BATCH)));
  }

  forward(x: Float32Array, rows: number, out: Float32Array): void {
    const [bx] = this.#stage('forward', x, null, rows, null);
    requireArray('forward', 'out', out, rows * this.spec.sizes[this.spec.sizes.length - 1]!);
    const output = this.#busy(() => this.rt.exports.net_forward(this.#net, bx, rows));
    out.set(this.rt.mem.f32(output, rows * this.spec.sizes[this.spec.sizes.length - 1]!));
  }

  evaluate(x: Float32Array, y: Float32Array, rows: number, stats: Float64Array): void {
    const [bx, by] = this.#stage('evaluate', x, y, rows, stats);
    const { exports } = this.rt;
    this.#busy(() => exports.net_loss(this.#net, exports.net_forward(this.#net, bx, rows), by, 0, rows, this.#stats));
    this.rt.mem.f64(this.#stats, STATS_PER_BATCH)[STAT_STATUS] = STEP_OK;
    this.#copyStats(stats);
  }

  gradient(x: Float32Array, y: Float32Array, rows: number, stats: Float64Array): void {
    const [bx, by] = this.#stage('gradient', x, y, rows, stats);
    const { exports } = this.rt;
    this.#busy(() => {
      exports.net_loss(this.#net, exports.net_forward(this.#net, bx, rows), by, 0, rows, this.#stats);
      exports.net_backward(this.#net, bx, by, 0, rows, this.#stats);
    });
    this.rt.mem.f64(this.#stats, STATS_PER_BATCH)[STAT_STATUS] = STEP_OK;
    this.#copyStats(stats);
  }

  trainStep(x: Float32Array, y: Float32Array, rows: number, opt: OptimizerParams, step: number, stats: Float64Array, weights?: Float32Array): void {
    requireRowWeights('trainStep', weights, rows);
    const [bx, by] = this.#stage('trainStep', x, y, rows, stats);
    requireOptimizerParams('trainStep', opt);
    this.#setOptimizer(opt.kind);
    this.#writeOptimizer(opt);
    const bw = weights === undefined ? 0 : this.#words()[NET.NET_BATCH_W / 4]!;
    if (weights !== undefined) copyRows(this.rt.mem.f32(bw, rows), weights);
    this.#busy(() => this.rt.exports.net_train_step(this.#net, bx, by, bw, rows, opt.lr, step, this.#stats));
    this.#copyStats(stats);
  }

  bindData(x: Float32Array, y: Float32Array, rows: number, weights?: Float32Array): BoundData {
    this.#guard.check('bindData');
    requireData(this.spec, x, y, rows, weights);
    const { mem } = this.rt;
    const inputs = this.spec.sizes[0]!, outputs = this.spec.sizes[this.spec.sizes.length - 1]!;
    const data = new WasmBoundData(rows, inputs, outputs, weights !== undefined, mem, this);
    copyRows(mem.f32(data.x, rows * inputs), x);
    copyRows(mem.f32(data.y, rows * outputs), y);
    if (weights !== undefined) copyRows(mem.f32(data.weights, rows), weights);
    return data;
  }

  trainEpoch(
    data: BoundData, order: Uint32Array, batchSize: number, opt: OptimizerParams, firstStep: number,
    batchStats: Float64Array, onProgress?: EpochProgress, rates?: Float32Array,
  ): Promise<number> {
    return this.#guard.epoch(async () => {
      if (!(data instanceof WasmBoundData) || data.owner !== this || data.released) {
        throw new InvalidArgumentError('trainEpoch: data must be bound by this engine (bindData) and not released');
      }
      const batches = requireEpoch(order, data.rows, batchSize, batchStats);
      requireOptimizerParams('trainEpoch', opt);
      requireRates(rates, batches);
      await this.rt.pool?.whenReady();
      const { mem, exports } = this.rt;
      const orderPtr = data.order.of(order.length);
      const ratesPtr = rates === undefined ? 0 : data.rates.of(batches);
      this.#reserve(Math.min(batchSize, order.length));
      this.#setOptimizer(opt.kind);
      this.#writeOptimizer(opt);
      mem.u32(orderPtr, order.length).set(order);
      if (rates !== undefined) mem.f32(ratesPtr, batches).set(rates.subarray(0, batches));
      const runBatches = (first: number, count: number): number => {
        const ran = this.#busy(() => exports.net_train_batches(
          this.#net, data.x, data.y, data.weights, orderPtr, order.length, batchSize, first, count,
          ratesPtr, opt.lr, firstStep + first, this.#stats,
        ));
        batchStats.set(mem.f64(this.#stats, ran * STATS_PER_BATCH), first * STATS_PER_BATCH);
        return ran;
      };
      return driveEpoch(batches, batchSize, MAX_CHUNK, runBatches, batchStats, onProgress, this.#pace);
    });
  }

  dispose(): void {
    if (!this.#guard.dispose()) return;
    collected.unregister(this);
    this.#blocks.freeAll();
    this.#capacity = 0;
  }

  /** A call into the module that posts tasks back to back: workers stay hot meanwhile. */
  #busy<T>(call: () => T): T {
    return this.rt.pool === undefined ? call() : this.rt.pool.busy(call);
  }
}

/** Copy the first `to.length` values of `from` (checked to be that long) into linear memory. */
function copyRows(to: Float32Array, from: Float32Array): void {
  to.set(from.subarray(0, to.length));
}
