// Loss parity: every loss forward and backward, unweighted and with row weights, the exact fused
// output error (soft targets whose rows do not sum to 1 included), and accuracy counting.
import { describe, expect, it } from 'vitest';
import { Activation, Loss, type LossName } from '../../src/backend/kernels.js';
import { Random } from '../../src/util/prng.js';
import { backendsUnderTest, reference } from '../helpers/backends.js';
import { randomArray, randomOneHot, toleranceRatio } from '../helpers/random.js';

const SHAPES: [m: number, n: number][] = [[1, 1], [1, 10], [7, 3], [64, 10], [129, 1], [31, 37]];
const NAMES = Object.keys(Loss) as LossName[];

describe.each(await backendsUnderTest())('$name backend: loss', (backend) => {
  for (const name of NAMES) {
    it.each(SHAPES)(`${name} forward/backward m=%i n=%i, unweighted and weighted`, (m, n) => {
      const random = new Random(m * 17 + n);
      // probabilities in (0, 1) so every loss is defined; includes values near the clamp
      const p = randomArray(random, m * n, 1e-9, 1);
      const y = n > 1 ? randomOneHot(random, m, n) : randomArray(random, m, 0, 1);
      const loss = Loss[name];
      for (const weights of [null, randomArray(random, m, 0, 3)]) {
        const actual = backend.kernels.loss_forward(p, y, weights, m, n, loss);
        const expected = reference.kernels.loss_forward(p, y, weights, m, n, loss);
        expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-5 * Math.abs(expected) + 1e-7);
        const [dpActual, dpExpected] = [new Float32Array(m * n), new Float32Array(m * n)];
        backend.kernels.loss_backward(dpActual, p, y, weights, m, n, loss);
        reference.kernels.loss_backward(dpExpected, p, y, weights, m, n, loss);
        expect(toleranceRatio(dpActual, dpExpected, 1e-6, 1e-5)).toBeLessThanOrEqual(1);
      }
    });
  }

  it.each(SHAPES)('output_delta_fused (softmax and sigmoid, soft and weighted targets) and count_correct m=%i n=%i', (m, n) => {
    const random = new Random(m * 3 + n);
    const p = randomArray(random, m * n, 0, 1);
    const oneHot = n > 1 ? randomOneHot(random, m, n) : randomArray(random, m, 0, 1);
    // rows summing to anything in [0, n]: the exact gradient p·Σy − y, not p − y
    const soft = randomArray(random, m * n, 0, 1);
    for (const y of [oneHot, soft]) {
      for (const weights of [null, randomArray(random, m, 0, 3)]) {
        for (const act of [Activation.softmax, Activation.sigmoid]) {
          const [dzActual, dzExpected] = [new Float32Array(m * n), new Float32Array(m * n)];
          backend.kernels.output_delta_fused(dzActual, p, y, weights, m, n, act);
          reference.kernels.output_delta_fused(dzExpected, p, y, weights, m, n, act);
          expect(toleranceRatio(dzActual, dzExpected, 1e-7, 1e-5)).toBeLessThanOrEqual(1);
        }
      }
    }
    expect(backend.kernels.count_correct(p, oneHot, m, n)).toBe(reference.kernels.count_correct(p, oneHot, m, n));
  });

  // The first of equal maxima wins and NaN never does: rows drawn from a few values tie often.
  it.each([2, 10, 33])('count_correct with ties and NaN, row by row as in a batch, n=%i', (n) => {
    const m = 53;
    const random = new Random(n);
    const levels = [0, 0.25, 0.5, 0.5, 1, Number.NaN, -0];
    const draw = () => Float32Array.from({ length: m * n }, () => levels[Math.floor(random.uniform(0, levels.length))]!);
    const [p, y] = [draw(), draw()];
    const rowByRow = Array.from({ length: m }, (_, r) => reference.kernels.count_correct(p.subarray(r * n, (r + 1) * n), y.subarray(r * n, (r + 1) * n), 1, n));
    const expected = rowByRow.reduce((sum, c) => sum + c, 0);
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(m);
    expect(backend.kernels.count_correct(p, y, m, n)).toBe(expected);
    for (let r = 0; r < m; r += 13) {
      const row = (a: Float32Array) => a.subarray(r * n, (r + 1) * n);
      expect(backend.kernels.count_correct(row(p), row(y), 1, n), `row ${r}`).toBe(rowByRow[r]);
    }
  });
});
