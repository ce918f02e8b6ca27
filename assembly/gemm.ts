// GEMM on raw pointers (not exported to JS): blocks of C (m, n) = op(A) · op(B), the one
// code path behind matmul_nn, matmul_tn and matmul_nt.
//
// Blocking (BLIS-style, sized for a 32 KiB L1 and 512 KiB L2): NC columns × KC values of the
// shared index p of op(B) packed once into per-thread scratch as 16-column panels; blocks of MC
// rows of C; and a 2×16 register-blocked f32x4 microkernel over each pair of rows and panel.
//
// p runs in K blocks of equal size (gemm_k_block): each element of C is the f32 sum of a·b over a
// block's p in order, added to the sum of the blocks before it, block by block. The order does not
// depend on the block an element falls in or on how C is split across threads, nor on whether a
// block's product is added to C at once or kept apart and added later (the depth split,
// threads.ts gemm_depth_parallel): results are independent of the thread count. Each step is a
// mul then an add (a lane rounds exactly like a scalar, the same bits in every engine), or, in
// the relaxed-SIMD build (assembly/build.mjs), f32x4.relaxed_madd: one fused multiply-add where
// the engine's hardware has one, so its bits depend on the engine and CPU, not on the thread
// count.

/** C (m, n) = A · B with A (m, k), B (k, n). */
export const GEMM_NN: i32 = 0;
/** C (m, n) = Aᵀ · B with A (k, m), B (k, n). */
export const GEMM_TN: i32 = 1;
/** C (m, n) = A · Bᵀ with A (m, k), B (n, k). */
export const GEMM_NT: i32 = 2;

/** The most values of p per pass: a packed 16-column panel (KC × 16 floats, 16 KiB) stays in L1. */
const KC: i32 = 256;
/** Columns of op(B) packed per pass (NC / 16 panels, KC × NC floats = 256 KiB, in L2). */
const NC: i32 = 256;
/** Rows of C per block: MC × KC floats of A (64 KiB) stay in L2 while the panels pass by. */
const MC: i32 = 64;
/** Scratch per thread: the packed panels, then one 2×16 tile for the column tail. */
export const PACK_BYTES: i32 = KC * NC * 4 + 2 * 16 * 4;

/**
 * The floats of the Σc² that gemm_kind_block leaves when asked, for C of m rows: four per 4-row
 * block (the lanes of an f32x4), each tile's squares added in as the microkernel finishes it, from
 * its registers, in column order (a training step's ‖g‖²; a pass over the weight gradients
 * instead took 17.2 µs of a 784-128-10 step on one thread). Each block is summed whole by the one
 * call that computes its rows, so the sums do not depend on how rows are split.
 */
export function gemm_squares_floats(m: i32): i32 {
  return ((m + 3) >> 2) << 2;
}

/**
 * The values of p per pass over a shared dimension k: k split into equal blocks of at most KC (784
 * → 4 × 196, not 3 × 256 + 16), so that a depth split's chunks (whole blocks) come out even.
 */
export function gemm_k_block(k: i32): i32 {
  const blocks = max(1, (k + KC - 1) / KC);
  return (k + blocks - 1) / blocks;
}

/** The K blocks a pass over k runs (gemm_k_block's). */
export function gemm_k_blocks(k: i32): i32 {
  const kc = max(1, gemm_k_block(k));
  return (k + kc - 1) / kc;
}

/**
 * Rows [r0, r1) × columns [c0, c1) of C (m, n) with shared dimension k; r0 is a multiple of 4 (a
 * block of the Σc² below) and c0 of 16 (a packed panel), so every element is computed as when C
 * is done in one call.
 * `pack` is this thread's PACK_BYTES scratch. Unless `squares` is 0, the Σc² of each 4-row block
 * (gemm_squares_floats) goes there; the call must then cover whole rows (c0 = 0, c1 = n).
 * [p0, p1) (a run of whole K blocks, gemm_k_block; all of k unless given) limits the sum to those
 * blocks: then C = their product alone.
 */
export function gemm_kind_block(kind: i32, c: usize, a: usize, b: usize, r0: i32, r1: i32, c0: i32, c1: i32, m: i32, k: i32, n: i32, pack: usize, squares: usize = 0, p0: i32 = 0, p1: i32 = -1): void {
  const end = p1 < 0 ? k : p1;
  if (kind == GEMM_NN) gemm_block(c, a, b, r0, r1, c0, c1, k, n, k, 1, n, 1, pack, squares, p0, end);
  else if (kind == GEMM_TN) gemm_block(c, a, b, r0, r1, c0, c1, k, n, 1, m, n, 1, pack, squares, p0, end);
  else gemm_block(c, a, b, r0, r1, c0, c1, k, n, k, 1, 1, k, pack, squares, p0, end);
}

// Operand strides, in floats: A element (i, p) at a[i·ars + p·acs], B element (p, j) at b[p·brs + j·bcs].
function gemm_block(
  c: usize, a: usize, b: usize, r0: i32, r1: i32, c0: i32, c1: i32, k: i32, n: i32,
  ars: i32, acs: i32, brs: i32, bcs: i32, pack: usize, squares: usize, pBegin: i32, pEnd: i32,
): void {
  if (pBegin >= pEnd) {
    for (let i = r0; i < r1; i++) memory.fill(c + (<usize>(i * n + c0) << 2), 0, <usize>(c1 - c0) << 2);
  }
  if (squares != 0) memory.fill(squares + (<usize>r0 << 2), 0, <usize>(gemm_squares_floats(r1) - r0) << 2);
  const step = gemm_k_block(k);
  if (r1 - r0 == 1 && bcs == 1 && squares == 0) {
    gemm_row_in_place(c + (<usize>(r0 * n) << 2), a + (<usize>(r0 * ars) << 2), b, c0, c1, acs, brs, pBegin, pEnd, step);
    return;
  }
  if (k == 1 && pBegin == 0 && pEnd == 1 && bcs == 1) {
    gemm_outer(c, a, b, r0, r1, c0, c1, n, ars, squares);
    return;
  }
  const tile = pack + <usize>(KC * NC * 4);
  for (let j0 = c0; j0 < c1; j0 += NC) {
    const j1 = min(c1, j0 + NC);
    for (let p0 = pBegin; p0 < pEnd; p0 += step) {
      const kc = min(step, pEnd - p0);
      const panelBytes = <usize>(kc * 16 * 4);
      // pack op(B) rows p0 … p0 + kc, columns j0 … j1 once, as 16-column panels
      for (let j = j0, q = pack; j < j1; j += 16, q += panelBytes) {
        pack_panel(q, b + (<usize>(p0 * brs + j * bcs) << 2), kc, min(16, n - j), brs, bcs);
      }
      const ap = a + (<usize>(p0 * acs) << 2);
      const finalSquares = p0 + kc >= k ? squares : 0; // the last pass leaves each element final
      for (let m0 = r0; m0 < r1; m0 += MC) {
        const m1 = min(r1, m0 + MC);
        for (let j = j0, q = pack; j < j1; j += 16, q += panelBytes) block(c, ap, q, tile, m0, m1, j, kc, n, ars, acs, p0 > pBegin, finalSquares);
      }
    }
  }
}

// One row of C, columns [c0, c1), from op(B)'s rows in place (bcs = 1): packing B costs as many
// loads and stores as one row's multiply-adds, so a lone row (a batch of one: predict, per-sample
// training) reads each line of B once instead, 16 columns at a time: 1×784·784×128 ran 3.5x
// faster than packed, 1×128·128×10 1.5x (bench/ab/wasm.ts gemm). Per element, the same
// multiply-adds in the same order, block by block, as the microkernels over packed panels: the
// same bits.
function gemm_row_in_place(c: usize, a: usize, b: usize, c0: i32, c1: i32, acs: i32, brs: i32, pBegin: i32, pEnd: i32, step: i32): void {
  const cs4 = <usize>acs << 2, rs4 = <usize>brs << 2;
  for (let p0 = pBegin; p0 < pEnd; p0 += step) {
    const kc = min(step, pEnd - p0), more = p0 > pBegin;
    const ap = a + <usize>p0 * cs4, bp = b + <usize>p0 * rs4;
    let j = c0;
    for (; j + 16 <= c1; j += 16) row_16(c + (<usize>j << 2), ap, bp + (<usize>j << 2), kc, cs4, rs4, more);
    for (; j < c1; j += 4) row_4(c + (<usize>j << 2), ap, bp + (<usize>j << 2), kc, cs4, rs4, more, min(4, c1 - j));
  }
}

// C = op(A)'s one column ⊗ op(B)'s one row (k = 1: the weight gradient of a batch of one row, in
// per-sample training), both read in place. Through the packed path each tile was a pass of the
// microkernel for one multiply-add per element: 784×1·1×128 ran at 5.0 GMAC/s, here at 13.6
// (bench/ab/wasm.ts gemm). Each element is madd(a, b, 0) as the microkernel computes it, and each
// 2×16 tile's Σc² goes into its 4-row block's slot as `block` adds it (outer_row, outer_squares):
// the same bits.
function gemm_outer(c: usize, a: usize, b: usize, r0: i32, r1: i32, c0: i32, c1: i32, n: i32, ars: i32, squares: usize): void {
  const zero = f32x4.splat(0);
  const n4 = <usize>n << 2, rs4 = <usize>ars << 2;
  for (let i = r0; i < r1; i += 4) {
    const rows = min(4, r1 - i);
    const ci = c + <usize>i * n4, ai = a + <usize>i * rs4;
    const slot = squares != 0 ? squares + (<usize>i << 2) : 0;
    let sum = slot != 0 ? v128.load(slot) : zero;
    let j = c0;
    if (rows == 4) { // whole 2×16 tiles, their squares row by row as gemm_2x16 adds them
      for (; j + 16 <= c1; j += 16) {
        const bj = b + (<usize>j << 2), cj = ci + (<usize>j << 2);
        const b0 = v128.load(bj), b1 = v128.load(bj, 16), b2 = v128.load(bj, 32), b3 = v128.load(bj, 48);
        sum = outer_row(cj, ai, b0, b1, b2, b3, sum, slot);
        sum = outer_row(cj + n4, ai + rs4, b0, b1, b2, b3, sum, slot);
        sum = outer_row(cj + 2 * n4, ai + 2 * rs4, b0, b1, b2, b3, sum, slot);
        sum = outer_row(cj + 3 * n4, ai + 3 * rs4, b0, b1, b2, b3, sum, slot);
      }
    }
    const first = j;
    if (rows == 4 && j + 8 <= c1) { // an edge tile's whole 8 columns (its squares after, whole)
      const a0 = v128.load32_splat(ai), a1 = v128.load32_splat(ai + rs4);
      const a2 = v128.load32_splat(ai + 2 * rs4), a3 = v128.load32_splat(ai + 3 * rs4);
      const bj = b + (<usize>j << 2), cj = ci + (<usize>j << 2);
      const b0 = v128.load(bj), b1 = v128.load(bj, 16);
      v128.store(cj, madd(a0, b0, zero)); v128.store(cj, madd(a0, b1, zero), 16);
      v128.store(cj + n4, madd(a1, b0, zero)); v128.store(cj + n4, madd(a1, b1, zero), 16);
      v128.store(cj + 2 * n4, madd(a2, b0, zero)); v128.store(cj + 2 * n4, madd(a2, b1, zero), 16);
      v128.store(cj + 3 * n4, madd(a3, b0, zero)); v128.store(cj + 3 * n4, madd(a3, b1, zero), 16);
      j += 8;
    }
    for (; j < c1; j += 8) { // a block's last rows, or its last columns
      const width = min(8, c1 - j);
      const bj = b + (<usize>j << 2), cj = ci + (<usize>j << 2);
      const b0 = lanes(bj, min(4, width)), b1 = width > 4 ? lanes(bj + 16, width - 4) : zero;
      for (let r = 0; r < rows; r++) {
        const av = v128.load32_splat(ai + <usize>r * rs4);
        const cr = cj + <usize>r * n4;
        store_lanes(cr, madd(av, b0, zero), min(4, width));
        if (width > 4) store_lanes(cr + 16, madd(av, b1, zero), width - 4);
      }
    }
    if (slot != 0) v128.store(slot, outer_squares(sum, ci, first, c1, n, rows));
  }
}

// One row of a whole 2×16 tile of gemm_outer: c = madd(a, b, 0) over its 16 columns (a the value
// at ai); sum plus the row's squares (row_squares) unless slot is 0.
// @ts-ignore: decorator
@inline function outer_row(c: usize, ai: usize, b0: v128, b1: v128, b2: v128, b3: v128, sum: v128, slot: usize): v128 {
  const zero = f32x4.splat(0), a = v128.load32_splat(ai);
  const v0 = madd(a, b0, zero), v1 = madd(a, b1, zero), v2 = madd(a, b2, zero), v3 = madd(a, b3, zero);
  v128.store(c, v0); v128.store(c, v1, 16); v128.store(c, v2, 32); v128.store(c, v3, 48);
  if (slot == 0) return sum;
  return f32x4.add(sum, row_squares(v0, v1, v2, v3));
}

// `sum` plus the Σc² of the tiles of gemm_outer's 4-row block at ci (`rows` rows) from column c0
// to c1, as `block` adds them: tile by tile in column order, the top two rows' before the bottom
// two's, a whole tile's rows one by one (row_squares, as gemm_2x16 and gemm_1x16 add them), an
// edge tile whole (tile_squares).
function outer_squares(sum: v128, ci: usize, c0: i32, c1: i32, n: i32, rows: i32): v128 {
  const n4 = <usize>n << 2;
  for (let j = c0; j < c1; j += 16) {
    const cj = ci + (<usize>j << 2);
    if (c1 - j >= 16) {
      for (let r = 0, cr = cj; r < rows; r++, cr += n4) {
        sum = f32x4.add(sum, row_squares_at(cr));
      }
    } else {
      sum = f32x4.add(sum, tile_squares(cj, n, min(2, rows), c1 - j));
      if (rows > 2) sum = f32x4.add(sum, tile_squares(cj + 2 * n4, n, rows - 2, c1 - j));
    }
  }
  return sum;
}

// The first `width` (1…4) lanes of v to p.
// @ts-ignore: decorator
@inline function store_lanes(p: usize, v: v128, width: i32): void {
  if (width == 4) {
    v128.store(p, v);
    return;
  }
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (width > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (width > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

// 16 columns of one row: four accumulators, one cache line of a row of B per p.
// @ts-ignore: decorator
@inline function row_16(c: usize, a: usize, b: usize, kc: i32, cs4: usize, rs4: usize, more: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  for (let p = 0; p < kc; p++, a += cs4, b += rs4) {
    const av = v128.load32_splat(a);
    c0 = madd(av, v128.load(b), c0); c1 = madd(av, v128.load(b, 16), c1);
    c2 = madd(av, v128.load(b, 32), c2); c3 = madd(av, v128.load(b, 48), c3);
  }
  if (more) {
    c0 = f32x4.add(v128.load(c), c0); c1 = f32x4.add(v128.load(c, 16), c1);
    c2 = f32x4.add(v128.load(c, 32), c2); c3 = f32x4.add(v128.load(c, 48), c3);
  }
  v128.store(c, c0); v128.store(c, c1, 16); v128.store(c, c2, 32); v128.store(c, c3, 48);
}

// `width` (1…4) columns of one row; a narrower one reads and writes only its own columns.
// @ts-ignore: decorator
@inline function row_4(c: usize, a: usize, b: usize, kc: i32, cs4: usize, rs4: usize, more: bool, width: i32): void {
  let acc = f32x4.splat(0);
  for (let p = 0; p < kc; p++, a += cs4, b += rs4) acc = madd(v128.load32_splat(a), lanes(b, width), acc);
  if (more) acc = f32x4.add(lanes(c, width), acc);
  store_lanes(c, acc, width);
}

// The first `width` floats at p as an f32x4 (zero past them, never read).
// @ts-ignore: decorator
@inline function lanes(p: usize, width: i32): v128 {
  if (width == 4) return v128.load(p);
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (width > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (width > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

// Rows [m0, m1) × columns [j, j + 16) of C from one packed panel, two rows at a time. A column
// tail (n − j < 16) runs the kernels of 16 columns, or of 8 (the panel's first 8: half the work)
// when it has at most 8, on a tile beside the panel, and copies the valid columns back; a tail of
// exactly 8 needs no tile. Unless `squares` is 0, each tile's Σc² is added to its 4-row block's
// f32x4 there (m0 is a multiple of 4: the top two rows' tile, then the bottom two's).
function block(c: usize, a: usize, pack: usize, tile: usize, m0: i32, m1: i32, j: i32, kc: i32, n: i32, ars: i32, acs: i32, more: bool, squares: usize): void {
  const width = min(16, n - j);
  for (let i = m0; i < m1; i += 2) {
    const rows = min(2, m1 - i);
    const ci = c + (<usize>(i * n + j) << 2);
    const ai = a + (<usize>(i * ars) << 2);
    const slot = squares != 0 ? squares + (<usize>(i & ~3) << 2) : 0;
    if (width == 16 && rows == 2) {
      gemm_2x16(ci, n, ai, pack, kc, ars, acs, more, slot);
    } else {
      if (width == 16) {
        gemm_1x16(ci, ai, pack, kc, acs, more);
      } else if (width == 8) {
        micro_8(ci, n, ai, pack, kc, ars, acs, rows, more);
      } else {
        const wide = width > 8 ? 16 : 8;
        copy_tile(tile, wide, ci, n, rows, width, more);
        if (wide == 16) micro(tile, 16, ai, pack, kc, ars, acs, rows, more);
        else micro_8(tile, 8, ai, pack, kc, ars, acs, rows, more);
        copy_tile(ci, n, tile, wide, rows, width, true);
      }
      if (slot != 0) v128.store(slot, f32x4.add(v128.load(slot), tile_squares(ci, n, rows, width)));
    }
  }
}

// Σc² of the tile `rows` × `width` of C (row stride n), in f32x4 lanes: a full-width row's four
// vectors (row_squares, as gemm_2x16 adds them), row by row; a narrower tile's elements in lane
// 0, row by row.
function tile_squares(c: usize, n: i32, rows: i32, width: i32): v128 {
  const n4 = <usize>n << 2;
  let sum = f32x4.splat(0);
  for (let r = 0; r < rows; r++, c += n4) {
    if (width == 16) {
      sum = f32x4.add(sum, row_squares_at(c));
    } else {
      for (let q = 0; q < width; q++) {
        const v = load<f32>(c + (<usize>q << 2));
        sum = f32x4.replace_lane(sum, 0, f32x4.extract_lane(sum, 0) + v * v);
      }
    }
  }
  return sum;
}

// op(B) rows p0 … p0 + kc, `width` columns → pack (kc × 16, zero past width)
function pack_panel(pack: usize, b: usize, kc: i32, width: i32, brs: i32, bcs: i32): void {
  const rs4 = <usize>brs << 2, cs4 = <usize>bcs << 2;
  if (width == 16 && bcs == 1) {
    for (let p = 0; p < kc; p++, b += rs4, pack += 64) {
      v128.store(pack, v128.load(b)); v128.store(pack, v128.load(b, 16), 16);
      v128.store(pack, v128.load(b, 32), 32); v128.store(pack, v128.load(b, 48), 48);
    }
    return;
  }
  const zero = f32x4.splat(0);
  for (let p = 0; p < kc; p++, b += rs4, pack += 64) {
    v128.store(pack, zero); v128.store(pack, zero, 16); v128.store(pack, zero, 32); v128.store(pack, zero, 48);
    for (let j = 0; j < width; j++) store<f32>(pack + (<usize>j << 2), load<f32>(b + <usize>j * cs4));
  }
}

// rows × width (< 8) floats between two row-major blocks (zero-fill the destination when !copy).
// Scalar loops: memory.copy and memory.fill of so few bytes cost more than the copy itself (a
// 1000×32×2 GEMM spent most of its time in them).
function copy_tile(dst: usize, dstStride: i32, src: usize, srcStride: i32, rows: i32, width: i32, copy: bool): void {
  for (let r = 0; r < rows; r++) {
    const d = dst + (<usize>(r * dstStride) << 2), s = src + (<usize>(r * srcStride) << 2);
    for (let j = 0; j < width; j++) store<f32>(d + (<usize>j << 2), copy ? load<f32>(s + (<usize>j << 2)) : 0);
  }
}

// c + a·b in every lane: fused in the relaxed-SIMD build (on a CPU with FMA, 1.2x the training
// rate of the separate mul and add on one Zen 4 core), else rounded after the multiply too.
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// `rows` (1 or 2) rows × 16 columns of C (row stride ldc) = [C +] (A rows · packed panel over kc
// values of p)
// @ts-ignore: decorator
@inline function micro(c: usize, ldc: i32, a: usize, pack: usize, kc: i32, ars: i32, acs: i32, rows: i32, more: bool): void {
  if (rows == 2) gemm_2x16(c, ldc, a, pack, kc, ars, acs, more, 0);
  else gemm_1x16(c, a, pack, kc, acs, more);
}

// Σ v² over a row's four vectors, in the order gemm_2x16 and tile_squares both add them.
// @ts-ignore: decorator
@inline function row_squares(v0: v128, v1: v128, v2: v128, v3: v128): v128 {
  return f32x4.add(f32x4.add(f32x4.mul(v0, v0), f32x4.mul(v1, v1)), f32x4.add(f32x4.mul(v2, v2), f32x4.mul(v3, v3)));
}

// row_squares of the 16 floats at p.
// @ts-ignore: decorator
@inline function row_squares_at(p: usize): v128 {
  return row_squares(v128.load(p), v128.load(p, 16), v128.load(p, 32), v128.load(p, 48));
}

// 2 rows × 16 columns of C in 8 f32x4 registers: per p, four vector loads of the packed panel,
// two scalar loads of A broadcast, eight multiply-adds (the register-blocked microkernel). 4×8
// broadcast four values per eight multiply-adds, and on x86 a broadcast takes a vector port that
// the multiplies and adds need: in L1 on one Zen 4 core 2×16 ran at 42.3 GFLOP/s against 40.6
// (relaxed SIMD 54.9 against 51.6), while 3×16 outgrew V8's sixteen xmm registers (29.0). With
// `more`, the block's product is then added to C. Unless `slot` is 0, the tile's Σc² from the
// registers, row by row (row_squares), is added to the f32x4 there.
// @ts-ignore: decorator
@inline function gemm_2x16(c: usize, ldc: i32, a: usize, b: usize, kc: i32, ars: i32, acs: i32, more: bool, slot: usize): void {
  const l4 = <usize>ldc << 2;
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
  const rs4 = <usize>ars << 2, cs4 = <usize>acs << 2;
  let ap = a, bp = b;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16), b2 = v128.load(bp, 32), b3 = v128.load(bp, 48);
    let av = v128.load32_splat(ap);
    c00 = madd(av, b0, c00); c01 = madd(av, b1, c01); c02 = madd(av, b2, c02); c03 = madd(av, b3, c03);
    av = v128.load32_splat(ap + rs4);
    c10 = madd(av, b0, c10); c11 = madd(av, b1, c11); c12 = madd(av, b2, c12); c13 = madd(av, b3, c13);
    ap += cs4;
    bp += 64;
  }
  if (more) {
    c00 = f32x4.add(v128.load(c), c00); c01 = f32x4.add(v128.load(c, 16), c01);
    c02 = f32x4.add(v128.load(c, 32), c02); c03 = f32x4.add(v128.load(c, 48), c03);
    c10 = f32x4.add(v128.load(c + l4), c10); c11 = f32x4.add(v128.load(c + l4, 16), c11);
    c12 = f32x4.add(v128.load(c + l4, 32), c12); c13 = f32x4.add(v128.load(c + l4, 48), c13);
  }
  v128.store(c, c00); v128.store(c, c01, 16); v128.store(c, c02, 32); v128.store(c, c03, 48);
  v128.store(c + l4, c10); v128.store(c + l4, c11, 16); v128.store(c + l4, c12, 32); v128.store(c + l4, c13, 48);
  if (slot != 0) {
    const sum = f32x4.add(v128.load(slot), row_squares(c00, c01, c02, c03));
    v128.store(slot, f32x4.add(sum, row_squares(c10, c11, c12, c13)));
  }
}

// One row × 16 columns: a row left below a multiple of 2.
// @ts-ignore: decorator
@inline function gemm_1x16(c: usize, a: usize, b: usize, kc: i32, acs: i32, more: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  const cs4 = <usize>acs << 2;
  let ap = a, bp = b;
  for (let p = 0; p < kc; p++) {
    const av = v128.load32_splat(ap);
    c0 = madd(av, v128.load(bp), c0); c1 = madd(av, v128.load(bp, 16), c1);
    c2 = madd(av, v128.load(bp, 32), c2); c3 = madd(av, v128.load(bp, 48), c3);
    ap += cs4;
    bp += 64;
  }
  if (more) {
    c0 = f32x4.add(v128.load(c), c0); c1 = f32x4.add(v128.load(c, 16), c1);
    c2 = f32x4.add(v128.load(c, 32), c2); c3 = f32x4.add(v128.load(c, 48), c3);
  }
  v128.store(c, c0); v128.store(c, c1, 16); v128.store(c, c2, 32); v128.store(c, c3, 48);
}

// `rows` (1 or 2) rows × 8 columns of C (row stride ldc) from the first 8 columns of a packed
// 16-column panel: a column tail of at most 8.
// @ts-ignore: decorator
@inline function micro_8(c: usize, ldc: i32, a: usize, pack: usize, kc: i32, ars: i32, acs: i32, rows: i32, more: bool): void {
  const l4 = <usize>ldc << 2, rs4 = <usize>ars << 2, cs4 = <usize>acs << 2;
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let ap = a, bp = pack;
  if (rows == 2) {
    for (let p = 0; p < kc; p++, ap += cs4, bp += 64) {
      const b0 = v128.load(bp), b1 = v128.load(bp, 16);
      let av = v128.load32_splat(ap);
      c00 = madd(av, b0, c00); c01 = madd(av, b1, c01);
      av = v128.load32_splat(ap + rs4);
      c10 = madd(av, b0, c10); c11 = madd(av, b1, c11);
    }
  } else {
    for (let p = 0; p < kc; p++, ap += cs4, bp += 64) {
      const av = v128.load32_splat(ap);
      c00 = madd(av, v128.load(bp), c00); c01 = madd(av, v128.load(bp, 16), c01);
    }
  }
  if (more) {
    c00 = f32x4.add(v128.load(c), c00); c01 = f32x4.add(v128.load(c, 16), c01);
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  if (rows == 2) {
    if (more) {
      c10 = f32x4.add(v128.load(c + l4), c10); c11 = f32x4.add(v128.load(c + l4, 16), c11);
    }
    v128.store(c + l4, c10); v128.store(c + l4, c11, 16);
  }
}
