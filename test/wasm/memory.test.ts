// Training allocates nothing per step: linear memory does not grow across epochs, and data bound
// and released each epoch reuses the same memory.
import { describe, expect, it } from 'vitest';
import { STATS_PER_BATCH } from '../../src/backend/engine.js';
import { Activation, Loss, Optimizer } from '../../src/backend/kernels.js';
import { paramLayout, type NetSpec } from '../../src/backend/layout.js';
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
    engine.params().set(randomArray(random, paramLayout(SPEC.sizes).count, -0.2, 0.2));
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

  it('parameters survive memory.grow (views are made fresh after it)', async () => {
    const backend = await wasmBackend();
    const engine = backend.createEngine(SPEC);
    engine.params().fill(0.5);
    const data = engine.bindData(new Float32Array(64 * 300_000), new Float32Array(10 * 300_000), 300_000); // grows memory
    expect(engine.params().every((v) => v === 0.5)).toBe(true);
    data.release();
    expect(() => data.release()).not.toThrow();
  });
});
