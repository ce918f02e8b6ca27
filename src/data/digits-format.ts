// The embedded digits set's layout (scripts/build-digits.mjs writes it; the package ships it
// brotli-compressed as dist/data/digits.br): decoding the uncompressed bytes needs nothing from
// Node, so browsers read the set too, from bytes they decompressed or were served.
//   0   "MLPXDIG1"; 8 rows (uint32 LE); 12 one label byte per row; then the pixels, row-major,
//   4 bits each (16 grey levels), two per byte, the first in the low nibble
import { FormatError, invalidArgument } from '../util/errors.js';
import { Random } from '../util/prng.js';
import { requireInRange, requireInteger } from '../util/validate.js';
import type { LabelledImages } from './idx.js';

const FEATURES = 28 * 28;
const LEVELS = 16;
const MAGIC = 'MLPXDIG1';
const HEADER_BYTES = 12;

/** All digits in the bytes' order: pixels in [0, 1] and their labels. `source` names the data in errors. */
export function decodeDigits(bytes: Uint8Array, source = 'digits data'): LabelledImages {
  if (!(bytes instanceof Uint8Array)) throw invalidArgument('bytes', 'a Uint8Array holding the uncompressed mlpx digits set', bytes);
  const magic = String.fromCharCode(...bytes.subarray(0, MAGIC.length));
  const rows = bytes.length >= HEADER_BYTES ? new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES).getUint32(8, true) : 0;
  if (magic !== MAGIC) throw new FormatError(`${source} is not an mlpx digits set: it starts with ${JSON.stringify(magic)}, not ${MAGIC} (brotli- or gzip-compressed bytes must be decompressed first)`);
  const expected = HEADER_BYTES + rows + (rows * FEATURES) / 2;
  if (bytes.length !== expected) throw new FormatError(`${source}: ${rows} digits need ${expected} bytes, found ${bytes.length} (truncated or corrupt)`);
  const labels = Uint8Array.from(bytes.subarray(HEADER_BYTES, HEADER_BYTES + rows));
  const bad = labels.findIndex((label) => label > 9);
  if (bad >= 0) throw new FormatError(`${source}: digit ${bad} has label ${labels[bad]}, not 0–9`);
  const packed = bytes.subarray(HEADER_BYTES + rows);
  const x = new Float32Array(rows * FEATURES);
  for (let i = 0; i < packed.length; i++) {
    x[2 * i] = (packed[i]! & 0x0f) / (LEVELS - 1);
    x[2 * i + 1] = (packed[i]! >> 4) / (LEVELS - 1);
  }
  return { x, labels, rows, features: FEATURES };
}

/** Split digits into disjoint train and test rows by a seeded shuffle: round(rows · testFraction) test rows. */
export function splitDigits(all: LabelledImages, testFraction = 0.2, seed = 1): { train: LabelledImages; test: LabelledImages } {
  requireInRange(testFraction, 'testFraction', 0, 1, true);
  requireInteger(seed, 'seed', 0);
  const { x, labels, rows, features } = all;
  const order = new Random(seed).shuffle(Uint32Array.from({ length: rows }, (_, i) => i));
  const testRows = Math.round(rows * testFraction);
  const pick = (indices: Uint32Array): LabelledImages => {
    const px = new Float32Array(indices.length * features);
    const pl = new Uint8Array(indices.length);
    indices.forEach((source, i) => {
      px.set(x.subarray(source * features, (source + 1) * features), i * features);
      pl[i] = labels[source]!;
    });
    return { x: px, labels: pl, rows: indices.length, features };
  };
  return { train: pick(order.subarray(testRows)), test: pick(order.subarray(0, testRows)) };
}

/**
 * The digits set mlpx ships (dist/data/digits.br, once decompressed), split as `mlpx train
 * --dataset digits` splits it: pixels in [0, 1], labels 0–9.
 */
export function parseDigits(bytes: Uint8Array, testFraction = 0.2, seed = 1): { train: LabelledImages; test: LabelledImages } {
  return splitDigits(decodeDigits(bytes), testFraction, seed);
}
