// The GEMM microkernel interface, shared by matmul.cc and the per-ISA kernel files.
// Deliberately free of standard-library includes: gemm_avx2.cc is compiled with -mavx2 -mfma,
// and any inline std:: code it instantiated could be picked by the linker for baseline callers.
#pragma once

namespace mlpx {

// Register block: 6 rows × 16 columns = 12 AVX2 accumulators, plus 2 B vectors and 1 broadcast.
constexpr int MR = 6;
constexpr int NR = 16;

/**
 * The A operand of one micro-tile: element (r, p) is rows[r][p · step]. A packed panel is
 * rows[r] = panel + r with step MR; a row-major A read in place (no packing) is its MR row
 * pointers with step 1.
 */
struct APanel {
  const float* rows[MR];
  long step;
};

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
 * c (mr × nr, row stride ldc) = a · b_panel, finished by the epilogue, for 1 ≤ mr ≤ MR and
 * 1 ≤ nr ≤ NR. a is kc × MR (see APanel; only its first mr rows are read), b_panel is kc × NR
 * (k-major, packed, zero-padded past nr, 32-byte aligned). Only the mr × nr block of c is read
 * or written.
 */
using Microkernel = void (*)(long kc, const APanel& a, const float* b_panel, float* c, long ldc, int mr, int nr,
                             const Epilogue& epilogue);

void ukernel_6x16_portable(long kc, const APanel& a, const float* b_panel, float* c, long ldc, int mr, int nr,
                           const Epilogue& epilogue);
#if MLPX_HAVE_AVX2_TU
void ukernel_6x16_avx2_fma(long kc, const APanel& a, const float* b_panel, float* c, long ldc, int mr, int nr,
                           const Epilogue& epilogue);
#endif

}  // namespace mlpx
