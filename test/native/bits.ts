// Bit-exact comparison of result arrays for the native tests.

/** Index of the first element whose bits differ, or -1 (fast, unlike a deep toEqual on big arrays). */
export function firstDifference(a: Float32Array | Float64Array, b: Float32Array | Float64Array): number {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  if (x.length !== y.length) return 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return Math.floor(i / a.BYTES_PER_ELEMENT);
  return -1;
}

type Floats = Float32Array | Float64Array;

/**
 * firstDifference of each named pair. Expecting all of them at once (toEqual(noDifferences(…)))
 * makes a failure name every array that differs, not only the first one checked.
 */
export function firstDifferences(pairs: Record<string, readonly [Floats, Floats]>): Record<string, number> {
  return Object.fromEntries(Object.entries(pairs).map(([name, [a, b]]) => [name, firstDifference(a, b)]));
}

/** What firstDifferences gives for identical arrays. */
export function noDifferences(pairs: Record<string, unknown>): Record<string, number> {
  return Object.fromEntries(Object.keys(pairs).map((name) => [name, -1]));
}
