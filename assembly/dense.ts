// dense family: Z = X·W + b and its backward pass (pointers into linear memory).
import { ACT_SOFTMAX, activation_forward } from './activation';
import { GEMM_NN, GEMM_TN } from './gemm';
import { matmul_nn } from './matmul';
import { gemm_activate_parallel, gemm_owned_rows_parallel, input_gradient_parallel } from './threads';
import { phase_add, phase_start, PHASE_BACKWARD_GEMM_INPUTS, PHASE_BACKWARD_GEMM_WEIGHTS, PHASE_BIAS_GRADIENT } from './profile';

/** z (m, n) += bias (n) on every row */
export function bias_add(z: usize, bias: usize, m: i32, n: i32): void {
  for (let i = 0; i < m; i++) add_row(z + (<usize>(i * n) << 2), bias, n);
}

/** row (width) += bias (width), element by element */
// @ts-ignore: decorator
@inline export function add_row(row: usize, bias: usize, width: i32): void {
  const width4 = width & ~3;
  let j = 0;
  for (; j < width4; j += 4) {
    const off = <usize>j << 2;
    v128.store(row + off, f32x4.add(v128.load(row + off), v128.load(bias + off)));
  }
  for (; j < width; j++) {
    const off = <usize>j << 2;
    store<f32>(row + off, load<f32>(row + off) + load<f32>(bias + off));
  }
}

/**
 * Rows [r0, r1) × columns [c0, c1) of z (m, n) += bias, then a = act(z) there, for an
 * element-wise act: bias_add's and activation_forward's operations, row by row while the block
 * is in cache (a GEMM chunk's epilogue, threads.ts gemm_activate_parallel).
 */
export function bias_activate_block(a: usize, z: usize, bias: usize, r0: i32, r1: i32, c0: i32, c1: i32, n: i32, act: i32): void {
  if (act == ACT_SOFTMAX) unreachable(); // softmax needs whole rows: the forward pass never fuses it
  const width = c1 - c0;
  if (width == n) {
    // whole rows, one contiguous run: one activation call (small layers' blocks, row chunks)
    const offset = <usize>(r0 * n) << 2;
    bias_add(z + offset, bias, r1 - r0, n);
    activation_forward(a + offset, z + offset, r1 - r0, n, act);
    return;
  }
  for (let i = r0; i < r1; i++) {
    const offset = <usize>(i * n + c0) << 2;
    add_row(z + offset, bias + (<usize>c0 << 2), width);
    activation_forward(a + offset, z + offset, 1, width, act);
  }
}

/**
 * db (n) = Σ_rows dz (m, n), summed in row order (column lanes side by side). Sixteen columns at a
 * time, so that four chains of adds run side by side: one chain waits out each add's latency (a
 * 784-512-256-10 step at batch 128 spent 42 µs here with one).
 */
export function bias_grad(db: usize, dz: usize, m: i32, n: i32): void {
  const n16 = n & ~15, n4 = n & ~3;
  const stride = <usize>n << 2;
  let j = 0;
  for (; j < n16; j += 16) {
    let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0), acc2 = f32x4.splat(0), acc3 = f32x4.splat(0);
    let p = dz + (<usize>j << 2);
    for (let i = 0; i < m; i++, p += stride) {
      acc0 = f32x4.add(acc0, v128.load(p));
      acc1 = f32x4.add(acc1, v128.load(p, 16));
      acc2 = f32x4.add(acc2, v128.load(p, 32));
      acc3 = f32x4.add(acc3, v128.load(p, 48));
    }
    const out = db + (<usize>j << 2);
    v128.store(out, acc0); v128.store(out, acc1, 16); v128.store(out, acc2, 32); v128.store(out, acc3, 48);
  }
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
 * activation_forward. Returns the threads it split z's rows over (gemm_activate_parallel), or 0.
 */
export function dense_forward_activate(z: usize, a: usize, x: usize, w: usize, b: usize, m: i32, k: i32, n: i32, act: i32): i32 {
  return gemm_activate_parallel(GEMM_NN, z, x, w, m, k, n, b, a, act);
}

/** dw (k, n) = xᵀ·dz; db (n) = Σ_rows dz; dx (m, k) = dz·wᵀ unless dx is 0 (first layer) */
export function dense_backward(dx: usize, dw: usize, db: usize, dz: usize, x: usize, w: usize, m: i32, k: i32, n: i32): void {
  layer_backward(dx, dw, db, dz, x, w, m, k, n, 0, 0, 0, 0, 0, 0);
}

/**
 * dense_backward in a training step, where the layer below has `below` inputs and had the rows of
 * its forward GEMM split over `belowParts` threads (step.ts LAYER_ROW_PARTS; 0: not): dx is split
 * by the same rows (input_gradient_parallel); 0 for none. Unless `squares` is 0, the Σ dW² of
 * each 4-row block goes there (gemm.ts gemm_squares_floats). Unless belowZ is 0, a split by rows
 * also turns dx, in place, into the layer below's δz (its z, a and activation belowAct); returns
 * whether it did.
 */
export function layer_backward(
  dx: usize, dw: usize, db: usize, dz: usize, x: usize, w: usize, m: i32, k: i32, n: i32, below: i32, belowParts: i32, squares: usize,
  belowZ: usize, belowA: usize, belowAct: i32,
): bool {
  let start = phase_start();
  gemm_owned_rows_parallel(GEMM_TN, dw, x, dz, k, m, n, squares); // matmul_tn, split as the update splits W
  start = phase_add(PHASE_BACKWARD_GEMM_WEIGHTS, start);
  bias_grad(db, dz, m, n);
  start = phase_add(PHASE_BIAS_GRADIENT, start);
  const activated = dx != 0 && input_gradient_parallel(dx, dz, w, m, n, k, below, belowParts, belowZ, belowA, belowAct);
  phase_add(PHASE_BACKWARD_GEMM_INPUTS, start);
  return activated;
}
