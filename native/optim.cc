#include "optim.h"

#include <cmath>

#include "elementwise.h"
#include "parallel.h"
#include "profile.h"

namespace mlpx {

// The updates are element-wise: the kernel path's loops, in ranges on the pool (identical for any
// split).

void sgd_update(float* params, const float* grads, std::size_t count, float lr) {
  MLPX_PHASE(kUpdate);
  const ElementwiseLoops& loops = elementwise_loops();
  auto body = [&](std::size_t begin, std::size_t end) { loops.sgd(params, grads, begin, end, lr); };
  for_ranges(count, body);
}

void momentum_update(float* params, const float* grads, float* velocity, std::size_t count, float lr, float gamma) {
  MLPX_PHASE(kUpdate);
  const ElementwiseLoops& loops = elementwise_loops();
  auto body = [&](std::size_t begin, std::size_t end) {
    loops.momentum(params, grads, velocity, begin, end, lr, gamma);
  };
  for_ranges(count, body);
}

void rmsprop_update(float* params, const float* grads, float* sq, std::size_t count, float lr, float beta, float eps) {
  MLPX_PHASE(kUpdate);
  const ElementwiseLoops& loops = elementwise_loops();
  auto body = [&](std::size_t begin, std::size_t end) { loops.rmsprop(params, grads, sq, begin, end, lr, beta, eps); };
  for_ranges(count, body);
}

void adam_update(float* params, const float* grads, float* m, float* v, std::size_t count, float lr, float beta1,
                 float beta2, float eps, double step) {
  MLPX_PHASE(kUpdate);
  // θ ← θ − lr (m / c1) / (√(v / c2) + ε), with the bias corrections folded into a step size
  // and a reciprocal: one division and one square root per parameter instead of three divisions.
  const double correction1 = 1.0 - std::pow(static_cast<double>(beta1), step);
  const double correction2 = 1.0 - std::pow(static_cast<double>(beta2), step);
  const AdamStep constants{static_cast<float>(lr / correction1), static_cast<float>(1.0 / correction2), beta1, beta2,
                           1.0f - beta1, 1.0f - beta2, eps};
  const ElementwiseLoops& loops = elementwise_loops();
  auto body = [&](std::size_t begin, std::size_t end) { loops.adam(params, grads, m, v, begin, end, constants); };
  for_ranges(count, body);
}

double sum_squares(const float* x, std::size_t count) {
  // Eight independent partial sums (a fixed order, so still deterministic) keep the adds from
  // serialising on one register's latency.
  double partial[8] = {};
  std::size_t i = 0;
  for (; i + 8 <= count; i += 8)
    for (int l = 0; l < 8; ++l) partial[l] += static_cast<double>(x[i + l]) * x[i + l];
  double sum = 0;
  for (; i < count; ++i) sum += static_cast<double>(x[i]) * x[i];
  for (int l = 0; l < 8; ++l) sum += partial[l];
  return sum;
}

}  // namespace mlpx
