// Reference GEMM: plain triple loops with float64 accumulation. Written for clarity; it is the
// oracle the native and wasm kernels are compared with.

/** c (m, n) = a (m, k) · b (k, n) */
export function matmul_nn(c: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[i * k + p]! * b[p * n + j]!;
      c[i * n + j] = sum;
    }
  }
}

/** c (m, n) = aᵀ · b, a is (k, m), b is (k, n) */
export function matmul_tn(c: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[p * m + i]! * b[p * n + j]!;
      c[i * n + j] = sum;
    }
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
