// The peak probe's loop (GemmKernel::peak_chains), written once for every vector width. Included
// by the ISA kernel files, each with its own Ops in an anonymous namespace, so every copy is
// compiled for its ISA and none is shared with baseline code. Free of standard-library includes
// for the same reason (see gemm_ukernel.h).
#pragma once

namespace mlpx {

/**
 * 12 independent chains of acc ← acc · s + t: more than 2 FMA pipes × 4 cycles of latency, so
 * the pipes never wait. Ops: Vector, kLanes, set1(float), fmadd(a, b, c), add(a, b), sum(v).
 * Returns the floating-point operations done (a multiply-add is two).
 */
template <typename Ops>
double peak_chains_of(long iterations) {
  constexpr int kChains = 12;
  typename Ops::Vector acc[kChains];
  const typename Ops::Vector scale = Ops::set1(0.999999f), add = Ops::set1(1e-6f);
#pragma GCC unroll 12
  for (int c = 0; c < kChains; ++c) acc[c] = Ops::set1(static_cast<float>(c));
  for (long i = 0; i < iterations; ++i) {
#pragma GCC unroll 12
    for (int c = 0; c < kChains; ++c) acc[c] = Ops::fmadd(acc[c], scale, add);
  }
  typename Ops::Vector total = acc[0];
#pragma GCC unroll 12
  for (int c = 1; c < kChains; ++c) total = Ops::add(total, acc[c]);
  volatile float sink = Ops::sum(total);  // keeps the chains from being optimised away
  (void)sink;
  return 2.0 * Ops::kLanes * kChains * static_cast<double>(iterations);
}

}  // namespace mlpx
