// The portable microkernel: plain loops the compiler vectorises for the baseline ISA
// (SSE2 on x86-64, NEON on ARM64). Same operands and epilogue as gemm_avx2.cc.
#include "gemm_ukernel.h"

namespace mlpx {

namespace {

constexpr int MR = 6;
constexpr int NR = 16;

void ukernel_portable(long kc, const APanel& a, const float* b_panel, long ldb, float* c, long ldc, int mr, int nr,
                      const Epilogue& epilogue) {
  float acc[MR][NR] = {};
  for (long p = 0; p < kc; ++p) {
    const float* b = b_panel + p * ldb;
    const float* k_row = a.k_rows ? k_step(a, p) : nullptr;
    for (int r = 0; r < mr; ++r) {
      const float av = k_row ? k_row[r] : a.rows[r][p];
      for (int j = 0; j < nr; ++j) acc[r][j] += av * b[j];
    }
  }
  float squares = 0.0f;
  for (int r = 0; r < mr; ++r) {
    float* row = c + r * ldc;
    for (int j = 0; j < nr; ++j) {
      float v = acc[r][j];
      if (epilogue.accumulate) v = row[j] + v;
      if (epilogue.bias) v = v + epilogue.bias[j];
      row[j] = v;
      squares += v * v;
    }
  }
  if (epilogue.sum_squares) *epilogue.sum_squares = squares;
}

// What the baseline ISA sustains: 48 independent multiply-then-add chains, which the compiler
// turns into SSE2 (or NEON) vectors; without FMA a multiply-add is two instructions.
double peak_chains(long iterations) {
  constexpr int kLanes = 48;
  float acc[kLanes];
  for (int c = 0; c < kLanes; ++c) acc[c] = static_cast<float>(c);
  for (long i = 0; i < iterations; ++i) {
    for (int c = 0; c < kLanes; ++c) acc[c] = acc[c] * 0.999999f + 1e-6f;
  }
  float sum = 0.0f;
  for (int c = 0; c < kLanes; ++c) sum += acc[c];
  volatile float sink = sum;  // keeps the chains from being optimised away
  (void)sink;
  return 2.0 * kLanes * static_cast<double>(iterations);
}

}  // namespace

// The AVX2 kernel's blocking: the portable path runs on the same cores when AVX is missing or off.
const GemmKernel kGemmPortable{"portable", ukernel_portable, MR, NR, /*kc=*/256, /*mc=*/144,
                               /*nc=*/256, /*prefetch_a_panels=*/true, peak_chains};

}  // namespace mlpx
