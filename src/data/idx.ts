// IDX files (the MNIST distribution format): a big-endian header — two zero bytes, a type code,
// the number of dimensions, then one uint32 per dimension — followed by the values.
import { FormatError } from '../util/errors.js';

export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

const UNSIGNED_BYTE = 0x08;

/** Parse raw (already decompressed) IDX bytes holding unsigned bytes. `source` names the file in errors. */
export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  if (bytes.length < 4) throw new FormatError(`${source}: ${bytes.length} bytes is too short for an IDX header`);
  if (bytes[0] !== 0 || bytes[1] !== 0) throw new FormatError(`${source}: not an IDX file (magic starts ${hex(bytes[0]!)} ${hex(bytes[1]!)}, expected 00 00)`);
  if (bytes[2] !== UNSIGNED_BYTE) throw new FormatError(`${source}: IDX type ${hex(bytes[2]!)} is not supported (only unsigned byte, 0x08)`);
  const rank = bytes[3]!;
  const headerLength = 4 + 4 * rank;
  if (rank === 0 || bytes.length < headerLength) throw new FormatError(`${source}: truncated IDX header (${rank} dimensions, ${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < rank; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerLength;
  if (actual !== expected) {
    throw new FormatError(`${source}: IDX header promises ${dims.join('×')} = ${expected} values but the file has ${actual}${actual < expected ? ' (truncated)' : ''}`);
  }
  return { dims, data: bytes.subarray(headerLength) };
}

function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, '0')}`;
}

export interface LabelledImages {
  /** rows × (height·width) floats in [0, 1] */
  readonly x: Float32Array;
  readonly labels: Uint8Array;
  readonly rows: number;
  readonly features: number;
}

/** Pair an images IDX (n, h, w) with a labels IDX (n): pixels scaled to [0, 1]. */
export function imagesWithLabels(images: IdxArray, labels: IdxArray, source: string): LabelledImages {
  if (images.dims.length !== 3) throw new FormatError(`${source}: images must have 3 dimensions (n, height, width), got ${images.dims.join('×')}`);
  if (labels.dims.length !== 1) throw new FormatError(`${source}: labels must have 1 dimension, got ${labels.dims.join('×')}`);
  const [rows, height, width] = images.dims as [number, number, number];
  if (labels.dims[0] !== rows) throw new FormatError(`${source}: ${rows} images but ${labels.dims[0]} labels`);
  const x = new Float32Array(images.data.length);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i]! / 255;
  return { x, labels: labels.data, rows, features: height * width };
}
