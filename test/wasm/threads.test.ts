// Training must give bit-identical parameters for any thread count (each GEMM element is summed
// in the same order whichever thread computes it, each parameter updated by the same code, Σg²
// summed in fixed blocks), whether the cost model splits a task or leaves it on the caller
// (test/wasm/split.test.ts checks which it does), and trainEpoch must leave the event loop free
// between chunks of batches.
import { describe, expect, it } from 'vitest';
import { STATS_PER_BATCH } from '../../src/backend/engine.js';
import { Activation, Loss, Optimizer, type OptimizerId } from '../../src/backend/kernels.js';
import { paramLayout, type NetSpec } from '../../src/backend/layout.js';
import { Random } from '../../src/util/prng.js';
import { randomArray, randomOneHot } from '../helpers/random.js';
import { DEFAULT_SPLIT_COSTS } from '../../src/backend/wasm/threads.js';
import type { WasmKernels } from '../../src/backend/wasm/kernel-choice.js';
import { WASM_BUILDS } from '../helpers/backends.js';
import { SPLIT_ALL, wasmBackend } from './backend.js';

// odd edges; with the default costs (batch 100) the GEMMs of the first two layers are split, the
// last layer's and the update stay on the caller
const SPEC: NetSpec = { sizes: [130, 67, 45, 10], activations: [Activation.relu, Activation.tanh, Activation.softmax], loss: Loss.cross_entropy };
// 63,911 parameters (odd): by default the update is split for every optimizer but SGD; the 300 → 11
// layer's forward and input-gradient GEMMs are split by rows (too few column panels), the others
// by columns, and every weight-gradient GEMM by the rows of W each thread updates
const WIDE: NetSpec = { sizes: [201, 300, 11], activations: [Activation.relu, Activation.softmax], loss: Loss.cross_entropy };
// 611 inputs are three K blocks (204, 204, 203): the first layer's forward GEMM is split by K
// blocks (2 threads: one block and two; 3: one each) and each epoch gathers x by those columns;
// the layer above's input gradient and tanh derivative follow the rows each thread summed
const DEEP: NetSpec = { sizes: [611, 37, 10], activations: [Activation.tanh, Activation.softmax], loss: Loss.cross_entropy };
// hidden layers of at most 25 units at batch 100 are tall (at least 4 rows per column): their
// forward GEMMs are split into one span of rows per thread, which each layer's activation
// derivative and the input gradient of the layer above then split the same way
const TALL: NetSpec = { sizes: [9, 24, 17, 3], activations: [Activation.relu, Activation.tanh, Activation.softmax], loss: Loss.cross_entropy };
// trained one row per step: each step's forward GEMM (600 inputs: three K blocks of 200) is under
// the split cost, the Adam update over it, so the GEMM is split by the K blocks that read the rows
// of W each thread updates
const PER_SAMPLE: NetSpec = { sizes: [600, 128, 10], activations: [Activation.sigmoid, Activation.softmax], loss: Loss.cross_entropy };
const ROWS = 700;
const BATCH = 100;

async function train(
  threads: number, spec = SPEC, kind: OptimizerId = Optimizer.adam, costs = DEFAULT_SPLIT_COSTS, kernels?: WasmKernels, batch = BATCH,
): Promise<{ params: Float32Array; state: Float32Array; stats: Float64Array; active: number }> {
  const backend = await wasmBackend(kernels);
  backend.setThreads(threads);
  await backend.threadsReady();
  const pool = backend.runtime.pool;
  if (pool !== undefined) pool.splitCosts = costs;
  const random = new Random(11);
  const outputs = spec.sizes[spec.sizes.length - 1]!;
  const x = randomArray(random, ROWS * spec.sizes[0]!);
  const y = randomOneHot(random, ROWS, outputs);
  const engine = backend.createEngine(spec);
  engine.writeParams(randomArray(random, paramLayout(spec.sizes).count, -0.2, 0.2));
  const data = engine.bindData(x, y, ROWS);
  const stats = new Float64Array(Math.ceil(ROWS / batch) * STATS_PER_BATCH);
  const opt = { kind, lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
  for (let epoch = 0; epoch < 3; epoch++) {
    const order = random.shuffle(Uint32Array.from({ length: ROWS }, (_, i) => i));
    await engine.trainEpoch(data, order, batch, opt, 1 + epoch * stats.length, stats);
  }
  data.release();
  if (pool !== undefined) pool.splitCosts = DEFAULT_SPLIT_COSTS;
  return { params: engine.readParams(), state: engine.readOptimizerState(), stats, active: pool?.active ?? 1 };
}

describe('wasm threads', () => {
  const cases = WASM_BUILDS.flatMap((kernels) => [['the default costs', kernels, DEFAULT_SPLIT_COSTS], ['every task split', kernels, SPLIT_ALL]] as const);
  it.each(cases)('parameters after 3 epochs are bit-identical for 1, 2 and 3 threads, %s, %s kernels', async (_, kernels, costs) => {
    const one = await train(1, SPEC, Optimizer.adam, DEFAULT_SPLIT_COSTS, kernels);
    expect(one.active).toBe(1);
    for (const threads of [2, 3]) {
      const many = await train(threads, SPEC, Optimizer.adam, costs, kernels);
      if (many.active !== threads) console.warn(`[wasm] ${threads} threads requested, ${many.active} running`);
      expect(many.active).toBe(threads);
      expect(Buffer.from(many.params.buffer).equals(Buffer.from(one.params.buffer))).toBe(true);
      expect(many.stats).toEqual(one.stats);
    }
  });

  const rowSplits = WASM_BUILDS.flatMap((kernels) => [
    ['a first layer split by K blocks', kernels, DEEP], ['tall hidden layers split by rows', kernels, TALL],
  ] as const);
  it.each(rowSplits)('%s: bit-identical for 1, 2 and 3 threads, %s kernels', async (_, kernels, spec) => {
    const one = await train(1, spec, Optimizer.adam, DEFAULT_SPLIT_COSTS, kernels);
    for (const threads of [2, 3]) {
      const many = await train(threads, spec, Optimizer.adam, SPLIT_ALL, kernels);
      expect(many.active).toBe(threads);
      expect(Buffer.from(many.params.buffer).equals(Buffer.from(one.params.buffer))).toBe(true);
      expect(Buffer.from(many.state.buffer).equals(Buffer.from(one.state.buffer))).toBe(true);
      expect(many.stats).toEqual(one.stats);
    }
  });

  it.each(WASM_BUILDS)('one row per step, the forward GEMM split as the update: bit-identical for 1, 2 and 3 threads, %s kernels', async (kernels) => {
    const costs = { ...DEFAULT_SPLIT_COSTS, adaptive: false }; // no step left on the caller by the split choice
    const one = await train(1, PER_SAMPLE, Optimizer.adam, costs, kernels, 1);
    for (const threads of [2, 3]) {
      const many = await train(threads, PER_SAMPLE, Optimizer.adam, costs, kernels, 1);
      expect(many.active).toBe(threads);
      expect(Buffer.from(many.params.buffer).equals(Buffer.from(one.params.buffer))).toBe(true);
      expect(Buffer.from(many.state.buffer).equals(Buffer.from(one.state.buffer))).toBe(true);
      expect(many.stats).toEqual(one.stats);
    }
  });

  it.each(Object.entries(Optimizer))('%s over 63,911 parameters, every task split: bit-identical for 1 and 2 threads', async (_, kind) => {
    const one = await train(1, WIDE, kind);
    const two = await train(2, WIDE, kind, SPLIT_ALL);
    expect(two.active).toBe(2);
    expect(Buffer.from(two.params.buffer).equals(Buffer.from(one.params.buffer))).toBe(true);
    expect(Buffer.from(two.state.buffer).equals(Buffer.from(one.state.buffer))).toBe(true);
    expect(two.stats).toEqual(one.stats);
  });

  it('details() reports the running threads', async () => {
    const backend = await wasmBackend();
    backend.setThreads(2);
    await backend.threadsReady();
    const details = backend.details();
    expect(details.threads).toBe(2);
    expect(details.notes.join(' ')).toMatch(/2 of 2 threads running \(worker_threads/);
  });

  it('trainEpoch yields to the event loop while it runs', async () => {
    const backend = await wasmBackend();
    const random = new Random(2);
    const rows = 4096;
    const engine = backend.createEngine(SPEC);
    engine.writeParams(randomArray(random, paramLayout(SPEC.sizes).count, -0.2, 0.2));
    const data = engine.bindData(randomArray(random, rows * SPEC.sizes[0]!), randomOneHot(random, rows, 10), rows);
    const order = Uint32Array.from({ length: rows }, (_, i) => i);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    let progressCalls = 0;
    const batches = await engine.trainEpoch(data, order, 8, { kind: Optimizer.sgd, lr: 0.01, beta1: 0, beta2: 0, eps: 0 },
      1, new Float64Array((rows / 8) * STATS_PER_BATCH), () => { progressCalls++; });
    clearInterval(timer);
    data.release();
    expect(batches).toBe(rows / 8);
    expect(progressCalls).toBeGreaterThan(1);
    expect(ticks).toBeGreaterThan(0);
  });
});
