// NumPy .npy arrays (format versions 1, 2 and 3): float32, float64 and uint8, little- or
// big-endian, C order, one or two dimensions. The header is checked field by field and against the
// file's length before the values are read; values come back as float32 and must be finite.
import { DataError, FormatError, invalidArgument } from '../util/errors.js';

export interface NpyArray {
  /** [rows] or [rows, columns] */
  shape: number[];
  /** the stored dtype, as the header spells it ('<f4', '<f8', '|u1', …) */
  dtype: string;
  /** the values as float32, row-major */
  data: Float32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const DTYPES: Readonly<Record<string, { size: number; read: (view: DataView, at: number, little: boolean) => number }>> = {
  f4: { size: 4, read: (v, at, little) => v.getFloat32(at, little) },
  f8: { size: 8, read: (v, at, little) => v.getFloat64(at, little) },
  u1: { size: 1, read: (v, at) => v.getUint8(at) },
};

/** Parse the bytes of a .npy file. `source` names it in errors. */
export function parseNpy(bytes: Uint8Array, source = 'npy data'): NpyArray {
  if (!(bytes instanceof Uint8Array)) throw invalidArgument('bytes', 'a Uint8Array or Buffer holding a .npy file', bytes);
  const fail = (what: string): never => {
    throw new FormatError(`${source}: ${what}`);
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail('not a .npy file (no \\x93NUMPY magic)');
  const major = bytes[6]!;
  if (major < 1 || major > 3) fail(`.npy format version ${major}.${bytes[7]} is not supported (1, 2 and 3 are)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  const headerLength = major === 1 ? view.getUint16(8, true) : bytes.length >= 12 ? view.getUint32(8, true) : fail('truncated header');
  const dataStart = 8 + lengthBytes + headerLength;
  if (dataStart > bytes.length) fail(`truncated (header of ${headerLength} bytes, file of ${bytes.length})`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lengthBytes, dataStart)).trim();
  // the header is a Python dict literal with exactly these keys; read it by pattern, never evaluate it
  const match = /^\{\s*'descr'\s*:\s*'([^']*)'\s*,\s*'fortran_order'\s*:\s*(True|False)\s*,\s*'shape'\s*:\s*\(([^)]*)\)\s*,?\s*\}$/.exec(header);
  if (match === null) return fail(`unreadable header ${JSON.stringify(header.slice(0, 120))}`);
  const [, descr, fortran, shapeText] = match as unknown as [string, string, string, string];
  const dtype = DTYPES[descr.slice(1)];
  const order = descr[0];
  if (dtype === undefined || !(order === '<' || order === '>' || (order === '|' && descr === '|u1'))) {
    fail(`dtype '${descr}' is not supported (float32 '<f4', float64 '<f8', uint8 '|u1', or their big-endian forms)`);
  }
  if (fortran === 'True') fail('the array is in Fortran order; save it in C order (numpy.ascontiguousarray)');
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => (/^\d+$/.test(s) ? Number(s) : fail(`shape (${shapeText}) is not a tuple of sizes`)));
  if (shape.length < 1 || shape.length > 2) fail(`shape (${shape.join(', ')}) has ${shape.length} dimensions; mlpx reads 1 (a vector) or 2 (rows × columns)`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(count * dtype!.size) || dataStart + count * dtype!.size !== bytes.length) {
    fail(`shape (${shape.join(', ')}) of ${descr} needs ${count * dtype!.size} bytes of data but the file has ${bytes.length - dataStart}`);
  }
  if (count === 0) throw new DataError(`${source}: the array is empty (shape (${shape.join(', ')}))`);
  const data = new Float32Array(count);
  const little = order !== '>';
  const columns = shape[1] ?? 1;
  for (let i = 0; i < count; i++) {
    const value = dtype!.read(view, dataStart + i * dtype!.size, little);
    // float64 values beyond float32's range would become infinite
    if (!Number.isFinite(Math.fround(value))) {
      throw new DataError(`${source}: row ${Math.floor(i / columns)}, column ${i % columns} is ${value}${Number.isFinite(value) ? ' (beyond float32)' : ''}`);
    }
    data[i] = value;
  }
  return { shape, dtype: descr, data };
}
