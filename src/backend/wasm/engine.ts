// The wasm Engine: one network's parameters, gradients, optimizer state, workspace and bound data
// in linear memory, described to the module by a block of i32 words (NET_* below, mirrored in
// assembly/step.ts). A training step is one call (net_train_step); an epoch is a few calls
// (net_train_batches over chunks of ~10 ms), yielding to the event loop between chunks.
import type { BoundData, Engine } from '../engine.js';
import { STAT_GRAD_NORM2, STAT_LOSS, STATS_PER_BATCH } from '../engine.js';
import { OPTIMIZER_STATE_PER_PARAM, Optimizer, type OptimizerId, type OptimizerParams } from '../kernels.js';
import { paramLayout, usesFusedOutputDelta, type NetSpec, type ParamLayout } from '../layout.js';
import { yieldToEventLoop } from '../../util/yield.js';
import type { LinearMemory } from './memory.js';
import type { WasmRuntime } from './runtime.js';

// byte offsets; must match assembly/step.ts
const NET_LAYERS = 0, NET_LOSS = 4, NET_FUSED = 8, NET_PARAMS = 12, NET_GRADS = 16, NET_STATE = 20, NET_COUNT = 24;
const NET_DELTA_A = 28, NET_DELTA_Z = 32, NET_BATCH_X = 36, NET_BATCH_Y = 40, NET_LAYER0 = 64, LAYER_BYTES = 40;
const L_IN = 0, L_UNITS = 4, L_ACT = 8, L_W = 12, L_B = 16, L_DW = 20, L_DB = 24, L_Z = 28, L_A = 32;

/** Most batches one net_train_batches call may run (its stats buffer). */
const MAX_CHUNK = 1024;
/** Target time per chunk of batches between yields to the event loop. */
const CHUNK_MS = 10;

/** Blocks of linear memory owned by one engine or bound data set; freed with it. */
class Blocks {
  readonly owned = new Set<number>();
  constructor(private readonly mem: LinearMemory) {}
  alloc(bytes: number): number {
    const ptr = this.mem.alloc(bytes);
    this.owned.add(ptr);
    return ptr;
  }
  free(ptr: number): void {
    if (this.owned.delete(ptr)) this.mem.free(ptr);
  }
  freeAll(): void {
    for (const ptr of this.owned) this.mem.free(ptr);
    this.owned.clear();
  }
}

// Engines and bound data have no dispose() in the Engine interface: their memory goes back to the
// allocator when they are garbage-collected (or, for bound data, on release()).
const collected = new FinalizationRegistry<Blocks>((blocks) => blocks.freeAll());

class WasmBoundData implements BoundData {
  released = false;
  readonly x: number;
  readonly y: number;
  readonly order: number;
  readonly #blocks: Blocks;

  constructor(readonly rows: number, inputs: number, outputs: number, mem: LinearMemory) {
    this.#blocks = new Blocks(mem);
    this.x = this.#blocks.alloc(rows * inputs * 4);
    this.y = this.#blocks.alloc(rows * outputs * 4);
    this.order = this.#blocks.alloc(rows * 4);
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
  readonly #net: number;
  readonly #params: number;
  readonly #grads: number;
  /** f64 × 3·MAX_CHUNK: per-batch stats of a chunk; the first three serve single steps */
  readonly #stats: number;
  #state = 0;
  #stateKind: OptimizerId = Optimizer.sgd;
  #capacity = 0;
  /** workspace blocks to free on the next reserve() */
  #workspace: number[] = [];
  /** measured ms per batch of the last epoch chunk (at #chunkBatchSize), to size the next chunk */
  #msPerBatch = 0;
  #chunkBatchSize = 0;

  constructor(readonly spec: NetSpec, private readonly rt: WasmRuntime) {
    this.#layout = paramLayout(spec.sizes);
    this.paramCount = this.#layout.count;
    const blocks = (this.#blocks = new Blocks(rt.mem));
    collected.register(this, blocks);
    const L = spec.activations.length;
    this.#net = blocks.alloc(NET_LAYER0 + L * LAYER_BYTES);
    this.#params = blocks.alloc(this.paramCount * 4);
    this.#grads = blocks.alloc(this.paramCount * 4);
    this.#stats = blocks.alloc(MAX_CHUNK * STATS_PER_BATCH * 8);
    const words = this.#words();
    words[NET_LAYERS / 4] = L;
    words[NET_LOSS / 4] = spec.loss;
    words[NET_FUSED / 4] = usesFusedOutputDelta(spec) ? 1 : 0;
    words[NET_PARAMS / 4] = this.#params;
    words[NET_GRADS / 4] = this.#grads;
    words[NET_COUNT / 4] = this.paramCount;
    this.#layout.layers.forEach((slot, l) => {
      const at = (NET_LAYER0 + l * LAYER_BYTES) / 4;
      words[at + L_IN / 4] = slot.inputs;
      words[at + L_UNITS / 4] = slot.units;
      words[at + L_ACT / 4] = spec.activations[l]!;
      words[at + L_W / 4] = this.#params + slot.weightOffset * 4;
      words[at + L_B / 4] = this.#params + slot.biasOffset * 4;
      words[at + L_DW / 4] = this.#grads + slot.weightOffset * 4;
      words[at + L_DB / 4] = this.#grads + slot.biasOffset * 4;
    });
  }

  #words(): Int32Array { return this.rt.mem.i32(this.#net, (NET_LAYER0 + this.spec.activations.length * LAYER_BYTES) / 4); }

  params(): Float32Array { return this.rt.mem.f32(this.#params, this.paramCount); }
  grads(): Float32Array { return this.rt.mem.f32(this.#grads, this.paramCount); }
  optimizerState(): Float32Array {
    return this.rt.mem.f32(this.#state, this.#state === 0 ? 0 : OPTIMIZER_STATE_PER_PARAM[this.#stateKind] * this.paramCount);
  }
  get capacity(): number { return this.#capacity; }

  setOptimizer(kind: OptimizerId): void {
    if (kind === this.#stateKind && this.#state !== 0) return;
    const floats = OPTIMIZER_STATE_PER_PARAM[kind] * this.paramCount;
    if (this.#state !== 0) this.#blocks.free(this.#state);
    this.#state = floats === 0 ? 0 : this.#blocks.alloc(floats * 4);
    this.#stateKind = kind;
    this.#words()[NET_STATE / 4] = this.#state;
  }

  reserve(rows: number): void {
    if (rows <= this.#capacity) return;
    for (const ptr of this.#workspace) this.#blocks.free(ptr);
    const sizes = this.spec.sizes;
    const widest = Math.max(...sizes);
    const block = (floats: number): number => this.#blocks.alloc(floats * 4);
    const layers = this.#layout.layers.map((slot) => [block(rows * slot.units), block(rows * slot.units)] as const);
    const deltaA = block(rows * widest), deltaZ = block(rows * widest);
    const batchX = block(rows * sizes[0]!), batchY = block(rows * sizes[sizes.length - 1]!);
    this.#workspace = [...layers.flat(), deltaA, deltaZ, batchX, batchY];
    const words = this.#words();
    layers.forEach(([z, a], l) => {
      const at = (NET_LAYER0 + l * LAYER_BYTES) / 4;
      words[at + L_Z / 4] = z;
      words[at + L_A / 4] = a;
    });
    words[NET_DELTA_A / 4] = deltaA;
    words[NET_DELTA_Z / 4] = deltaZ;
    words[NET_BATCH_X / 4] = batchX;
    words[NET_BATCH_Y / 4] = batchY;
    this.#capacity = rows;
  }

  /** Copy `rows` rows of x (and y) into the batch buffers; returns their addresses. */
  #stage(x: Float32Array, y: Float32Array | null, rows: number): [number, number] {
    this.reserve(rows);
    const words = this.#words();
    const bx = words[NET_BATCH_X / 4]!, by = words[NET_BATCH_Y / 4]!;
    const sizes = this.spec.sizes;
    this.rt.mem.f32(bx, rows * sizes[0]!).set(x.subarray(0, rows * sizes[0]!));
    if (y !== null) this.rt.mem.f32(by, rows * sizes[sizes.length - 1]!).set(y.subarray(0, rows * sizes[sizes.length - 1]!));
    return [bx, by];
  }

  #copyStats(stats: Float64Array): void {
    stats.set(this.rt.mem.f64(this.#stats, STATS_PER_BATCH).subarray(0, Math.min(stats.length, STATS_PER_BATCH)));
  }

  forward(x: Float32Array, rows: number): Float32Array {
    const [bx] = this.#stage(x, null, rows);
    const out = this.#busy(() => this.rt.exports.net_forward(this.#net, bx, rows));
    return this.rt.mem.f32(out, rows * this.spec.sizes[this.spec.sizes.length - 1]!);
  }

  evaluate(x: Float32Array, y: Float32Array, rows: number, stats: Float64Array): void {
    const [bx, by] = this.#stage(x, y, rows);
    this.#busy(() => this.rt.exports.net_evaluate(this.#net, bx, by, rows, this.#stats));
    this.#copyStats(stats);
  }

  gradient(x: Float32Array, y: Float32Array, rows: number, stats: Float64Array): void {
    const [bx, by] = this.#stage(x, y, rows);
    this.#busy(() => this.rt.exports.net_gradient(this.#net, bx, by, rows, this.#stats));
    this.#copyStats(stats);
  }

  trainStep(x: Float32Array, y: Float32Array, rows: number, opt: OptimizerParams, step: number, stats: Float64Array): void {
    this.setOptimizer(opt.kind);
    const [bx, by] = this.#stage(x, y, rows);
    this.#busy(() => this.rt.exports.net_train_step(this.#net, bx, by, rows, opt.kind, opt.lr, opt.beta1, opt.beta2, opt.eps, step, this.#stats));
    this.#copyStats(stats);
  }

  bindData(x: Float32Array, y: Float32Array, rows: number): BoundData {
    const { mem } = this.rt;
    const inputs = this.spec.sizes[0]!, outputs = this.spec.sizes[this.spec.sizes.length - 1]!;
    const data = new WasmBoundData(rows, inputs, outputs, mem);
    mem.f32(data.x, rows * inputs).set(x.subarray(0, rows * inputs));
    mem.f32(data.y, rows * outputs).set(y.subarray(0, rows * outputs));
    return data;
  }

  async trainEpoch(
    data: BoundData, order: Uint32Array, batchSize: number, opt: OptimizerParams, firstStep: number,
    batchStats: Float64Array, onProgress?: (batchesDone: number) => void,
  ): Promise<number> {
    if (!(data instanceof WasmBoundData) || data.released) throw new Error('mlpx: bound data used after release() or from another backend');
    await this.rt.pool?.whenReady();
    const { mem, exports } = this.rt;
    this.setOptimizer(opt.kind);
    this.reserve(Math.min(batchSize, order.length));
    mem.u32(data.order, order.length).set(order);
    const batches = Math.ceil(order.length / batchSize);
    if (batchSize !== this.#chunkBatchSize) this.#msPerBatch = 0;
    this.#chunkBatchSize = batchSize;
    let done = 0;
    while (done < batches) {
      const count = Math.min(batches - done, this.#chunkSize());
      const started = performance.now();
      const ran = this.#busy(() => exports.net_train_batches(
        this.#net, data.x, data.y, data.order, order.length, batchSize, done, count,
        opt.kind, opt.lr, opt.beta1, opt.beta2, opt.eps, firstStep + done, this.#stats,
      ));
      this.#msPerBatch = (performance.now() - started) / ran;
      batchStats.set(mem.f64(this.#stats, ran * STATS_PER_BATCH), done * STATS_PER_BATCH);
      done += ran;
      onProgress?.(done);
      const last = (done - 1) * STATS_PER_BATCH;
      if (!Number.isFinite(batchStats[last + STAT_LOSS]!) || !Number.isFinite(batchStats[last + STAT_GRAD_NORM2]!)) return done;
      if (done < batches) await yieldToEventLoop();
    }
    return batches;
  }

  /** A call into the module that posts tasks back to back: workers stay hot meanwhile. */
  #busy<T>(call: () => T): T {
    return this.rt.pool === undefined ? call() : this.rt.pool.busy(call);
  }

  /** Batches per call: as many as fit in CHUNK_MS at the last measured speed (one when unknown). */
  #chunkSize(): number {
    if (this.#msPerBatch <= 0) return 1;
    return Math.max(1, Math.min(MAX_CHUNK, Math.floor(CHUNK_MS / this.#msPerBatch)));
  }
}
