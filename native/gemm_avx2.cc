// The AVX2/FMA microkernel: up to 6 × 16 register block (12 ymm accumulators). This translation
// unit is the only one compiled with -mavx2 -mfma; matmul.cc calls it only when the CPU reports
// both. Keep standard-library headers out of it (see gemm_ukernel.h).
#include <immintrin.h>

#include "gemm_ukernel.h"

namespace mlpx {

namespace {

// Lanes j < valid are all-ones: masked loads and stores touch only the tile's real columns.
inline __m256i lane_mask(int valid) {
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(valid), lanes);
}

// c[0 : 8) = [c +] acc [+ bias], the same order as the scalar reference: (c + acc) + bias.
inline void store_full(float* c, __m256 acc, int accumulate, const float* bias) {
  if (accumulate) acc = _mm256_add_ps(_mm256_loadu_ps(c), acc);
  if (bias) acc = _mm256_add_ps(acc, _mm256_loadu_ps(bias));
  _mm256_storeu_ps(c, acc);
}

inline void store_masked(float* c, __m256 acc, __m256i mask, int accumulate, const float* bias) {
  if (accumulate) acc = _mm256_add_ps(_mm256_maskload_ps(c, mask), acc);
  if (bias) acc = _mm256_add_ps(acc, _mm256_maskload_ps(bias, mask));
  _mm256_maskstore_ps(c, mask, acc);
}

// ROWS × 16 block; edge tiles (ROWS < 6, or nr < 16) run the same per-element FMA chain as full
// ones and store only their valid part, so no element's arithmetic depends on where it lies.
template <int ROWS>
void tile(long kc, const APanel& a, const float* b, float* c, long ldc, int accumulate, const float* bias,
          int nr) {
  __m256 acc[ROWS][2];
  // Every loop over rows is fully unrolled, so acc lives in registers (any loop left rolled makes
  // GCC keep the array in memory and store it on every K step).
#pragma GCC unroll 6
  for (int r = 0; r < ROWS; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
  // Row pointers and one running offset: the same loop reads a packed panel or rows in place.
  const float* rows[ROWS];
#pragma GCC unroll 6
  for (int r = 0; r < ROWS; ++r) rows[r] = a.rows[r];
  const long step = a.step;
  // Touch the C tile early so its lines arrive while the K loop runs.
#pragma GCC unroll 6
  for (int r = 0; r < ROWS; ++r) _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc), _MM_HINT_T0);
#pragma GCC unroll 4
  for (long p = 0, at = 0; p < kc; ++p, at += step) {
    const __m256 b0 = _mm256_load_ps(b);
    const __m256 b1 = _mm256_load_ps(b + 8);
#pragma GCC unroll 6
    for (int r = 0; r < ROWS; ++r) {
      const __m256 av = _mm256_broadcast_ss(rows[r] + at);
      acc[r][0] = _mm256_fmadd_ps(av, b0, acc[r][0]);
      acc[r][1] = _mm256_fmadd_ps(av, b1, acc[r][1]);
    }
    b += NR;
  }
  const float* bias1 = bias ? bias + 8 : nullptr;
  if (nr == NR) {
#pragma GCC unroll 6
    for (int r = 0; r < ROWS; ++r) {
      store_full(c + r * ldc, acc[r][0], accumulate, bias);
      store_full(c + r * ldc + 8, acc[r][1], accumulate, bias1);
    }
    return;
  }
  const __m256i mask0 = lane_mask(nr), mask1 = lane_mask(nr - 8);
#pragma GCC unroll 6
  for (int r = 0; r < ROWS; ++r) {
    store_masked(c + r * ldc, acc[r][0], mask0, accumulate, bias);
    store_masked(c + r * ldc + 8, acc[r][1], mask1, accumulate, bias1);
  }
}

}  // namespace

void ukernel_6x16_avx2_fma(long kc, const APanel& a, const float* b_panel, float* c, long ldc, int accumulate,
                           const float* bias, int mr, int nr) {
  switch (mr) {
    case 6: return tile<6>(kc, a, b_panel, c, ldc, accumulate, bias, nr);
    case 5: return tile<5>(kc, a, b_panel, c, ldc, accumulate, bias, nr);
    case 4: return tile<4>(kc, a, b_panel, c, ldc, accumulate, bias, nr);
    case 3: return tile<3>(kc, a, b_panel, c, ldc, accumulate, bias, nr);
    case 2: return tile<2>(kc, a, b_panel, c, ldc, accumulate, bias, nr);
    default: return tile<1>(kc, a, b_panel, c, ldc, accumulate, bias, nr);
  }
}

}  // namespace mlpx
