// The training features keep the wasm backend's promise of bit-identical results for any thread
// count: dropout masks drawn by every thread alike, the regularised and clipped update split
// across workers by segment, row weights (gathered with their rows, by the workers too when the
// gather is split) and a rate table.
import { describe, expect, it } from 'vitest';
import { STATS_PER_BATCH } from '../../src/backend/engine.js';
import { Activation, Loss, Optimizer, type OptimizerId } from '../../src/backend/kernels.js';
import { paramLayout, type NetSpec } from '../../src/backend/layout.js';
import { Random } from '../../src/util/prng.js';
import { DEFAULT_SPLIT_COSTS, type SplitCosts } from '../../src/backend/wasm/threads.js';
import { randomArray, randomOneHot } from '../helpers/random.js';
import { SPLIT_ALL, wasmBackend } from './backend.js';

// 63,911 parameters (odd): with the default costs the update and Σg² are split across threads, the
// GEMMs too, a batch's gather (100 rows of 852 bytes) not
const SPEC: NetSpec = { sizes: [201, 300, 11], activations: [Activation.relu, Activation.softmax], loss: Loss.cross_entropy, dropout: [0.4, 0], seed: 3 };
const ROWS = 700;
const BATCH = 100;

async function train(threads: number, kind: OptimizerId, costs = DEFAULT_SPLIT_COSTS) {
  const backend = await wasmBackend();
  backend.setThreads(threads);
  await backend.threadsReady();
  const pool = backend.runtime.pool;
  if (pool !== undefined) pool.splitCosts = costs;
  const random = new Random(12);
  const x = randomArray(random, ROWS * SPEC.sizes[0]!);
  const y = randomOneHot(random, ROWS, 11);
  const engine = backend.createEngine(SPEC);
  engine.writeParams(randomArray(random, paramLayout(SPEC.sizes).count, -0.2, 0.2));
  const data = engine.bindData(x, y, ROWS, randomArray(random, ROWS, 0, 2));
  const batches = ROWS / BATCH;
  const stats = new Float64Array(batches * STATS_PER_BATCH);
  const opt = { kind, lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, nesterov: 1, l2: 1e-3, l1: 1e-4, weightDecay: 0.01, clipNorm: 0.5, clipValue: 0.02 };
  for (let epoch = 0; epoch < 2; epoch++) {
    const order = random.shuffle(Uint32Array.from({ length: ROWS }, (_, i) => i));
    const rates = Float32Array.from({ length: batches }, (_, i) => 0.01 / (1 + epoch * batches + i));
    await engine.trainEpoch(data, order, BATCH, opt, 1 + epoch * batches, stats, undefined, rates);
  }
  data.release();
  if (pool !== undefined) pool.splitCosts = DEFAULT_SPLIT_COSTS;
  return { params: engine.readParams(), state: engine.readOptimizerState(), stats, active: backend.runtime.pool?.active ?? 1 };
}

const COSTS: [string, SplitCosts][] = [['the default costs', DEFAULT_SPLIT_COSTS], ['every task split', SPLIT_ALL]];

describe('wasm threads: training features', () => {
  describe.each(COSTS)('%s', (_, costs) => {
    it.each(Object.entries(Optimizer))('%s with dropout, row weights, a rate table and the whole gradient transform: bit-identical for 1 and 2 threads', async (_, kind) => {
      const one = await train(1, kind);
      const two = await train(2, kind, costs);
      expect(two.active).toBe(2);
      expect(Buffer.from(two.params.buffer).equals(Buffer.from(one.params.buffer))).toBe(true);
      expect(Buffer.from(two.state.buffer).equals(Buffer.from(one.state.buffer))).toBe(true);
      expect(two.stats).toEqual(one.stats);
    });
  });
});
