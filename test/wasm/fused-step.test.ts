// The wasm engine's fused step must compute exactly what its own kernels compose to
// (src/backend/composed.ts over the wasm kernels): in particular the forward pass, where each GEMM
// chunk adds the bias and applies an element-wise activation to its own block of z, must give
// the bits of dense_forward followed by activation_forward, on one thread and with every task
// split across two. Only ‖g‖² differs: the fused step sums the weight-gradient GEMM's f32 tile
// sums, the composed one every gradient in f64.
import { describe, expect, it } from 'vitest';
import { ComposedEngine } from '../../src/backend/composed.js';
import { STAT_GRAD_NORM2, STATS_PER_BATCH, type Engine } from '../../src/backend/engine.js';
import { Activation, Loss, Optimizer } from '../../src/backend/kernels.js';
import { paramLayout, type NetSpec } from '../../src/backend/layout.js';
import { DEFAULT_SPLIT_COSTS } from '../../src/backend/wasm/threads.js';
import { Random } from '../../src/util/prng.js';
import { randomArray, randomOneHot } from '../helpers/random.js';
import { SPLIT_ALL, wasmBackend } from './backend.js';

// every element-wise activation in a hidden layer, odd widths (column tails in every block); on
// two threads the layers of at least 49 units are split by columns, the others by rows; one layer
// drops units (its GEMM keeps the separate activation pass)
const SPEC: NetSpec = {
  sizes: [67, 53, 71, 65, 37, 29, 33, 7],
  activations: [Activation.relu, Activation.tanh, Activation.sigmoid, Activation.leaky_relu, Activation.linear, Activation.tanh, Activation.softmax],
  loss: Loss.cross_entropy,
  dropout: [0, 0, 0, 0, 0, 0.3, 0],
  seed: 9,
};
// a hidden layer of more inputs than one K block: on two threads its forward GEMM splits by K
// blocks (each thread sums and activates its rows of z), and the output layer's input gradient
// and this layer's activation derivative follow those rows; with each kind of output error
// (fused: softmax with cross entropy, sigmoid with binary cross entropy; or MSE), rows weighted
// or not
const DEPTH_SPECS: [string, NetSpec, boolean][] = [
  ['softmax, cross entropy', { sizes: [300, 41, 7], activations: [Activation.tanh, Activation.softmax], loss: Loss.cross_entropy }, false],
  ['the same, weighted rows', { sizes: [300, 41, 7], activations: [Activation.relu, Activation.softmax], loss: Loss.cross_entropy }, true],
  [
    'sigmoid, binary cross entropy',
    { sizes: [300, 33, 3], activations: [Activation.leaky_relu, Activation.sigmoid], loss: Loss.binary_cross_entropy },
    true,
  ],
  ['linear, MSE', { sizes: [300, 45, 5], activations: [Activation.sigmoid, Activation.linear], loss: Loss.mse }, false],
];
const ROWS = 90;
const BATCH = 30;

async function trainTwoEpochs(engine: Engine, spec = SPEC, weighted = false): Promise<{ params: Float32Array; stats: Float64Array }> {
  const random = new Random(5);
  const x = randomArray(random, ROWS * spec.sizes[0]!);
  const y = randomOneHot(random, ROWS, spec.sizes[spec.sizes.length - 1]!);
  engine.writeParams(randomArray(random, paramLayout(spec.sizes).count, -0.3, 0.3));
  const data = engine.bindData(x, y, ROWS, weighted ? randomArray(random, ROWS, 0.5, 2) : undefined);
  const stats = new Float64Array((ROWS / BATCH) * STATS_PER_BATCH);
  const opt = { kind: Optimizer.adam, lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
  for (let epoch = 0; epoch < 2; epoch++) {
    await engine.trainEpoch(data, random.shuffle(Uint32Array.from({ length: ROWS }, (_, i) => i)), BATCH, opt, 1 + epoch * 3, stats);
  }
  data.release();
  return { params: engine.readParams(), stats };
}

const CASES: [string, NetSpec, boolean][] = [['every activation, dropout', SPEC, false], ...DEPTH_SPECS];

describe.each(CASES)('wasm fused step: %s', (_, spec, weighted) => {
  it.each([[1, DEFAULT_SPLIT_COSTS], [2, SPLIT_ALL]] as const)('on %i thread(s) has the bits of its kernels composed', async (threads, costs) => {
    const backend = await wasmBackend();
    const composed = await trainTwoEpochs(new ComposedEngine(spec, backend.kernels), spec, weighted);
    backend.setThreads(threads);
    await backend.threadsReady();
    const pool = backend.runtime.pool;
    expect(pool?.active ?? 1).toBe(threads);
    if (pool !== undefined) pool.splitCosts = costs;
    try {
      const fused = await trainTwoEpochs(backend.createEngine(spec), spec, weighted);
      expect(Buffer.from(fused.params.buffer).equals(Buffer.from(composed.params.buffer))).toBe(true);
      for (let i = 0; i < fused.stats.length; i++) {
        if (i % STATS_PER_BATCH !== STAT_GRAD_NORM2) {
          expect(fused.stats[i], `stat ${i}`).toBe(composed.stats[i]);
        } else {
          expect(Math.abs(fused.stats[i]! - composed.stats[i]!) / composed.stats[i]!, `‖g‖², stat ${i}`).toBeLessThan(1e-5);
        }
      }
    } finally {
      if (pool !== undefined) pool.splitCosts = DEFAULT_SPLIT_COSTS;
      backend.setThreads(1);
    }
  });
});
