#include "loss.h"

#include <cmath>
#include <cstddef>

#include "activation.h"
#include "elementwise.h"
#include "parallel.h"
#include "profile.h"

namespace mlpx {

double loss_forward(const float* p, const float* y, const float* weights, int m, int n, int loss) {
  MLPX_PHASE(kLoss);
  double total = 0;
  for (int r = 0; r < m; ++r) {
    const float* pr = p + static_cast<std::size_t>(r) * n;
    const float* yr = y + static_cast<std::size_t>(r) * n;
    double row = 0;
    switch (loss) {
      case kSse:
      case kHalfSse:
      case kMse:
        for (int j = 0; j < n; ++j) {
          const double d = static_cast<double>(yr[j]) - pr[j];
          row += d * d;
        }
        break;
      case kCrossEntropy:
        for (int j = 0; j < n; ++j)
          if (yr[j] != 0.0f) row -= yr[j] * std::log(clamp_probability(pr[j]));
        break;
      case kBinaryCrossEntropy:
        for (int j = 0; j < n; ++j) {
          const double q = clamp_probability(pr[j]);
          row -= yr[j] * std::log(q) + (1.0 - yr[j]) * std::log(1.0 - q);
        }
        break;
    }
    total += (weights != nullptr ? weights[r] : 1.0) * row;
  }
  if (loss == kHalfSse) total *= 0.5;
  if (loss == kMse) total /= n;
  return total / m;
}

void loss_backward(float* dp, const float* p, const float* y, const float* weights, int m, int n, int loss) {
  MLPX_PHASE(kOutputDelta);
  const ElementwiseLoops& loops = elementwise_loops();
  auto body = [&](std::size_t begin, std::size_t end) { loops.loss_backward(dp, p, y, weights, begin, end, m, n, loss); };
  for_ranges(static_cast<std::size_t>(m) * n, body);
}

void output_delta_fused(float* dz, const float* p, const float* y, const float* weights, int m, int n, int act) {
  MLPX_PHASE(kOutputDelta);
  const ElementwiseLoops& loops = elementwise_loops();
  const float rows = static_cast<float>(m);
  const bool row_sums = act == kSoftmax;
  auto body = [&](std::size_t begin, std::size_t end) {
    loops.output_delta_fused(dz, p, y, weights, begin, end, n, rows, row_sums);
  };
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
    // The first maximum of each row, through selects on values kept in registers: where the
    // maximum lies is random, and the branches it took mispredicted about once a row each.
    int best_p = 0, best_y = 0;
    float top_p = pr[0], top_y = yr[0];
    for (int j = 1; j < n; ++j) {
      const bool p_higher = pr[j] > top_p, y_higher = yr[j] > top_y;
      best_p = p_higher ? j : best_p;
      top_p = p_higher ? pr[j] : top_p;
      best_y = y_higher ? j : best_y;
      top_y = y_higher ? yr[j] : top_y;
    }
    if (best_p == best_y) ++correct;
  }
  return correct;
}

}  // namespace mlpx
