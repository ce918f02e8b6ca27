// Run-time CPU feature detection for the microkernel choice (x86-64 builds only).
#pragma once

namespace mlpx {

#if MLPX_HAVE_AVX2_TU
/** True when the CPU has AVX2 and FMA and the OS saves the YMM registers across context switches. */
bool cpu_has_avx2_fma();
#endif

}  // namespace mlpx
