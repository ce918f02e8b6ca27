// Dense layer parity: forward (with bias) and backward (all three gradients).
import { describe, expect, it } from 'vitest';
import { Random } from '../../src/util/prng.js';
import { backendsUnderTest, reference } from '../helpers/backends.js';
import { randomArray, toleranceRatio } from '../helpers/random.js';

const SHAPES: [m: number, k: number, n: number][] = [[1, 1, 1], [3, 5, 7], [17, 13, 1], [33, 31, 29], [128, 64, 10], [61, 200, 37]];
const ATOL = 1e-5;
const RTOL = 1e-5;

describe.each(await backendsUnderTest())('$name backend: dense', (backend) => {
  it.each(SHAPES)('bias_add and bias_grad m=%i k=%i n=%i', (m, _k, n) => {
    const random = new Random(m * 13 + n);
    const z = randomArray(random, m * n);
    const bias = randomArray(random, n);
    const [zActual, zExpected] = [z.slice(), z.slice()];
    backend.kernels.bias_add(zActual, bias, m, n);
    reference.kernels.bias_add(zExpected, bias, m, n);
    expect(toleranceRatio(zActual, zExpected, ATOL, RTOL)).toBeLessThanOrEqual(1);
    const [dbActual, dbExpected] = [new Float32Array(n), new Float32Array(n)];
    backend.kernels.bias_grad(dbActual, z, m, n);
    reference.kernels.bias_grad(dbExpected, z, m, n);
    expect(toleranceRatio(dbActual, dbExpected, ATOL * m, RTOL)).toBeLessThanOrEqual(1);
  });

  it.each(SHAPES)('dense_forward and dense_backward m=%i k=%i n=%i', (m, k, n) => {
    const random = new Random(m * 101 + k * 7 + n);
    const x = randomArray(random, m * k);
    const w = randomArray(random, k * n);
    const b = randomArray(random, n);
    const dz = randomArray(random, m * n);
    const run = (kernels: typeof reference.kernels, withDx: boolean) => {
      const z = new Float32Array(m * n);
      const dx = new Float32Array(m * k);
      const dw = new Float32Array(k * n);
      const db = new Float32Array(n);
      kernels.dense_forward(z, x, w, b, m, k, n);
      kernels.dense_backward(withDx ? dx : null, dw, db, dz, x, w, m, k, n);
      return { z, dx, dw, db };
    };
    for (const withDx of [true, false]) {
      const actual = run(backend.kernels, withDx);
      const expected = run(reference.kernels, withDx);
      for (const key of ['z', 'dx', 'dw', 'db'] as const) {
        const atol = ATOL * Math.max(m, k, n);
        expect(toleranceRatio(actual[key], expected[key], atol, RTOL), `${key} (dx ${withDx ? 'on' : 'off'})`).toBeLessThanOrEqual(1);
      }
    }
  });
});
