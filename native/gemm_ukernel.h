// The GEMM microkernel interface, shared by matmul.cc and the per-ISA kernel files.
// Deliberately free of standard-library includes: gemm_avx2.cc is compiled with -mavx2 -mfma,
// and any inline std:: code it instantiated could be picked by the linker for baseline callers.
#pragma once

namespace mlpx {

// Register block: 6 rows × 16 columns = 12 AVX2 accumulators, plus 2 B vectors and 1 broadcast.
constexpr int MR = 6;
constexpr int NR = 16;

/**
 * c (MR × NR, row stride ldc) = [c +] a_panel · b_panel [+ bias (NR)].
 * a_panel is kc × MR (k-major, packed), b_panel is kc × NR (k-major, packed, 32-byte aligned).
 * accumulate: add the existing c (K blocks after the first). bias: null, or added last.
 */
using Microkernel = void (*)(long kc, const float* a_panel, const float* b_panel, float* c, long ldc,
                             int accumulate, const float* bias);

void ukernel_6x16_portable(long kc, const float* a_panel, const float* b_panel, float* c, long ldc,
                           int accumulate, const float* bias);
#if MLPX_HAVE_AVX2_TU
void ukernel_6x16_avx2_fma(long kc, const float* a_panel, const float* b_panel, float* c, long ldc,
                           int accumulate, const float* bias);
#endif

}  // namespace mlpx
