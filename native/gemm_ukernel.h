// The GEMM microkernel interface, shared by matmul.cc and the per-ISA kernel files.
// Deliberately free of standard-library includes: the ISA files are compiled with -mavx2 -mfma or
// -mavx512f …, and any inline std:: code they instantiated could be picked by the linker for
// baseline callers.
#pragma once

namespace mlpx {

/** The tallest register block of any microkernel. */
constexpr int kMaxMR = 16;

/**
 * The A operand of one micro-tile, read in place (A is never packed). Either its mr rows:
 * element (r, p) is rows[r][p] (a row-major A, or indexed batch rows); or, when k_rows is not
 * null, Aᵀ: element (r, p) is k_rows[p][column + r] (A is stored (k, m) and k_rows are its rows,
 * again possibly indexed batch rows).
 */
struct APanel {
  const float* rows[kMaxMR];
  const float* const* k_rows;
  long column;
};

/**
 * Aᵀ's K step p of the panel: its mr values side by side. The address is made opaque to the
 * optimiser so the kernels address each value as a displacement from it: GCC 12 otherwise hoists
 * (column + r) · 4 for every row r out of the K loop into a register of its own, which spills the
 * 12 × 32 AVX-512 kernel's loop state to the stack. Through k_step, 784×128·128×128 Aᵀ·B ran
 * 1.05–1.06x faster on an Intel Xeon (AVX-512), 1.11x on the portable path.
 */
inline const float* k_step(const APanel& a, long p) {
  const float* row = a.k_rows[p] + a.column;
#if defined(__GNUC__) || defined(__clang__)
  __asm__("" : "+r"(row));
#endif
  return row;
}

/** A hint only: compilers without __builtin_prefetch (MSVC) simply skip it. */
inline void prefetch([[maybe_unused]] const float* address) {
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch(address);
#endif
}

/** How many K steps ahead prefetch_k_step fetches Aᵀ's values. */
constexpr long kKStepsAhead = 12;

/**
 * Prefetches the `rows` values of Aᵀ's K step p + kKStepsAhead (or the block's last, near its
 * end), which may span two lines. In a training step's weight gradient, Aᵀ's K steps are the
 * batch's rows of the training set, read in place in shuffled order (Rows, matmul.h): no hardware
 * prefetcher predicts them, and the tiles waited on each from L3. 784-128-10 at batch 128 on one
 * thread over 2,048 rows (ab.ts train, CPU time) trained 1.02-1.08x faster with it on AVX-512 (4
 * A/Bs), 1.02x and 1.10x on AVX2, 1.04x and 1.06x on the portable path (x86, SSE2); a shuffled
 * epoch then ran as fast as one in the rows' stored order (1.007x; 1.053x without it). Over
 * 12,800 rows, read from memory, 0.99-1.05x (AVX-512); 24 K steps ahead instead of 12, 0.99-1.00x.
 */
inline void prefetch_k_step(const APanel& a, long p, long kc, int rows) {
  const long ahead = p + kKStepsAhead < kc ? p + kKStepsAhead : kc - 1;
  const float* values = a.k_rows[ahead] + a.column;
  prefetch(values);
  prefetch(values + rows - 1);
}

/**
 * What a microkernel does with a finished tile: c = [c +] acc [+ bias], in that order.
 * accumulate: add the existing c (K blocks after the first). bias: null, or nr values added last.
 * sum_squares: null, or receives Σ c² over the stored block, summed in float in a fixed order
 * (the training step's ‖g‖², taken while the gradient tile is still in registers).
 */
struct Epilogue {
  bool accumulate;
  const float* bias;
  float* sum_squares;
};

/**
 * c (mr × nr, row stride ldc) = a · b, finished by the epilogue, for 1 ≤ mr ≤ MR and 1 ≤ nr ≤ NR
 * of its GemmKernel. a is mr × kc (see APanel; only its first mr rows are read); b is kc × nr with
 * row stride ldb: a packed micro-panel (ldb = NR) or a row-major B read in place. Only the first nr
 * values of each b row and the mr × nr block of c are read or written. Edge tiles (mr < MR,
 * nr < NR) run the same per-element FMA chain as full ones, so no element's value depends on
 * where it lies in C, nor on whether B was packed.
 */
using Microkernel = void (*)(long kc, const APanel& a, const float* b, long ldb, float* c, long ldc, int mr, int nr,
                             const Epilogue& epilogue);

/**
 * The path's arithmetic peak: `iterations` rounds of independent multiply-add chains at its vector
 * width, no memory traffic. Returns the floating-point operations done (a multiply-add is two).
 */
using PeakChains = double (*)(long iterations);

/**
 * One kernel path: a microkernel with its register block (mr × nr), the cache blocking it was
 * measured with (kc × nc packed B blocks, swept by mc rows of A at a time), whether the driver
 * prefetches the next A micro-panel read in place while the current one runs (see
 * multiply_a_stationary in gemm_driver.cc), and its peak probe. Results are
 * bit-identical within a path for any thread count; different paths round differently (other
 * block shapes, FMA or not).
 */
struct GemmKernel {
  const char* path;
  Microkernel ukernel;
  int mr, nr;
  int kc, mc, nc;
  bool prefetch_a_panels;
  PeakChains peak_chains;
};

/** Plain loops the compiler vectorises for the baseline ISA (SSE2 on x86-64, NEON on ARM64). */
extern const GemmKernel kGemmPortable;
#if MLPX_HAVE_X86_KERNELS
/** AVX2 + FMA, 6 × 16 (12 ymm accumulators). */
extern const GemmKernel kGemmAvx2;
/** AVX-512F/VL, 12 × 32 (24 zmm accumulators), masked edge columns. */
extern const GemmKernel kGemmAvx512;
#endif

}  // namespace mlpx
