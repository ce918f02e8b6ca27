// The AVX2/FMA microkernel: 6 × 16 register block (12 ymm accumulators). This translation unit is
// the only one compiled with -mavx2 -mfma; matmul.cc calls it only when the CPU reports both.
// Keep standard-library headers out of it (see gemm_ukernel.h).
#include <immintrin.h>

#include "gemm_ukernel.h"

namespace mlpx {

namespace {

inline __m256 finish(__m256 acc, const float* c, int accumulate, const float* bias) {
  if (accumulate) acc = _mm256_add_ps(_mm256_loadu_ps(c), acc);
  if (bias) acc = _mm256_add_ps(acc, _mm256_loadu_ps(bias));
  return acc;
}

}  // namespace

void ukernel_6x16_avx2_fma(long kc, const APanel& a, const float* b_panel, float* c, long ldc, int accumulate,
                           const float* bias) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  // Six row pointers and one running offset: the same loop reads a packed panel or rows in place.
  const float *a0 = a.rows[0], *a1 = a.rows[1], *a2 = a.rows[2], *a3 = a.rows[3], *a4 = a.rows[4], *a5 = a.rows[5];
  const long step = a.step;
  const float* b = b_panel;
  // Touch the C tile early so its lines arrive while the K loop runs.
  for (int r = 0; r < MR; ++r) _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc), _MM_HINT_T0);
#pragma GCC unroll 4
  for (long p = 0, at = 0; p < kc; ++p, at += step) {
    const __m256 b0 = _mm256_load_ps(b);
    const __m256 b1 = _mm256_load_ps(b + 8);
    __m256 av = _mm256_broadcast_ss(a0 + at);
    c00 = _mm256_fmadd_ps(av, b0, c00);
    c01 = _mm256_fmadd_ps(av, b1, c01);
    av = _mm256_broadcast_ss(a1 + at);
    c10 = _mm256_fmadd_ps(av, b0, c10);
    c11 = _mm256_fmadd_ps(av, b1, c11);
    av = _mm256_broadcast_ss(a2 + at);
    c20 = _mm256_fmadd_ps(av, b0, c20);
    c21 = _mm256_fmadd_ps(av, b1, c21);
    av = _mm256_broadcast_ss(a3 + at);
    c30 = _mm256_fmadd_ps(av, b0, c30);
    c31 = _mm256_fmadd_ps(av, b1, c31);
    av = _mm256_broadcast_ss(a4 + at);
    c40 = _mm256_fmadd_ps(av, b0, c40);
    c41 = _mm256_fmadd_ps(av, b1, c41);
    av = _mm256_broadcast_ss(a5 + at);
    c50 = _mm256_fmadd_ps(av, b0, c50);
    c51 = _mm256_fmadd_ps(av, b1, c51);
    b += NR;
  }
  const float* bias1 = bias ? bias + 8 : nullptr;
  float* row = c;
  _mm256_storeu_ps(row, finish(c00, row, accumulate, bias));
  _mm256_storeu_ps(row + 8, finish(c01, row + 8, accumulate, bias1));
  row += ldc;
  _mm256_storeu_ps(row, finish(c10, row, accumulate, bias));
  _mm256_storeu_ps(row + 8, finish(c11, row + 8, accumulate, bias1));
  row += ldc;
  _mm256_storeu_ps(row, finish(c20, row, accumulate, bias));
  _mm256_storeu_ps(row + 8, finish(c21, row + 8, accumulate, bias1));
  row += ldc;
  _mm256_storeu_ps(row, finish(c30, row, accumulate, bias));
  _mm256_storeu_ps(row + 8, finish(c31, row + 8, accumulate, bias1));
  row += ldc;
  _mm256_storeu_ps(row, finish(c40, row, accumulate, bias));
  _mm256_storeu_ps(row + 8, finish(c41, row + 8, accumulate, bias1));
  row += ldc;
  _mm256_storeu_ps(row, finish(c50, row, accumulate, bias));
  _mm256_storeu_ps(row + 8, finish(c51, row + 8, accumulate, bias1));
}

}  // namespace mlpx
