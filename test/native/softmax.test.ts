// Softmax takes rows of up to 32 columns 16 at a time, one row per vector lane, and other rows one
// by one: a row must get the same bits either way, so a prediction does not depend on the batch
// it was in, nor on its place in that batch. Checked on every kernel path, with rows that hold
// NaN, ±Infinity, −0 and magnitudes far beyond exp's range.
import { afterAll, describe, expect, it } from 'vitest';
import { Activation } from '../../src/backend/kernels.js';
import { Random } from '../../src/util/prng.js';
import { randomArray } from '../helpers/random.js';
import { addon } from './addon.js';
import { firstDifference } from './bits.js';

const WIDTHS = [1, 2, 10, 16, 31, 32, 33];
const ROWS = 53; // three blocks of 16 and a tail of 5

function rows(n: number): Float32Array {
  const random = new Random(n);
  const z = randomArray(random, ROWS * n, -40, 40);
  for (let i = 0; i < z.length; i += 3) z[i] = random.uniform(-2, 2);
  const special = [Number.NaN, Infinity, -Infinity, -0, 0, 1e30, -1e30];
  special.forEach((value, r) => { z[(r * 7) * n + (r % n)] = value; });
  for (let j = 0; j < n; j++) z[20 * n + j] = -0; // a row of −0 only
  return z;
}

describe.skipIf(addon === undefined)('native: softmax rows in blocks and alone', () => {
  const initial = addon?.kernelPath() ?? 'portable';
  afterAll(() => void addon!.setKernelPath(initial));

  it.each(WIDTHS)('gives each row the bits it gets alone, on every kernel path, with %i columns', (n) => {
    const z = rows(n);
    for (const path of addon!.kernelPaths()) {
      addon!.setKernelPath(path);
      const batch = new Float32Array(ROWS * n);
      addon!.activation_forward(batch, z, ROWS, n, Activation.softmax);
      for (let r = 0; r < ROWS; r++) {
        const alone = new Float32Array(n);
        addon!.activation_forward(alone, z.subarray(r * n, (r + 1) * n), 1, n, Activation.softmax);
        expect(firstDifference(batch.subarray(r * n, (r + 1) * n), alone), `${path}: row ${r}`).toBe(-1);
      }
      // in place, as inference runs it
      const inPlace = z.slice();
      addon!.activation_forward(inPlace, inPlace, ROWS, n, Activation.softmax);
      expect(firstDifference(inPlace, batch), `${path}: in place`).toBe(-1);
    }
  });
});
