// Training allocates nothing per step: linear memory does not grow across epochs, and data bound
// and released each epoch reuses the same memory.
import { describe, expect, it } from 'vitest';
import { STATS_PER_BATCH } from '../../src/backend/engine.js';
import { Activation, Loss, Optimizer } from '../../src/backend/kernels.js';
import { paramLayout, type NetSpec } from '../../src/backend/layout.js';
import { MlpxError } from '../../src/util/errors.js';
import { Random } from '../../src/util/prng.js';
import { randomArray, randomOneHot } from '../helpers/random.js';
import { wasmBackend } from './backend.js';

const SPEC: NetSpec = { sizes: [64, 32, 10], activations: [Activation.relu, Activation.softmax], loss: Loss.cross_entropy };

describe('wasm memory', () => {
  it('does not grow across epochs, steps or re-bound data', async () => {
    const backend = await wasmBackend();
    const { mem } = backend.runtime;
    const random = new Random(4);
    const rows = 2000;
    const x = randomArray(random, rows * 64), y = randomOneHot(random, rows, 10);
    const engine = backend.createEngine(SPEC);
    engine.writeParams(randomArray(random, paramLayout(SPEC.sizes).count, -0.2, 0.2));
    const order = Uint32Array.from({ length: rows }, (_, i) => i);
    const stats = new Float64Array(Math.ceil(rows / 50) * STATS_PER_BATCH);
    const opt = { kind: Optimizer.adam, lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
    const epoch = async (e: number): Promise<void> => {
      const data = engine.bindData(x, y, rows);
      await engine.trainEpoch(data, order, 50, opt, 1 + e * 40, stats);
      const step = new Float64Array(STATS_PER_BATCH);
      for (let s = 0; s < 10; s++) engine.trainStep(x, y, 50, opt, 1000 + s, step);
      data.release();
    };
    await epoch(0);
    const size = mem.byteLength;
    for (let e = 1; e < 6; e++) await epoch(e);
    expect(mem.byteLength).toBe(size);
  });

  it('parameters survive memory.grow (engines hand out copies, never views)', async () => {
    const backend = await wasmBackend();
    const engine = backend.createEngine(SPEC);
    engine.writeParams(new Float32Array(engine.paramCount).fill(0.5));
    const before = engine.readParams();
    const data = engine.bindData(new Float32Array(64 * 300_000), new Float32Array(10 * 300_000), 300_000); // grows memory
    expect(before.every((v) => v === 0.5)).toBe(true); // the copy taken before the growth is intact
    expect(engine.readParams().every((v) => v === 0.5)).toBe(true);
    data.release();
    expect(() => data.release()).not.toThrow();
    engine.dispose();
  });

  it('a reserve that fails leaves the engine and every other network intact', async () => {
    const backend = await wasmBackend();
    const wide: NetSpec = { sizes: [784, 512, 10], activations: [Activation.relu, Activation.softmax], loss: Loss.cross_entropy };
    const a = backend.createEngine(wide);
    const random = new Random(8);
    a.writeParams(randomArray(random, a.paramCount, -0.1, 0.1));
    a.reserve(16);
    // 2^20 rows of 784-512-10 need ~7 GB: more than linear memory can hold
    expect(() => a.reserve(2 ** 20)).toThrow(MlpxError);
    expect(() => a.reserve(2 ** 20)).toThrow(/out of memory/);
    expect(a.capacity).toBe(16);
    // a network made now gets whatever blocks are free; the failed reserve must not have freed A's workspace
    const b = backend.createEngine(wide);
    const weightsB = randomArray(random, b.paramCount, -0.1, 0.1);
    b.writeParams(weightsB);
    const x = randomArray(random, 16 * 784);
    const out = new Float32Array(16 * 10);
    a.forward(x, 16, out);
    a.trainStep(x, randomOneHot(random, 16, 10), 16, { kind: Optimizer.adam, lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 }, 1, new Float64Array(STATS_PER_BATCH));
    expect(b.readParams()).toEqual(weightsB);
    expect(out.every(Number.isFinite)).toBe(true);
    a.dispose();
    b.dispose();
  });

  it('dispose gives an engine\'s memory back at once, and the allocator reuses it', async () => {
    const backend = await wasmBackend();
    const { mem } = backend.runtime;
    const wide: NetSpec = { sizes: [784, 512, 10], activations: [Activation.relu, Activation.softmax], loss: Loss.cross_entropy };
    const random = new Random(9);
    const x = randomArray(random, 64 * 784), y = randomOneHot(random, 64, 10);
    const order = Uint32Array.from({ length: 64 }, (_, i) => i);
    const opt = { kind: Optimizer.adam, lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
    const cycle = async (): Promise<void> => {
      const engine = backend.createEngine(wide);
      const data = engine.bindData(x, y, 64);
      await engine.trainEpoch(data, order, 32, opt, 1, new Float64Array(2 * STATS_PER_BATCH));
      data.release();
      engine.dispose();
    };
    await cycle();
    const inUse = mem.bytesInUse;
    const size = mem.byteLength;
    // each cycle holds ~7 MB (weights, gradients, Adam state, workspace): 400 without reuse would need 2.8 GB
    for (let i = 0; i < 400; i++) await cycle();
    expect(mem.bytesInUse).toBe(inUse);
    expect(mem.byteLength).toBe(size);
  });
});
