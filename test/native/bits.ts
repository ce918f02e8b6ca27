// Bit-exact comparison of result arrays for the native tests.

/** Index of the first element whose bits differ, or -1 (fast, unlike a deep toEqual on big arrays). */
export function firstDifference(a: Float32Array | Float64Array, b: Float32Array | Float64Array): number {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  if (x.length !== y.length) return 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return Math.floor(i / a.BYTES_PER_ELEMENT);
  return -1;
}
