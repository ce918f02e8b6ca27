// CPU feature detection, one logic for every compiler: CPUID for AVX, FMA, AVX2, the AVX-512
// subsets and OSXSAVE, then XGETBV for whether the OS saves the vector registers on a context
// switch (a CPU with AVX2 under an OS that does not save YMM state would fault on the first AVX
// instruction; likewise ZMM and opmask state for AVX-512). Only the two wrappers below differ
// between MSVC (and clang-cl) and GCC/Clang, so the GCC build on CI runs the same checks the
// MSVC build does; `native/check-msvc.sh` compiles this file for an MSVC target.
// Compiled with baseline flags: it runs before anything knows AVX is there.
#include "cpu_features.h"

#if MLPX_HAVE_X86_KERNELS

#if defined(_MSC_VER)
#include <intrin.h>
#else
#include <cpuid.h>
#endif

namespace mlpx {

namespace {

struct Registers {
  unsigned eax, ebx, ecx, edx;
};

Registers cpuid(unsigned leaf, unsigned subleaf) {
#if defined(_MSC_VER)
  int r[4];
  __cpuidex(r, static_cast<int>(leaf), static_cast<int>(subleaf));
  return {static_cast<unsigned>(r[0]), static_cast<unsigned>(r[1]), static_cast<unsigned>(r[2]),
          static_cast<unsigned>(r[3])};
#else
  Registers r{};
  __cpuid_count(leaf, subleaf, r.eax, r.ebx, r.ecx, r.edx);
  return r;
#endif
}

// XCR0, the OS-enabled register state. Only valid to execute when CPUID reports OSXSAVE.
unsigned long long xcr0() {
#if defined(_MSC_VER)
  return _xgetbv(0);
#else
  unsigned low, high;
  __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));  // no -mxsave needed for _xgetbv
  return (static_cast<unsigned long long>(high) << 32) | low;
#endif
}

bool bit(unsigned value, int index) { return ((value >> index) & 1u) != 0; }

// XCR0 bits 1 (XMM) and 2 (YMM upper halves): the state AVX and AVX2 need saved.
constexpr unsigned long long kAvxState = 0x6;
// Plus bits 5 (opmask k0–k7), 6 (ZMM0–15 upper halves) and 7 (ZMM16–31): AVX-512's state.
constexpr unsigned long long kAvx512State = kAvxState | 0xE0;

// AVX and FMA (CPUID.1:ECX), and the OS saves every register set in `state` (XCR0, which may be
// read only once CPUID reports OSXSAVE).
bool avx_fma_with_state(unsigned long long state) {
  if (cpuid(0, 0).eax < 7) return false;  // no structured-extended-features leaf: no AVX2 or AVX-512
  const Registers features = cpuid(1, 0);
  const bool fma = bit(features.ecx, 12), osxsave = bit(features.ecx, 27), avx = bit(features.ecx, 28);
  if (!fma || !osxsave || !avx) return false;
  return (xcr0() & state) == state;
}

}  // namespace

bool cpu_has_avx2_fma() {
  return avx_fma_with_state(kAvxState) && bit(cpuid(7, 0).ebx, 5);  // AVX2
}

bool cpu_has_avx512() {
  if (!cpu_has_avx2_fma() || !avx_fma_with_state(kAvx512State)) return false;
  const unsigned ebx = cpuid(7, 0).ebx;
  return bit(ebx, 16) && bit(ebx, 17) && bit(ebx, 30) && bit(ebx, 31);  // F, DQ, BW, VL
}

}  // namespace mlpx

#endif  // MLPX_HAVE_X86_KERNELS
