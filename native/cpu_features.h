// Run-time CPU feature detection for the kernel path choice (x86-64 builds only).
#pragma once

namespace mlpx {

#if MLPX_HAVE_X86_KERNELS
/** True when the CPU has AVX2 and FMA and the OS saves the YMM registers across context switches. */
bool cpu_has_avx2_fma();
/**
 * True when, on top of that, the CPU has AVX-512 F, DQ, BW and VL (the subsets the AVX-512 units
 * are compiled for) and the OS saves the ZMM and opmask registers.
 */
bool cpu_has_avx512();
#endif

}  // namespace mlpx
