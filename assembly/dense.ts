// dense family: Z = X·W + b and its backward pass (pointers into linear memory).
import { GEMM_NN } from './gemm';
import { matmul_nn, matmul_nt, matmul_tn } from './matmul';
import { gemm_activate_parallel } from './threads';
import { phase_add, phase_start, PHASE_BACKWARD_GEMM_INPUTS, PHASE_BACKWARD_GEMM_WEIGHTS, PHASE_BIAS_GRADIENT } from './profile';

/** z (m, n) += bias (n) on every row */
export function bias_add(z: usize, bias: usize, m: i32, n: i32): void {
  const n4 = n & ~3;
  for (let i = 0; i < m; i++) {
    const row = z + (<usize>(i * n) << 2);
    let j = 0;
    for (; j < n4; j += 4) {
      const off = <usize>j << 2;
      v128.store(row + off, f32x4.add(v128.load(row + off), v128.load(bias + off)));
    }
    for (; j < n; j++) {
      const off = <usize>j << 2;
      store<f32>(row + off, load<f32>(row + off) + load<f32>(bias + off));
    }
  }
}

/** db (n) = Σ_rows dz (m, n), summed in row order (column lanes side by side) */
export function bias_grad(db: usize, dz: usize, m: i32, n: i32): void {
  const n4 = n & ~3;
  const stride = <usize>n << 2;
  let j = 0;
  for (; j < n4; j += 4) {
    let acc = f32x4.splat(0);
    let p = dz + (<usize>j << 2);
    for (let i = 0; i < m; i++, p += stride) acc = f32x4.add(acc, v128.load(p));
    v128.store(db + (<usize>j << 2), acc);
  }
  for (; j < n; j++) {
    let acc: f32 = 0;
    let p = dz + (<usize>j << 2);
    for (let i = 0; i < m; i++, p += stride) acc += load<f32>(p);
    store<f32>(db + (<usize>j << 2), acc);
  }
}

/** z (m, n) = x (m, k) · w (k, n) + b (n) */
export function dense_forward(z: usize, x: usize, w: usize, b: usize, m: i32, k: i32, n: i32): void {
  matmul_nn(z, x, w, m, k, n);
  bias_add(z, b, m, n);
}

/**
 * dense_forward, then a (m, n) = act(z) for an element-wise act, each GEMM chunk adding the bias
 * and activating its own block of z (gemm_activate_parallel): the bits of dense_forward then
 * activation_forward.
 */
export function dense_forward_activate(z: usize, a: usize, x: usize, w: usize, b: usize, m: i32, k: i32, n: i32, act: i32): void {
  gemm_activate_parallel(GEMM_NN, z, x, w, m, k, n, b, a, act);
}

/** dw (k, n) = xᵀ·dz; db (n) = Σ_rows dz; dx (m, k) = dz·wᵀ unless dx is 0 (first layer) */
export function dense_backward(dx: usize, dw: usize, db: usize, dz: usize, x: usize, w: usize, m: i32, k: i32, n: i32): void {
  let start = phase_start();
  matmul_tn(dw, x, dz, k, m, n);
  start = phase_add(PHASE_BACKWARD_GEMM_WEIGHTS, start);
  bias_grad(db, dz, m, n);
  start = phase_add(PHASE_BIAS_GRADIENT, start);
  if (dx != 0) matmul_nt(dx, dz, w, m, n, k);
  phase_add(PHASE_BACKWARD_GEMM_INPUTS, start);
}
