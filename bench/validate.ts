// Every benchmark checks its result before it is timed. A contender whose
// result is wrong throws ValidationError and becomes an error row instead of a time.

export class ValidationError extends Error {
  override name = 'ValidationError';
}

/**
 * C = A·B checked against float64 dot products, per element relative to Σ_k |a_ik b_kj| (the
 * scale rounding error is proportional to). Large products check a seeded sample of rows so the
 * reference stays cheap; every column of a checked row is compared.
 */
export function checkGemm(c: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number, tol = 1e-5): void {
  if (c.length < m * n) throw new ValidationError(`GEMM output has ${c.length} elements, expected ${m * n}`);
  const rows = m * k * n <= 2 ** 27 ? [...Array(m).keys()] : sampleRows(m, 48);
  const exact = new Float64Array(n);
  const scale = new Float64Array(n);
  let worst = 0;
  let where = '';
  for (const i of rows) {
    exact.fill(0);
    scale.fill(0);
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p]!;
      for (let j = 0; j < n; j++) {
        const prod = aip * b[p * n + j]!;
        exact[j] = exact[j]! + prod;
        scale[j] = scale[j]! + Math.abs(prod);
      }
    }
    for (let j = 0; j < n; j++) {
      const got = c[i * n + j]!;
      const err = Math.abs(got - exact[j]!) / Math.max(scale[j]!, 1e-30);
      if (!(err <= worst)) { // also catches NaN
        worst = Number.isNaN(err) ? Infinity : err;
        where = `C[${i},${j}] = ${got}, expected ${exact[j]!.toPrecision(8)}`;
      }
    }
  }
  if (!(worst <= tol)) throw new ValidationError(`wrong GEMM result (${m}×${k}·${k}×${n}): ${where}; relative error ${worst.toExponential(2)} > ${tol}`);
}

function sampleRows(m: number, count: number): number[] {
  const rows = new Set([0, m - 1]);
  for (let i = 0; rows.size < Math.min(count, m); i++) rows.add(Math.floor(((i * 2654435761) % 4294967296) / 4294967296 * m));
  return [...rows];
}

/** Loss trajectories (the losses of the first steps) must match the reference within rtol. */
export function checkLosses(got: readonly number[], expected: readonly number[], rtol: number, what: string): void {
  if (got.length !== expected.length) throw new ValidationError(`${what}: ${got.length} losses, expected ${expected.length}`);
  got.forEach((loss, i) => {
    const want = expected[i]!;
    if (!(Math.abs(loss - want) <= rtol * Math.abs(want))) {
      throw new ValidationError(`${what}: loss at step ${i + 1} is ${loss}, reference ${want.toPrecision(7)} (rtol ${rtol})`);
    }
  });
  if (!(got[got.length - 1]! < got[0]!)) throw new ValidationError(`${what}: loss did not fall over ${got.length} steps (${got[0]} → ${got[got.length - 1]})`);
}

/** Outputs (predictions) close to the reference: |got − want| ≤ atol + rtol·|want|. */
export function checkClose(got: Float32Array, expected: Float32Array, atol: number, rtol: number, what: string): void {
  if (got.length < expected.length) throw new ValidationError(`${what}: ${got.length} values, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const want = expected[i]!;
    if (!(Math.abs(got[i]! - want) <= atol + rtol * Math.abs(want))) {
      throw new ValidationError(`${what}: value ${i} is ${got[i]}, reference ${want} (atol ${atol}, rtol ${rtol})`);
    }
  }
}
