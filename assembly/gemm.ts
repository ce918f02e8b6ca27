// GEMM building blocks on raw pointers (not exported to JS): row ranges of C = op(A) · op(B).
//
// Every element of C is computed the same way on every path (microkernel, edges, any thread
// split): nn/tn sum a·b in f32 over p = 0, 1, …, k−1 in order (f32x4 mul then add — no fused
// multiply-add, so a lane and a scalar round identically); nt sums four lanes over p ≡ l (mod 4),
// then (l0 + l1) + (l2 + l3), then the tail in order. So results never depend on tiling or on
// the thread count.

/** C (m, n) = A · B with A (m, k): element (i, p) at a[i·k + p]. */
export const GEMM_NN: i32 = 0;
/** C (m, n) = Aᵀ · B with A (k, m): element (i, p) at a[p·m + i]. */
export const GEMM_TN: i32 = 1;
/** C (m, n) = A · Bᵀ with A (m, k), B (n, k). */
export const GEMM_NT: i32 = 2;

/** Rows [r0, r1) of C for nn/tn. The A element (i, p) is at a + 4·(i·rowStride + p·colStride). */
export function gemm_rows(c: usize, a: usize, b: usize, r0: i32, r1: i32, k: i32, n: i32, rowStride: i32, colStride: i32): void {
  const n8 = n & ~7;
  let i = r0;
  for (; i + 4 <= r1; i += 4) {
    let j = 0;
    for (; j < n8; j += 8) gemm_4x8(c, a, b, i, j, k, n, rowStride, colStride);
    for (let r = i; r < i + 4; r++) gemm_1xtail(c, a, b, r, j, k, n, rowStride, colStride);
  }
  for (; i < r1; i++) {
    let j = 0;
    for (; j < n8; j += 8) gemm_1x8(c, a, b, i, j, k, n, rowStride, colStride);
    gemm_1xtail(c, a, b, i, j, k, n, rowStride, colStride);
  }
}

// 4 rows × 8 columns of C in 8 f32x4 registers: per p, two vector loads of B, four scalar loads
// of A broadcast, eight multiply-adds (the register-blocked microkernel).
// @ts-ignore: decorator
@inline function gemm_4x8(c: usize, a: usize, b: usize, i: i32, j: i32, k: i32, n: i32, rs: i32, cs: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let ap = a + (<usize>(i * rs) << 2);
  let bp = b + (<usize>j << 2);
  const rs4 = <usize>rs << 2, cs4 = <usize>cs << 2, n4 = <usize>n << 2;
  for (let p = 0; p < k; p++) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    let av = f32x4.splat(load<f32>(ap));
    c00 = f32x4.add(c00, f32x4.mul(av, b0)); c01 = f32x4.add(c01, f32x4.mul(av, b1));
    av = f32x4.splat(load<f32>(ap + rs4));
    c10 = f32x4.add(c10, f32x4.mul(av, b0)); c11 = f32x4.add(c11, f32x4.mul(av, b1));
    av = f32x4.splat(load<f32>(ap + 2 * rs4));
    c20 = f32x4.add(c20, f32x4.mul(av, b0)); c21 = f32x4.add(c21, f32x4.mul(av, b1));
    av = f32x4.splat(load<f32>(ap + 3 * rs4));
    c30 = f32x4.add(c30, f32x4.mul(av, b0)); c31 = f32x4.add(c31, f32x4.mul(av, b1));
    ap += cs4;
    bp += n4;
  }
  const cp = c + (<usize>(i * n + j) << 2);
  v128.store(cp, c00); v128.store(cp, c01, 16);
  v128.store(cp + n4, c10); v128.store(cp + n4, c11, 16);
  v128.store(cp + 2 * n4, c20); v128.store(cp + 2 * n4, c21, 16);
  v128.store(cp + 3 * n4, c30); v128.store(cp + 3 * n4, c31, 16);
}

// One row × 8 columns: rows left over below a multiple of 4.
// @ts-ignore: decorator
@inline function gemm_1x8(c: usize, a: usize, b: usize, i: i32, j: i32, k: i32, n: i32, rs: i32, cs: i32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  let ap = a + (<usize>(i * rs) << 2);
  let bp = b + (<usize>j << 2);
  const cs4 = <usize>cs << 2, n4 = <usize>n << 2;
  for (let p = 0; p < k; p++) {
    const av = f32x4.splat(load<f32>(ap));
    c0 = f32x4.add(c0, f32x4.mul(av, v128.load(bp)));
    c1 = f32x4.add(c1, f32x4.mul(av, v128.load(bp, 16)));
    ap += cs4;
    bp += n4;
  }
  const cp = c + (<usize>(i * n + j) << 2);
  v128.store(cp, c0);
  v128.store(cp, c1, 16);
}

// Columns [j, n) of one row (fewer than 8): four at a time, then one at a time.
function gemm_1xtail(c: usize, a: usize, b: usize, i: i32, j: i32, k: i32, n: i32, rs: i32, cs: i32): void {
  const cs4 = <usize>cs << 2, n4 = <usize>n << 2;
  const a0 = a + (<usize>(i * rs) << 2);
  const crow = c + (<usize>(i * n) << 2);
  if (j + 4 <= n) {
    let acc = f32x4.splat(0);
    let ap = a0, bp = b + (<usize>j << 2);
    for (let p = 0; p < k; p++) {
      acc = f32x4.add(acc, f32x4.mul(f32x4.splat(load<f32>(ap)), v128.load(bp)));
      ap += cs4;
      bp += n4;
    }
    v128.store(crow + (<usize>j << 2), acc);
    j += 4;
  }
  for (; j < n; j++) {
    let acc: f32 = 0;
    let ap = a0, bp = b + (<usize>j << 2);
    for (let p = 0; p < k; p++) {
      acc += load<f32>(ap) * load<f32>(bp);
      ap += cs4;
      bp += n4;
    }
    store<f32>(crow + (<usize>j << 2), acc);
  }
}

/** Rows [r0, r1) of C (m, n) = A (m, k) · Bᵀ, B (n, k): dot products of contiguous rows. */
export function gemm_nt_rows(c: usize, a: usize, b: usize, r0: i32, r1: i32, k: i32, n: i32): void {
  const k4 = <usize>k << 2;
  for (let i = r0; i < r1; i++) {
    const ar = a + <usize>i * k4;
    const cr = c + (<usize>(i * n) << 2);
    let j = 0;
    for (; j + 4 <= n; j += 4) dot_1x4(cr + (<usize>j << 2), ar, b + <usize>j * k4, k);
    for (; j < n; j++) store<f32>(cr + (<usize>j << 2), dot(ar, b + <usize>j * k4, k));
  }
}

// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

// Four dot products sharing the A row: c[0..4) = a · b_j for rows b, b + k, b + 2k, b + 3k.
// @ts-ignore: decorator
@inline function dot_1x4(c: usize, a: usize, b: usize, k: i32): void {
  const k4 = <usize>k << 2;
  const kv = k & ~3;
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
  for (let p = 0; p < kv; p += 4) {
    const off = <usize>p << 2;
    const av = v128.load(a + off);
    s0 = f32x4.add(s0, f32x4.mul(av, v128.load(b + off)));
    s1 = f32x4.add(s1, f32x4.mul(av, v128.load(b + k4 + off)));
    s2 = f32x4.add(s2, f32x4.mul(av, v128.load(b + 2 * k4 + off)));
    s3 = f32x4.add(s3, f32x4.mul(av, v128.load(b + 3 * k4 + off)));
  }
  let t0 = hsum(s0), t1 = hsum(s1), t2 = hsum(s2), t3 = hsum(s3);
  for (let p = kv; p < k; p++) {
    const off = <usize>p << 2;
    const av = load<f32>(a + off);
    t0 += av * load<f32>(b + off);
    t1 += av * load<f32>(b + k4 + off);
    t2 += av * load<f32>(b + 2 * k4 + off);
    t3 += av * load<f32>(b + 3 * k4 + off);
  }
  store<f32>(c, t0); store<f32>(c, t1, 4); store<f32>(c, t2, 8); store<f32>(c, t3, 12);
}

// One dot product, in exactly dot_1x4's order.
function dot(a: usize, b: usize, k: i32): f32 {
  const kv = k & ~3;
  let s = f32x4.splat(0);
  for (let p = 0; p < kv; p += 4) {
    const off = <usize>p << 2;
    s = f32x4.add(s, f32x4.mul(v128.load(a + off), v128.load(b + off)));
  }
  let t = hsum(s);
  for (let p = kv; p < k; p++) t += load<f32>(a + (<usize>p << 2)) * load<f32>(b + (<usize>p << 2));
  return t;
}

/** Rows [r0, r1) of a GEMM of the given kind; C is (m, n) and the shared dimension is k. */
export function gemm_kind_rows(kind: i32, c: usize, a: usize, b: usize, r0: i32, r1: i32, m: i32, k: i32, n: i32): void {
  if (kind == GEMM_NN) gemm_rows(c, a, b, r0, r1, k, n, k, 1);
  else if (kind == GEMM_TN) gemm_rows(c, a, b, r0, r1, k, n, 1, m);
  else gemm_nt_rows(c, a, b, r0, r1, k, n);
}
