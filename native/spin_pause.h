// One poll's pause in a spin-wait: the x86 PAUSE or ARM YIELD hint (it frees the core's resources
// for a sibling thread), or a yield to the scheduler where there is no such hint.
#pragma once

#include <thread>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#endif

namespace mlpx {

inline void spin_pause() {
#if defined(__x86_64__) || defined(_M_X64)
  _mm_pause();
#elif defined(__aarch64__)
  __asm__ volatile("yield");
#else
  std::this_thread::yield();
#endif
}

}  // namespace mlpx
