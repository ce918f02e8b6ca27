// Dropout parity: the masks are a hash of (seed, update, layer, row, unit), so every backend must
// draw exactly the reference's mask (checked bit for bit on the values of a dropped layer of ones),
// keep 1 − rate of the units with the inverted scale, and agree on dropout fused with each
// activation, forward and backward.
import { describe, expect, it } from 'vitest';
import { Activation, type ActivationName } from '../../src/backend/kernels.js';
import { dropoutScale, dropoutThreshold } from '../../src/backend/dropout.js';
import { Random } from '../../src/util/prng.js';
import { backendsUnderTest, reference } from '../helpers/backends.js';
import { randomArray, toleranceRatio } from '../helpers/random.js';

// 1031 × 1031 is split across the native pool's threads
const SHAPES: [m: number, n: number][] = [[1, 1], [1, 10], [7, 13], [61, 129], [1031, 1031]];
const RATES = [0, 0.1, 0.5, 0.9, 0.999];
/** seed, update number, layer: zeros, small, and beyond 32 bits */
const KEYS: [number, number, number][] = [[0, 0, 0], [1, 1, 1], [7, 12345, 2], [2 ** 32 + 5, 2 ** 40 + 3, 0], [2 ** 53 - 1, 2 ** 53 - 1, 31]];
const ELEMENTWISE = (Object.keys(Activation) as ActivationName[]).filter((name) => name !== 'softmax');

/** Values of a dropped layer of ones: the scale where kept, 0 where dropped. */
function mask(kernels: typeof reference.kernels, m: number, n: number, rate: number, [seed, step, layer]: [number, number, number]): Float32Array {
  const a = new Float32Array(m * n);
  kernels.dropout_forward(a, new Float32Array(m * n).fill(1), m, n, Activation.linear, rate, seed, step, layer);
  return a;
}

describe('dropout masks (reference)', () => {
  it('keep 1 − rate of the units, scaled by 1 / (1 − rate): the expected value is unchanged', () => {
    for (const rate of RATES) {
      const a = mask(reference.kernels, 1031, 1031, rate, [3, 17, 1]);
      const kept = a.filter((v) => v !== 0).length / a.length;
      const mean = a.reduce((sum, v) => sum + v, 0) / a.length;
      expect(Math.abs(kept - (1 - rate)), `rate ${rate}`).toBeLessThan(4 * Math.sqrt((rate * (1 - rate)) / a.length) + 1e-9);
      expect(Math.abs(mean - 1), `rate ${rate}`).toBeLessThan(rate === 0.999 ? 0.05 : 0.01);
      expect(a.every((v) => v === 0 || v === dropoutScale(dropoutThreshold(rate)))).toBe(true);
    }
  });

  it('differ between updates, layers, rows and seeds', () => {
    const base = mask(reference.kernels, 8, 64, 0.5, [1, 1, 0]);
    for (const other of [[1, 2, 0], [1, 1, 1], [2, 1, 0]] as [number, number, number][]) {
      const changed = mask(reference.kernels, 8, 64, 0.5, other).filter((v, i) => v !== base[i]).length;
      expect(changed, other.join(',')).toBeGreaterThan(base.length / 4);
    }
    const rowsAlike = base.subarray(0, 64).filter((v, j) => v === base[64 + j]!).length;
    expect(rowsAlike).toBeLessThan(48); // two rows are not the same mask
  });
});

describe.each(await backendsUnderTest())('$name backend: dropout', (backend) => {
  it.each(SHAPES)('draws the reference mask bit for bit at m=%i n=%i (every rate, seeds and updates past 32 bits)', (m, n) => {
    for (const rate of RATES) {
      for (const key of KEYS) {
        const actual = mask(backend.kernels, m, n, rate, key);
        const expected = mask(reference.kernels, m, n, rate, key);
        expect(Buffer.from(actual.buffer).equals(Buffer.from(expected.buffer)), `rate ${rate}, key ${key.join(',')}`).toBe(true);
      }
    }
  });

  for (const name of ELEMENTWISE) {
    it.each(SHAPES.slice(0, 4))(`forward and backward through ${name} at m=%i n=%i`, (m, n) => {
      const random = new Random(m * 7 + n);
      const z = randomArray(random, m * n, -3, 3);
      const da = randomArray(random, m * n);
      const run = (k: typeof reference.kernels) => {
        const a = new Float32Array(m * n), dz = new Float32Array(m * n);
        k.dropout_forward(a, z, m, n, Activation[name], 0.3, 11, 5, 1);
        k.dropout_backward(dz, da, z, m, n, Activation[name], 0.3, 11, 5, 1);
        return { a, dz };
      };
      const actual = run(backend.kernels), expected = run(reference.kernels);
      expect(toleranceRatio(actual.a, expected.a, 1e-7, 1e-6)).toBeLessThanOrEqual(1);
      expect(toleranceRatio(actual.dz, expected.dz, 1e-7, 1e-6)).toBeLessThanOrEqual(1);
      // the same units dropped in both passes
      expect(actual.dz.every((v, i) => expected.a[i] !== 0 || v === 0)).toBe(true);
    });
  }
});
