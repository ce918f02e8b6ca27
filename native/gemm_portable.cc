// The portable microkernel, for the baseline ISA: SSE2 on x86-64, NEON on ARM64. A full tile
// runs on 4-lane vectors held in registers (GCC/Clang vector types on x86, NEON types on ARM64);
// edge tiles, and compilers without vector types, run plain loops. Same operands and epilogue as
// gemm_avx2.cc.
#if defined(__aarch64__)
#include <arm_neon.h>

#include <cmath>
#endif

#include "gemm_ukernel.h"

namespace mlpx {

namespace {

// Register blocks: 12 accumulators, 2 B vectors and a broadcast fill 15 of SSE2's 16 xmm
// registers; on ARM64, 16 accumulators, 4 B vectors and 4 A values (multiplied by lane) fill
// 24 of NEON's 32 (6 × 16 needs 34, and spills).
#if defined(__aarch64__)
constexpr int MR = 4;
constexpr int NR = 16;
#else
constexpr int MR = 6;
constexpr int NR = 8;
#endif

// c + a·b, the chain every element of C runs: fused on ARM64, whose baseline has FMA (the
// vector and the scalar form round alike), else a multiply, then an add.
#if defined(__aarch64__)
inline float madd(float a, float b, float c) { return std::fma(a, b, c); }
#else
inline float madd(float a, float b, float c) { return c + a * b; }
#endif

#if defined(__aarch64__)
#define MLPX_VECTOR_TILE 1
using Lanes = float32x4_t;
inline Lanes load4(const float* p) { return vld1q_f32(p); }
inline void store4(float* p, Lanes v) { vst1q_f32(p, v); }
inline Lanes splat(float x) { return vdupq_n_f32(x); }
inline Lanes madd(Lanes a, Lanes b, Lanes c) { return vfmaq_f32(c, a, b); }
inline float sum_lanes(Lanes v) {
  return (vgetq_lane_f32(v, 0) + vgetq_lane_f32(v, 1)) + (vgetq_lane_f32(v, 2) + vgetq_lane_f32(v, 3));
}
#elif defined(__GNUC__) || defined(__clang__)
#define MLPX_VECTOR_TILE 1
typedef float Lanes __attribute__((vector_size(16)));
inline Lanes load4(const float* p) {
  Lanes v;
  __builtin_memcpy(&v, p, sizeof v);  // unaligned
  return v;
}
inline void store4(float* p, Lanes v) { __builtin_memcpy(p, &v, sizeof v); }
inline Lanes splat(float x) { return Lanes{x, x, x, x}; }
inline Lanes madd(Lanes a, Lanes b, Lanes c) { return c + a * b; }
inline float sum_lanes(Lanes v) { return (v[0] + v[1]) + (v[2] + v[3]); }
#endif

// Any tile, element by element.
void edge_tile(long kc, const APanel& a, const float* b_panel, long ldb, float* c, long ldc, int mr, int nr,
               const Epilogue& epilogue) {
  float acc[MR][NR] = {};
  for (long p = 0; p < kc; ++p) {
    const float* b = b_panel + p * ldb;
    const float* k_row = a.k_rows ? k_step(a, p) : nullptr;
    for (int r = 0; r < mr; ++r) {
      const float av = k_row ? k_row[r] : a.rows[r][p];
      for (int j = 0; j < nr; ++j) acc[r][j] = madd(av, b[j], acc[r][j]);
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

#if MLPX_VECTOR_TILE
// A ROWS × NR tile (ROWS ≤ MR) in ROWS × NR/4 vector accumulators. TRANSPOSED: A is read as Aᵀ
// through a.k_rows. Each element runs edge_tile's chain; the tile's Σc² is summed lane-wise, then
// across.
template <int ROWS, bool TRANSPOSED>
void vector_tile(long kc, const APanel& a, const float* b, long ldb, float* c, long ldc, const Epilogue& e) {
  constexpr int V = NR / 4;
  // Every loop over rows and vectors is unrolled up front: GCC 12 for ARM64 otherwise unrolls
  // them after store motion and stores all 16 accumulators to the stack on every K step.
  Lanes acc[ROWS][V];
#pragma GCC unroll 8
  for (int r = 0; r < ROWS; ++r)
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v) acc[r][v] = splat(0.0f);
  const float* rows[ROWS];
#pragma GCC unroll 8
  for (int r = 0; r < ROWS; ++r) rows[r] = a.rows[r];
  for (long p = 0; p < kc; ++p, b += ldb) {
    Lanes bv[V];
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v) bv[v] = load4(b + 4 * v);
    const float* k_row = TRANSPOSED ? k_step(a, p) : nullptr;
    if (TRANSPOSED) prefetch_k_step(a, p, kc, ROWS);
#pragma GCC unroll 8
    for (int r = 0; r < ROWS; ++r) {
      const Lanes av = splat(TRANSPOSED ? k_row[r] : rows[r][p]);
#pragma GCC unroll 8
      for (int v = 0; v < V; ++v) acc[r][v] = madd(av, bv[v], acc[r][v]);
    }
  }
  Lanes squares = splat(0.0f);
#pragma GCC unroll 8
  for (int r = 0; r < ROWS; ++r) {
    float* row = c + r * ldc;
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v) {
      Lanes x = acc[r][v];
      if (e.accumulate) x = load4(row + 4 * v) + x;
      if (e.bias) x = x + load4(e.bias + 4 * v);
      store4(row + 4 * v, x);
      squares = squares + x * x;
    }
  }
  if (e.sum_squares) *e.sum_squares = sum_lanes(squares);
}

// Tiles of every height (a batch of one is a column of 1-row tiles) run on vectors when full-width.
template <int ROWS>
void dispatch_rows(long kc, const APanel& a, const float* b, long ldb, float* c, long ldc, int mr, const Epilogue& e) {
  if constexpr (ROWS > 1) {
    if (mr < ROWS) return dispatch_rows<ROWS - 1>(kc, a, b, ldb, c, ldc, mr, e);
  }
  if (a.k_rows) return vector_tile<ROWS, true>(kc, a, b, ldb, c, ldc, e);
  vector_tile<ROWS, false>(kc, a, b, ldb, c, ldc, e);
}
#endif

void ukernel_portable(long kc, const APanel& a, const float* b_panel, long ldb, float* c, long ldc, int mr, int nr,
                      const Epilogue& epilogue) {
#if MLPX_VECTOR_TILE
  if (nr == NR) return dispatch_rows<MR>(kc, a, b_panel, ldb, c, ldc, mr, epilogue);
#endif
  edge_tile(kc, a, b_panel, ldb, c, ldc, mr, nr, epilogue);
}

// What the baseline ISA sustains: 48 independent multiply-add chains, which the compiler turns
// into SSE2 (or NEON) vectors.
double peak_chains(long iterations) {
  constexpr int kLanes = 48;
  float acc[kLanes];
  for (int c = 0; c < kLanes; ++c) acc[c] = static_cast<float>(c);
  for (long i = 0; i < iterations; ++i) {
    for (int c = 0; c < kLanes; ++c) acc[c] = madd(acc[c], 0.999999f, 1e-6f);
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
