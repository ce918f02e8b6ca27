// The AVX-512 microkernel: up to MR × 32 register block (2·MR zmm accumulators), edge columns
// through opmask registers. This translation unit is compiled with the AVX-512 flags; matmul.cc
// selects it only when cpu_has_avx512(). Keep standard-library headers out of it (see
// gemm_ukernel.h).
// GCC 12's AVX-512 headers start some intrinsics from an "undefined" register that its own
// -W(maybe-)uninitialized then flags (GCC bug 105593, fixed in 12.3 and 13).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include "gemm_ukernel.h"
#include "peak_chains.h"

namespace mlpx {

namespace {

// 12 rows: 24 accumulators, 2 B vectors and a broadcast fill 27 of the 32 zmm registers, and a K
// step's 24 FMAs outlast its 14 loads on two FMA pipes.
constexpr int MR = 12;
constexpr int NR = 32;

// Lanes j < valid (clamped to 0…16) of one zmm.
inline __mmask16 lanes(int valid) {
  if (valid <= 0) return 0;
  if (valid >= 16) return 0xFFFF;
  return static_cast<__mmask16>((1u << valid) - 1u);
}

// The finished values: (c + acc) + bias, the same order as the scalar reference. Lanes outside
// `mask` come out 0, so they add nothing to the tile's sum of squares.
inline __m512 finish(const float* c, __m512 acc, __mmask16 mask, const Epilogue& e, int column) {
  if (e.accumulate) acc = _mm512_add_ps(_mm512_maskz_loadu_ps(mask, c), acc);
  if (e.bias) acc = _mm512_add_ps(acc, _mm512_maskz_loadu_ps(mask, e.bias + column));
  return _mm512_maskz_mov_ps(mask, acc);
}

/** A tile's columns: all 32; 17–31, through masks; 1–16, one zmm (a classifier's output layer). */
enum Width { kFull, kMasked, kHalf };

// ROWS × 32 block; edge tiles (ROWS < MR, or nr < 32) run the same per-element FMA chain as full
// ones and store only their valid part. TRANSPOSED: A is read as Aᵀ through a.k_rows. An edge
// tile's B is read through masks, so nothing past nr is touched (B may be read in place); a kHalf
// tile computes only its first 16 columns, twice the rate of a masked 32-wide tile.
template <int ROWS, bool TRANSPOSED, Width WIDTH>
void tile(long kc, const APanel& a, const float* b, long ldb, float* c, long ldc, int nr, const Epilogue& e) {
  constexpr bool FULL = WIDTH == kFull, HALF = WIDTH == kHalf;
  const __mmask16 mask0 = lanes(nr), mask1 = lanes(nr - 16);
  __m512 acc[ROWS][2];
  // Every loop over rows is fully unrolled, so acc lives in registers.
#pragma GCC unroll 16
  for (int r = 0; r < ROWS; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
  const float* rows[ROWS];
#pragma GCC unroll 16
  for (int r = 0; r < ROWS; ++r) rows[r] = a.rows[r];
#pragma GCC unroll 2
  for (long p = 0; p < kc; ++p) {
    const __m512 b0 = FULL ? _mm512_loadu_ps(b) : _mm512_maskz_loadu_ps(mask0, b);
    const __m512 b1 = FULL ? _mm512_loadu_ps(b + 16) : HALF ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(mask1, b + 16);
    const float* k_row = TRANSPOSED ? k_step(a, p) : nullptr;
    if (TRANSPOSED) prefetch_k_step(a, p, kc, ROWS);
#pragma GCC unroll 16
    for (int r = 0; r < ROWS; ++r) {
      const __m512 av = _mm512_set1_ps(TRANSPOSED ? k_row[r] : rows[r][p]);
      acc[r][0] = _mm512_fmadd_ps(av, b0, acc[r][0]);
      if (!HALF) acc[r][1] = _mm512_fmadd_ps(av, b1, acc[r][1]);
    }
    b += ldb;
  }
  const bool squares = e.sum_squares != nullptr;
  __m512 row_sums[ROWS];
#pragma GCC unroll 16
  for (int r = 0; r < ROWS; ++r) {
    float* row = c + r * ldc;
    const __m512 v0 = finish(row, acc[r][0], mask0, e, 0);
    const __m512 v1 = finish(row + 16, acc[r][1], mask1, e, 16);
    _mm512_mask_storeu_ps(row, mask0, v0);
    _mm512_mask_storeu_ps(row + 16, mask1, v1);
    if (squares) row_sums[r] = _mm512_fmadd_ps(v1, v1, _mm512_mul_ps(v0, v0));
  }
  if (squares) {
    // Rows summed pairwise, not in one chain (a chain of dependent adds costs more than the
    // epilogue's stores at small K).
    __m512 sum = row_sums[0];
#pragma GCC unroll 16
    for (int r = 1; r < ROWS; r += 2)
      sum = _mm512_add_ps(sum, r + 1 < ROWS ? _mm512_add_ps(row_sums[r], row_sums[r + 1]) : row_sums[r]);
    *e.sum_squares = _mm512_reduce_add_ps(sum);  // a fixed tree of adds
  }
}

template <int ROWS, bool TRANSPOSED, Width WIDTH>
void dispatch(long kc, const APanel& a, const float* b, long ldb, float* c, long ldc, int mr, int nr,
              const Epilogue& e) {
  if constexpr (ROWS > 1) {
    if (mr < ROWS) return dispatch<ROWS - 1, TRANSPOSED, WIDTH>(kc, a, b, ldb, c, ldc, mr, nr, e);
  }
  tile<ROWS, TRANSPOSED, WIDTH>(kc, a, b, ldb, c, ldc, nr, e);
}

template <bool TRANSPOSED>
void dispatch_width(long kc, const APanel& a, const float* b, long ldb, float* c, long ldc, int mr, int nr,
                    const Epilogue& e) {
  if (nr == NR) return dispatch<MR, TRANSPOSED, kFull>(kc, a, b, ldb, c, ldc, mr, nr, e);
  if (nr <= NR / 2) return dispatch<MR, TRANSPOSED, kHalf>(kc, a, b, ldb, c, ldc, mr, nr, e);
  dispatch<MR, TRANSPOSED, kMasked>(kc, a, b, ldb, c, ldc, mr, nr, e);
}

void ukernel_avx512(long kc, const APanel& a, const float* b, long ldb, float* c, long ldc, int mr, int nr,
                    const Epilogue& epilogue) {
  if (a.k_rows) return dispatch_width<true>(kc, a, b, ldb, c, ldc, mr, nr, epilogue);
  dispatch_width<false>(kc, a, b, ldb, c, ldc, mr, nr, epilogue);
}

struct PeakOps {
  using Vector = __m512;
  static constexpr int kLanes = 16;
  static Vector set1(float x) { return _mm512_set1_ps(x); }
  static Vector fmadd(Vector a, Vector b, Vector c) { return _mm512_fmadd_ps(a, b, c); }
  static Vector add(Vector a, Vector b) { return _mm512_add_ps(a, b); }
  static float sum(Vector v) { return _mm512_reduce_add_ps(v); }
};

}  // namespace

// Blocking for a 48 KiB L1d / 1 MiB L2 core (Zen 5; Zen 4 and Intel server cores have 1–2 MiB
// L2). An MR × KC A micro-panel (18 KiB) stays in L1 while the KC × NC B block (784 KiB) streams
// from L2. KC 392 makes a 784-input layer two K blocks, not four of 196: each tile's C is read back
// and rewritten once instead of three times, and a depth-split forward pass keeps one block's
// product apart instead of two. Against KC 256 (CPU-time A/B, ab.ts): inference of 784-128-10 at
// batch 1024 1.026x, 128×784·784×128 1.038x, training at batch 128 1.005x on one thread and
// 1.040x on two.
const GemmKernel kGemmAvx512{"avx512", ukernel_avx512, MR, NR, /*kc=*/392, /*mc=*/192,
                             /*nc=*/512, /*prefetch_a_panels=*/false,
                             peak_chains_of<PeakOps>};

}  // namespace mlpx
