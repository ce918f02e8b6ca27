// ‖g‖² (stats[STAT_GRAD_NORM2]) parity: Armijo's step size and the non-finite guard read it. The
// native backend takes it from per-tile sums in the backward GEMMs' epilogue rather than a pass
// over the gradients (but for tall networks of narrow layers), so it is checked against the
// gradient the engine actually produced (a missed or double-counted tile fails) and against the
// reference's, on shapes with edge tiles everywhere.
import { describe, expect, it } from 'vitest';
import { STAT_GRAD_NORM2, STATS_PER_BATCH } from '../../src/backend/engine.js';
import type { Backend } from '../../src/backend/engine.js';
import { Activation, Loss } from '../../src/backend/kernels.js';
import { paramLayout, type NetSpec } from '../../src/backend/layout.js';
import { Random } from '../../src/util/prng.js';
import { backendsUnderTest, reference } from '../helpers/backends.js';
import { randomArray, randomOneHot } from '../helpers/random.js';

const NETWORKS: [name: string, spec: NetSpec, rows: number][] = [
  ['1-1-1', { sizes: [1, 1, 1], activations: [Activation.tanh, Activation.linear], loss: Loss.mse }, 1],
  ['13-16-7-4', { sizes: [13, 16, 7, 4], activations: [Activation.relu, Activation.tanh, Activation.softmax], loss: Loss.cross_entropy }, 17],
  ['97-37-10', { sizes: [97, 37, 10], activations: [Activation.leaky_relu, Activation.softmax], loss: Loss.cross_entropy }, 61],
  // one row: the weight gradients are outer products (k = 1), with edge rows and columns
  ['37-21-6, one row', { sizes: [37, 21, 6], activations: [Activation.sigmoid, Activation.softmax], loss: Loss.cross_entropy }, 1],
  ['784-130-10, K > 256', { sizes: [784, 130, 10], activations: [Activation.relu, Activation.softmax], loss: Loss.cross_entropy }, 300],
  // tall (every layer one K block, at least 4 rows per input and unit, 2^18 multiply-adds): native
  // sums its ‖g‖² from the gradients, whose weight GEMMs sum K blocks of rows apart
  ['20-48-32-3, tall', { sizes: [20, 48, 32, 3], activations: [Activation.relu, Activation.tanh, Activation.softmax], loss: Loss.cross_entropy }, 500],
];

function gradientStats(backend: Backend, spec: NetSpec, rows: number, inputScale = 1): { norm2: number; grads: Float32Array } {
  const random = new Random(rows + spec.sizes[0]!);
  const x = randomArray(random, rows * spec.sizes[0]!).map((v) => v * inputScale);
  const y = randomOneHot(random, rows, spec.sizes.at(-1)!);
  const engine = backend.createEngine(spec);
  engine.writeParams(randomArray(random, paramLayout(spec.sizes).count, -0.5, 0.5));
  engine.reserve(rows);
  const stats = new Float64Array(STATS_PER_BATCH);
  engine.gradient(x, y, rows, stats);
  return { norm2: stats[STAT_GRAD_NORM2]!, grads: engine.readGrads() };
}

function sumSquares(values: Float32Array): number {
  let sum = 0;
  for (const v of values) sum += v * v;
  return sum;
}

describe.each(await backendsUnderTest())('$name backend: gradient norm', (backend) => {
  it.each(NETWORKS)('‖g‖² of %s matches its own gradient and the reference', (_name, spec, rows) => {
    const actual = gradientStats(backend, spec, rows);
    const expected = gradientStats(reference, spec, rows);
    expect(actual.norm2).toBeGreaterThan(0);
    // float tile sums of ≤ 96 squares, then float64: well inside 1e-5 relative
    expect(Math.abs(actual.norm2 - sumSquares(actual.grads)) / actual.norm2).toBeLessThan(1e-5);
    expect(Math.abs(actual.norm2 - expected.norm2) / expected.norm2).toBeLessThan(1e-4);
  });

  // Gradients near 1e30 are finite floats whose squares are not: ‖g‖² is still finite in float64,
  // as the reference computes it, so training must not stop there as if it had diverged.
  it('‖g‖² stays finite when the squares of finite gradients overflow float32', () => {
    const spec: NetSpec = { sizes: [5, 4, 3], activations: [Activation.linear, Activation.linear], loss: Loss.mse };
    const actual = gradientStats(backend, spec, 7, 1e15);
    const expected = gradientStats(reference, spec, 7, 1e15);
    expect(actual.grads.every(Number.isFinite)).toBe(true);
    expect(Math.max(...actual.grads.map(Math.abs))).toBeGreaterThan(1e20);
    expect(Number.isFinite(expected.norm2)).toBe(true);
    expect(Math.abs(actual.norm2 - expected.norm2) / expected.norm2).toBeLessThan(1e-4);
  });
});
