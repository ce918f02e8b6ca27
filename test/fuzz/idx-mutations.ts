// Seeded IDX files, raw and gzip: valid ones, bit flips (in the data and in the compressed
// stream), truncations, extensions, crafted headers (ranks, huge dimensions, other type codes),
// and gzip bombs whose header promises a few values while the stream inflates to megabytes.
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import type { Random } from '../../src/util/prng.js';
import type { FuzzCase } from './model-mutations.js';

const DIMS = [0, 1, 2, 3, 255, 65535, 2 ** 31, 2 ** 32 - 1];
/** 8 MiB of zeros as one gzip member (about 8 KB); appended to a header's member it inflates on. */
const ZEROS = gzipSync(new Uint8Array(8 * 1024 * 1024), { level: 9 });
/** What IdxReader may take in before it can tell a file is wrong: one gzip output chunk and then some. */
const READ_AHEAD = 64 * 1024;
const INFLATE_CAP = 256 * 1024 * 1024;

const pick = <T>(random: Random, items: readonly T[]): T => items[random.int(items.length)]!;
const randomBytes = (random: Random, length: number) => Uint8Array.from({ length }, () => random.int(256));

export function idxBytes(dims: readonly number[], data: Uint8Array, type = 0x08): Uint8Array {
  const bytes = new Uint8Array(4 + 4 * dims.length + data.length);
  bytes.set([0, 0, type, dims.length]);
  const view = new DataView(bytes.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  bytes.set(data, 4 + 4 * dims.length);
  return bytes;
}

function validIdx(random: Random): Uint8Array {
  const dims = Array.from({ length: 1 + random.int(3) }, () => (random.int(20) === 0 ? 0 : 1 + random.int(6)));
  return idxBytes(dims, randomBytes(random, dims.reduce((a, b) => a * b, 1)));
}

function flip(random: Random, bytes: Uint8Array, from = 0): Uint8Array {
  const out = bytes.slice();
  for (let n = 1 + random.int(4); n > 0 && out.length > from; n--) out[from + random.int(out.length - from)]! ^= 1 << random.int(8);
  return out;
}

const gz = (bytes: Uint8Array) => new Uint8Array(gzipSync(bytes));
const maybeGz = (random: Random, bytes: Uint8Array) => (random.int(2) === 0 ? bytes : gz(bytes));

type Mutation = (random: Random) => Uint8Array;

const MUTATIONS: Record<string, Mutation> = {
  'valid': (random) => maybeGz(random, validIdx(random)),
  'bit flips': (random) => maybeGz(random, flip(random, validIdx(random))),
  'bit flips in the gzip stream': (random) => flip(random, gz(validIdx(random)), 10),
  'truncated': (random) => {
    const bytes = validIdx(random);
    return maybeGz(random, bytes.subarray(0, random.int(bytes.length)));
  },
  'truncated gzip stream': (random) => {
    const bytes = gz(validIdx(random));
    return bytes.subarray(0, random.int(bytes.length));
  },
  'extended': (random) => maybeGz(random, Uint8Array.from([...validIdx(random), ...randomBytes(random, 1 + random.int(32))])),
  'bytes after the gzip stream': (random) => Uint8Array.from([...gz(validIdx(random)), ...randomBytes(random, 1 + random.int(32))]),
  'crafted header': (random) => {
    const dims = Array.from({ length: pick(random, [0, 1, 2, 3, 4, 8, 255]) }, () => pick(random, DIMS));
    return maybeGz(random, idxBytes(dims, randomBytes(random, random.int(64))));
  },
  'other type code': (random) => {
    const bytes = validIdx(random);
    bytes[pick(random, [0, 1, 2])] = pick(random, [0x09, 0x0b, 0x0c, 0x0d, 0x0e, 0x01, 0xff]);
    return maybeGz(random, bytes);
  },
  'gzip bomb': (random) => {
    const header = idxBytes([pick(random, [1, 10, 1000, 100_000])], new Uint8Array(0));
    return Uint8Array.from([...gz(header), ...ZEROS]);
  },
  'huge promise, little data': (random) => maybeGz(random, idxBytes([pick(random, [2 ** 31, 2 ** 32 - 1]), 1 + random.int(4)], randomBytes(random, random.int(100)))),
};

export const IDX_MUTATION_NAMES = Object.keys(MUTATIONS);

export function* idxCases(random: Random, count: number): Generator<FuzzCase> {
  for (let i = 0; i < count; i++) {
    const kind = IDX_MUTATION_NAMES[i % IDX_MUTATION_NAMES.length]!;
    yield { kind, bytes: MUTATIONS[kind]!(random) };
  }
}

/**
 * The size the allocation bound refers to. For a raw file, its length. For gzip, what a reader
 * that trusts nothing may hold: the inflated data, but no more than the header promises plus a
 * read-ahead, and never less than the compressed file.
 */
export function inflatedReference(bytes: Uint8Array): number {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes.length;
  let inflated: Uint8Array;
  try {
    inflated = gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: INFLATE_CAP });
  } catch {
    return bytes.length + READ_AHEAD; // corrupt: the reader takes at most a read-ahead before the error
  }
  return Math.max(bytes.length, Math.min(inflated.length, promisedLength(inflated) + READ_AHEAD));
}

/** Header plus promised values, or just a header's worth when the header itself is invalid. */
function promisedLength(inflated: Uint8Array): number {
  if (inflated.length < 4 || inflated[0] !== 0 || inflated[1] !== 0 || inflated[2] !== 0x08) return 4;
  const rank = inflated[3]!;
  const headerLength = 4 + 4 * rank;
  if (inflated.length < headerLength) return headerLength;
  const view = new DataView(inflated.buffer, inflated.byteOffset, inflated.byteLength);
  let values = 1;
  for (let d = 0; d < rank; d++) values = Math.min(values * view.getUint32(4 + 4 * d, false), 2 ** 33);
  return headerLength + values;
}
