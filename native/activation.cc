#include "activation.h"

#include <cstddef>

#include "elementwise.h"
#include "parallel.h"
#include "profile.h"

namespace mlpx {

namespace {

void softmax_rows_backward(float* dz, const float* da, const float* a, int m, int n) {
  for (int r = 0; r < m; ++r) {
    const std::size_t row = static_cast<std::size_t>(r) * n;
    double dot = 0;
    for (int j = 0; j < n; ++j) dot += static_cast<double>(da[row + j]) * a[row + j];
    for (int j = 0; j < n; ++j) dz[row + j] = static_cast<float>(a[row + j] * (da[row + j] - dot));
  }
}

}  // namespace

void activation_forward_serial(float* a, const float* z, int m, int n, int act, const ElementwiseLoops& loops) {
  if (act == kSoftmax) return loops.softmax_rows(a, z, 0, m, n);
  loops.activation_forward(a, z, 0, static_cast<std::size_t>(m) * n, act);
}

void activation_forward(float* a, const float* z, int m, int n, int act) {
  MLPX_PHASE(kActivation);
  const ElementwiseLoops& loops = elementwise_loops();
  if (act == kSoftmax) return loops.softmax_rows(a, z, 0, m, n);
  auto body = [&](std::size_t begin, std::size_t end) { loops.activation_forward(a, z, begin, end, act); };
  for_ranges(static_cast<std::size_t>(m) * n, body);
}

// z is part of the kernel's contract (src/backend/kernels.ts), but every derivative here comes from
// a: equal bits, and a is in cache where z may not be (elementwise_loops.inc).
void activation_backward(float* dz, const float* da, const float*, const float* a, int m, int n, int act) {
  MLPX_PHASE(kActivationBackward);
  if (act == kSoftmax) return softmax_rows_backward(dz, da, a, m, n);
  const ElementwiseLoops& loops = elementwise_loops();
  auto body = [&](std::size_t begin, std::size_t end) { loops.activation_backward(dz, da, a, begin, end, act); };
  for_ranges(static_cast<std::size_t>(m) * n, body);
}

void dropout_forward(float* a, const float* z, int m, int n, int act, const DropoutMask& mask) {
  const ElementwiseLoops& loops = elementwise_loops();
  auto body = [&](std::size_t begin, std::size_t end) { loops.dropout_forward(a, z, begin, end, n, act, mask); };
  for_ranges(static_cast<std::size_t>(m) * n, body);
}

void dropout_backward(float* dz, const float* da, const float* z, int m, int n, int act, const DropoutMask& mask) {
  const ElementwiseLoops& loops = elementwise_loops();
  auto body = [&](std::size_t begin, std::size_t end) { loops.dropout_backward(dz, da, z, begin, end, n, act, mask); };
  for_ranges(static_cast<std::size_t>(m) * n, body);
}

}  // namespace mlpx
