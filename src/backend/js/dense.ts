// Reference dense layer: Z = X·W + b and its backward pass.
import { matmul_nn, matmul_nt, matmul_tn } from './matmul.js';

/** z (m, n) += bias (n) on every row */
export function bias_add(z: Float32Array, bias: Float32Array, m: number, n: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) z[i * n + j] = z[i * n + j]! + bias[j]!;
  }
}

/** db (n) = Σ_rows dz (m, n) */
export function bias_grad(db: Float32Array, dz: Float32Array, m: number, n: number): void {
  for (let j = 0; j < n; j++) {
    let sum = 0;
    for (let i = 0; i < m; i++) sum += dz[i * n + j]!;
    db[j] = sum;
  }
}

/** z (m, n) = x (m, k) · w (k, n) + b (n) */
export function dense_forward(z: Float32Array, x: Float32Array, w: Float32Array, b: Float32Array, m: number, k: number, n: number): void {
  matmul_nn(z, x, w, m, k, n);
  bias_add(z, b, m, n);
}

/** dw (k, n) = xᵀ·dz; db (n) = Σ_rows dz; dx (m, k) = dz·wᵀ unless dx is null */
export function dense_backward(
  dx: Float32Array | null, dw: Float32Array, db: Float32Array, dz: Float32Array, x: Float32Array, w: Float32Array,
  m: number, k: number, n: number,
): void {
  matmul_tn(dw, x, dz, k, m, n);
  bias_grad(db, dz, m, n);
  if (dx !== null) matmul_nt(dx, dz, w, m, n, k);
}
