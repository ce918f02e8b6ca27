// IDX files (the MNIST distribution format): a big-endian header — two zero bytes, a type code,
// the number of dimensions, then one uint32 per dimension — followed by the values.
import { FormatError, invalidArgument } from '../util/errors.js';

export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

const UNSIGNED_BYTE = 0x08;
/** The most values one IDX array may hold: the largest Uint8Array a JavaScript engine creates. */
export const MAX_IDX_VALUES = 2 ** 32;

/**
 * Takes an IDX file's bytes in pieces (as a stream delivers them) and refuses it as soon as they
 * contradict its header: nothing beyond the promised values is ever kept, and nothing is
 * allocated from the header's promise alone. `source` names the file in errors.
 */
export class IdxReader {
  /** the start of the file while it is shorter than its header (at most 1 KiB) */
  #header: Uint8Array = new Uint8Array(0);
  #dims: number[] | undefined;
  #expected = 0;
  #received = 0;
  readonly #chunks: Uint8Array[] = [];

  constructor(readonly source: string) {}

  /** `last`: this is all there is (the error for too many values gives their exact count). */
  push(bytes: Uint8Array, last = false): void {
    if (this.#dims === undefined) {
      const have = this.#header.length === 0 ? bytes : concat([this.#header, bytes], this.#header.length + bytes.length);
      const headerLength = this.#parseHeader(have, last);
      if (headerLength === undefined) {
        this.#header = have;
        return;
      }
      bytes = have.subarray(headerLength);
    }
    if (this.#received + bytes.length > this.#expected) {
      const actual = last ? String(this.#received + bytes.length) : `more (${this.#received + bytes.length} so far)`;
      throw new FormatError(`${this.source}: ${this.#promise()} but the file has ${actual}`);
    }
    if (bytes.length > 0) this.#chunks.push(bytes);
    this.#received += bytes.length;
  }

  /** The array, once every byte has been pushed. */
  end(): IdxArray {
    if (this.#dims === undefined) this.#parseHeader(this.#header, true);
    if (this.#received < this.#expected) throw new FormatError(`${this.source}: ${this.#promise()} but the file has ${this.#received} (truncated)`);
    const data = this.#chunks.length === 1 ? this.#chunks[0]! : concat(this.#chunks, this.#expected);
    return { dims: this.#dims!, data };
  }

  #promise(): string {
    return `IDX header promises ${dimensions(this.#dims!)} = ${this.#expected} values`;
  }

  /** The header's length once all of it is in `bytes`; undefined while more may come. */
  #parseHeader(bytes: Uint8Array, last: boolean): number | undefined {
    const source = this.source;
    if (bytes.length < 4) {
      if (!last) return undefined;
      throw new FormatError(`${source}: ${bytes.length} bytes is too short for an IDX header`);
    }
    if (bytes[0] !== 0 || bytes[1] !== 0) throw new FormatError(`${source}: not an IDX file (magic starts ${hex(bytes[0]!)} ${hex(bytes[1]!)}, expected 00 00)`);
    if (bytes[2] !== UNSIGNED_BYTE) throw new FormatError(`${source}: IDX type ${hex(bytes[2]!)} is not supported (only unsigned byte, 0x08)`);
    const rank = bytes[3]!;
    const headerLength = 4 + 4 * rank;
    if (rank === 0 || (last && bytes.length < headerLength)) throw new FormatError(`${source}: truncated IDX header (${rank} dimensions, ${bytes.length} bytes)`);
    if (bytes.length < headerLength) return undefined;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const dims: number[] = [];
    for (let d = 0; d < rank; d++) dims.push(view.getUint32(4 + 4 * d, false));
    // the product of up to 255 uint32s leaves exact integers: stop multiplying once it is too large
    const expected = dims.reduce((product, dim) => Math.min(product * dim, MAX_IDX_VALUES + 1), 1);
    if (expected > MAX_IDX_VALUES) throw new FormatError(`${source}: IDX header promises ${dimensions(dims)} values, more than the ${MAX_IDX_VALUES} one array can hold`);
    this.#dims = dims;
    this.#expected = expected;
    return headerLength;
  }
}

/** Parse raw (already decompressed) IDX bytes holding unsigned bytes. `source` names the file in errors. */
export function parseIdx(bytes: Uint8Array, source = 'IDX data'): IdxArray {
  if (!(bytes instanceof Uint8Array)) throw invalidArgument('bytes', 'a Uint8Array or Buffer holding an IDX file', bytes);
  if (typeof source !== 'string') throw invalidArgument('source', 'a string naming the data in errors', source);
  const reader = new IdxReader(source);
  reader.push(bytes, true);
  return reader.end();
}

function concat(parts: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** `60000×28×28`; a long list (up to 255 dimensions) shortened */
function dimensions(dims: readonly number[]): string {
  return dims.length <= 6 ? dims.join('×') : `${dims.slice(0, 4).join('×')}×…×${dims.at(-1)} (${dims.length} dimensions)`;
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
