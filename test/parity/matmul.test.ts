// GEMM parity: every backend against the float64-accumulating reference, on shapes that hit
// 1, primes, non-multiples of every tile size, large sizes, and rows of A a multiple of 4 KiB
// apart, or 4 bytes more (k = 1024, 1025: native copies such A micro-panels before use).
//
// Tolerance: |c − ref| ≤ 1e-5 · (|A|·|B|)_ij per element, i.e. 1e-5 relative to the magnitude of
// the terms summed (a plain relative error is meaningless where the sum cancels to ~0).
import { describe, expect, it } from 'vitest';
import { Random } from '../../src/util/prng.js';
import { backendsUnderTest, reference } from '../helpers/backends.js';
import { randomArray } from '../helpers/random.js';

const SHAPES: [m: number, k: number, n: number][] = [
  [1, 1, 1], [1, 7, 1], [1, 1, 9], [2, 3, 5], [5, 1, 3], [6, 16, 16], [7, 17, 33], [13, 17, 19],
  [31, 2, 37], [4, 24, 8], [65, 63, 17], [97, 101, 103], [128, 784, 128], [257, 129, 10], [3, 1000, 5],
  [29, 1024, 45], [13, 1025, 7],
  // k = 1 (the weight gradient of one row): whole 2×16 tiles, and edge rows and columns
  [784, 1, 128], [13, 1, 21], [6, 1, 130],
];
const LARGE: [number, number, number] = [1000, 1000, 1000];
const VARIANTS = ['matmul_nn', 'matmul_tn', 'matmul_nt'] as const;

function abs(a: Float32Array): Float32Array {
  return a.map(Math.abs);
}

/** a and b laid out as `variant` expects for c (m, n) with inner dimension k */
function operands(random: Random, m: number, k: number, n: number) {
  return { a: randomArray(random, m * k), b: randomArray(random, k * n) };
}

function checkAgainstReference(c: Float32Array, a: Float32Array, b: Float32Array, variant: (typeof VARIANTS)[number], m: number, k: number, n: number): number {
  const expected = new Float32Array(m * n);
  const magnitude = new Float32Array(m * n);
  reference.kernels[variant](expected, a, b, m, k, n);
  reference.kernels[variant](magnitude, abs(a), abs(b), m, k, n);
  let worst = 0;
  for (let i = 0; i < c.length; i++) worst = Math.max(worst, Math.abs(c[i]! - expected[i]!) / (1e-5 * magnitude[i]! + 1e-30));
  return worst;
}

describe.each(await backendsUnderTest())('$name backend: matmul', (backend) => {
  for (const variant of VARIANTS) {
    it.each(SHAPES)(`${variant} m=%i k=%i n=%i matches the reference`, (m, k, n) => {
      const { a, b } = operands(new Random(m * 7919 + k * 31 + n), m, k, n);
      const c = new Float32Array(m * n).fill(Number.NaN); // every element must be written
      backend.kernels[variant](c, a, b, m, k, n);
      expect(checkAgainstReference(c, a, b, variant, m, k, n)).toBeLessThanOrEqual(1);
    });
  }

  it(`matmul_nn at ${LARGE.join('×')} matches the reference`, () => {
    const [m, k, n] = LARGE;
    const { a, b } = operands(new Random(1), m, k, n);
    const c = new Float32Array(m * n);
    backend.kernels.matmul_nn(c, a, b, m, k, n);
    expect(checkAgainstReference(c, a, b, 'matmul_nn', m, k, n)).toBeLessThanOrEqual(1);
  }, 120_000);
});
