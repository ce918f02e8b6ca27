// The AVX2/FMA microkernel: up to 6 × 16 register block (12 ymm accumulators). This translation
// unit is compiled with -mavx2 -mfma; matmul.cc selects it only when the CPU reports both. Keep
// standard-library headers out of it (see gemm_ukernel.h).
#include <immintrin.h>

#include "gemm_ukernel.h"
#include "peak_chains.h"

namespace mlpx {

namespace {

constexpr int MR = 6;
constexpr int NR = 16;

// Lanes j < valid are all-ones: masked loads and stores touch only the tile's real columns.
inline __m256i lane_mask(int valid) {
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(valid), lanes);
}

// The finished values: (c + acc) + bias, the same order as the scalar reference.
inline __m256 finish(const float* c, __m256 acc, const Epilogue& e, int column) {
  if (e.accumulate) acc = _mm256_add_ps(_mm256_loadu_ps(c), acc);
  if (e.bias) acc = _mm256_add_ps(acc, _mm256_loadu_ps(e.bias + column));
  return acc;
}

inline __m256 finish_masked(const float* c, __m256 acc, __m256i mask, const Epilogue& e, int column) {
  if (e.accumulate) acc = _mm256_add_ps(_mm256_maskload_ps(c, mask), acc);
  if (e.bias) acc = _mm256_add_ps(acc, _mm256_maskload_ps(e.bias + column, mask));
  return _mm256_and_ps(acc, _mm256_castsi256_ps(mask));  // masked-off lanes are 0: not squared in
}

inline float horizontal_sum(__m256 v) {
  const __m128 half = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 pair = _mm_add_ps(half, _mm_movehl_ps(half, half));
  return _mm_cvtss_f32(_mm_add_ss(pair, _mm_shuffle_ps(pair, pair, 1)));
}

// ROWS × 16 block; edge tiles (ROWS < 6, or nr < 16) run the same per-element FMA chain as full
// ones and store only their valid part, so no element's arithmetic depends on where it lies.
// TRANSPOSED: A is read as Aᵀ through a.k_rows. FULL: nr == NR, so B rows are read whole; an edge
// tile's B is read through a mask, so nothing past nr is touched (B may be read in place).
template <int ROWS, bool TRANSPOSED, bool FULL>
void tile(long kc, const APanel& a, const float* b, long ldb, float* c, long ldc, int nr, const Epilogue& e) {
  const __m256i mask0 = lane_mask(nr), mask1 = lane_mask(nr - 8);
  __m256 acc[ROWS][2];
  // Every loop over rows is fully unrolled, so acc lives in registers (any loop left rolled makes
  // GCC keep the array in memory and store it on every K step).
#pragma GCC unroll 6
  for (int r = 0; r < ROWS; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
  const float* rows[ROWS];
#pragma GCC unroll 6
  for (int r = 0; r < ROWS; ++r) rows[r] = a.rows[r];
#pragma GCC unroll 4
  for (long p = 0; p < kc; ++p) {
    const __m256 b0 = FULL ? _mm256_loadu_ps(b) : _mm256_maskload_ps(b, mask0);
    const __m256 b1 = FULL ? _mm256_loadu_ps(b + 8) : _mm256_maskload_ps(b + 8, mask1);
    const float* k_row = TRANSPOSED ? k_step(a, p) : nullptr;
    if (TRANSPOSED) prefetch_k_step(a, p, kc, ROWS);
#pragma GCC unroll 6
    for (int r = 0; r < ROWS; ++r) {
      const __m256 av = _mm256_broadcast_ss(TRANSPOSED ? k_row + r : rows[r] + p);
      acc[r][0] = _mm256_fmadd_ps(av, b0, acc[r][0]);
      acc[r][1] = _mm256_fmadd_ps(av, b1, acc[r][1]);
    }
    b += ldb;
  }
  const bool squares = e.sum_squares != nullptr;
  __m256 row_sums[ROWS];
  if (FULL) {
#pragma GCC unroll 6
    for (int r = 0; r < ROWS; ++r) {
      const __m256 v0 = finish(c + r * ldc, acc[r][0], e, 0), v1 = finish(c + r * ldc + 8, acc[r][1], e, 8);
      _mm256_storeu_ps(c + r * ldc, v0);
      _mm256_storeu_ps(c + r * ldc + 8, v1);
      if (squares) row_sums[r] = _mm256_fmadd_ps(v1, v1, _mm256_mul_ps(v0, v0));
    }
  } else {
#pragma GCC unroll 6
    for (int r = 0; r < ROWS; ++r) {
      const __m256 v0 = finish_masked(c + r * ldc, acc[r][0], mask0, e, 0);
      const __m256 v1 = finish_masked(c + r * ldc + 8, acc[r][1], mask1, e, 8);
      _mm256_maskstore_ps(c + r * ldc, mask0, v0);
      _mm256_maskstore_ps(c + r * ldc + 8, mask1, v1);
      if (squares) row_sums[r] = _mm256_fmadd_ps(v1, v1, _mm256_mul_ps(v0, v0));
    }
  }
  if (squares) {
    // Rows summed pairwise, not in one chain: a chain of 12 dependent FMAs cost 5% of a GEMM
    // with K = 128.
    __m256 sum = row_sums[0];
#pragma GCC unroll 6
    for (int r = 1; r < ROWS; r += 2)
      sum = _mm256_add_ps(sum, r + 1 < ROWS ? _mm256_add_ps(row_sums[r], row_sums[r + 1]) : row_sums[r]);
    *e.sum_squares = horizontal_sum(sum);
  }
}

template <bool TRANSPOSED, bool FULL>
void dispatch(long kc, const APanel& a, const float* b, long ldb, float* c, long ldc, int mr, int nr,
              const Epilogue& e) {
  switch (mr) {
    case 6: return tile<6, TRANSPOSED, FULL>(kc, a, b, ldb, c, ldc, nr, e);
    case 5: return tile<5, TRANSPOSED, FULL>(kc, a, b, ldb, c, ldc, nr, e);
    case 4: return tile<4, TRANSPOSED, FULL>(kc, a, b, ldb, c, ldc, nr, e);
    case 3: return tile<3, TRANSPOSED, FULL>(kc, a, b, ldb, c, ldc, nr, e);
    case 2: return tile<2, TRANSPOSED, FULL>(kc, a, b, ldb, c, ldc, nr, e);
    default: return tile<1, TRANSPOSED, FULL>(kc, a, b, ldb, c, ldc, nr, e);
  }
}

void ukernel_avx2(long kc, const APanel& a, const float* b, long ldb, float* c, long ldc, int mr, int nr,
                  const Epilogue& epilogue) {
  if (a.k_rows) {
    if (nr == NR) return dispatch<true, true>(kc, a, b, ldb, c, ldc, mr, nr, epilogue);
    return dispatch<true, false>(kc, a, b, ldb, c, ldc, mr, nr, epilogue);
  }
  if (nr == NR) return dispatch<false, true>(kc, a, b, ldb, c, ldc, mr, nr, epilogue);
  dispatch<false, false>(kc, a, b, ldb, c, ldc, mr, nr, epilogue);
}

struct PeakOps {
  using Vector = __m256;
  static constexpr int kLanes = 8;
  static Vector set1(float x) { return _mm256_set1_ps(x); }
  static Vector fmadd(Vector a, Vector b, Vector c) { return _mm256_fmadd_ps(a, b, c); }
  static Vector add(Vector a, Vector b) { return _mm256_add_ps(a, b); }
  static float sum(Vector v) { return horizontal_sum(v); }
};

}  // namespace

// Cache blocking for a 32 KiB L1d / 512 KiB L2 core: an MR × KC A micro-panel (9 KiB) stays in L1
// while the KC × NC B block (392 KiB) streams from L2. KC 392, as on the AVX-512 path, makes a
// 784-input layer two K blocks instead of four: on a Zen 5 core (1 MiB L2) inference of
// 784-128-10 at batch 1024 ran 1.068x faster than with KC 256, training at batch 128 0.996x and
// 1024³ 1.010x (CPU-time A/B, ab.ts). Not yet measured on a core with the 512 KiB L2 this
// blocking is sized for.
const GemmKernel kGemmAvx2{"avx2", ukernel_avx2, MR, NR, /*kc=*/392, /*mc=*/144,
                           /*nc=*/256, /*prefetch_a_panels=*/false, peak_chains_of<PeakOps>};

}  // namespace mlpx
