#include "loss.h"

#include <cmath>
#include <cstddef>

#include "elementwise.h"
#include "parallel.h"
#include "profile.h"

namespace mlpx {

double loss_forward(const float* p, const float* y, int m, int n, int loss) {
  MLPX_PHASE(kLoss);
  const std::size_t count = static_cast<std::size_t>(m) * n;
  double total = 0;
  switch (loss) {
    case kSse:
    case kHalfSse:
    case kMse:
      for (std::size_t i = 0; i < count; ++i) {
        const double d = static_cast<double>(y[i]) - p[i];
        total += d * d;
      }
      if (loss == kHalfSse) total *= 0.5;
      if (loss == kMse) total /= n;
      break;
    case kCrossEntropy:
      for (std::size_t i = 0; i < count; ++i)
        if (y[i] != 0.0f) total -= y[i] * std::log(clamp_probability(p[i]));
      break;
    case kBinaryCrossEntropy:
      for (std::size_t i = 0; i < count; ++i) {
        const double q = clamp_probability(p[i]);
        total -= y[i] * std::log(q) + (1.0 - y[i]) * std::log(1.0 - q);
      }
      break;
  }
  return total / m;
}

void loss_backward(float* dp, const float* p, const float* y, int m, int n, int loss) {
  MLPX_PHASE(kOutputDelta);
  const ElementwiseLoops& loops = elementwise_loops();
  auto body = [&](std::size_t begin, std::size_t end) { loops.loss_backward(dp, p, y, begin, end, m, n, loss); };
  for_ranges(static_cast<std::size_t>(m) * n, body);
}

void output_delta_fused(float* dz, const float* p, const float* y, int m, int n) {
  MLPX_PHASE(kOutputDelta);
  const ElementwiseLoops& loops = elementwise_loops();
  const float rows = static_cast<float>(m);
  auto body = [&](std::size_t begin, std::size_t end) { loops.output_delta_fused(dz, p, y, begin, end, rows); };
  for_ranges(static_cast<std::size_t>(m) * n, body);
}

int count_correct(const float* p, const float* y, int m, int n) {
  MLPX_PHASE(kLoss);
  int correct = 0;
  for (int r = 0; r < m; ++r) {
    const float* pr = p + static_cast<std::size_t>(r) * n;
    const float* yr = y + static_cast<std::size_t>(r) * n;
    if (n == 1) {
      if ((pr[0] >= 0.5f) == (yr[0] >= 0.5f)) ++correct;
      continue;
    }
    int best_p = 0;
    int best_y = 0;
    for (int j = 1; j < n; ++j) {
      if (pr[j] > pr[best_p]) best_p = j;
      if (yr[j] > yr[best_y]) best_y = j;
    }
    if (best_p == best_y) ++correct;
  }
  return correct;
}

}  // namespace mlpx
