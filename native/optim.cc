#include "optim.h"

#include <atomic>
#include <cmath>

#include "elementwise.h"
#include "parallel.h"
#include "profile.h"

namespace mlpx {

// The updates are element-wise: the kernel path's loops, in ranges on the pool (identical for any
// split). Each range reports whether a θ it wrote is not finite (the loops OR the bits of θ − θ).
// The state needs no check of its own: a non-finite velocity or Adam m makes θ non-finite, and the
// second moments stay finite for the gradients a step applies (GRAD_NORM2_LIMIT, net.h).

namespace {

// for_ranges over `body(begin, end)` returning its range's flag; true when no range flagged.
template <typename Body>
bool all_finite(std::size_t count, Body& body) {
  std::atomic<bool> finite{true};
  auto checked = [&](std::size_t begin, std::size_t end) {
    if (body(begin, end) != 0) finite.store(false, std::memory_order_relaxed);
  };
  for_ranges(count, checked);
  return finite.load(std::memory_order_relaxed);
}

}  // namespace

bool sgd_update(float* params, const float* grads, std::size_t count, float lr) {
  MLPX_PHASE(kUpdate);
  const ElementwiseLoops& loops = elementwise_loops();
  auto body = [&](std::size_t begin, std::size_t end) { return loops.sgd(params, grads, begin, end, lr); };
  return all_finite(count, body);
}

bool momentum_update(float* params, const float* grads, float* velocity, std::size_t count, float lr, float gamma) {
  MLPX_PHASE(kUpdate);
  const ElementwiseLoops& loops = elementwise_loops();
  auto body = [&](std::size_t begin, std::size_t end) {
    return loops.momentum(params, grads, velocity, begin, end, lr, gamma);
  };
  return all_finite(count, body);
}

bool rmsprop_update(float* params, const float* grads, float* sq, std::size_t count, float lr, float beta, float eps) {
  MLPX_PHASE(kUpdate);
  const ElementwiseLoops& loops = elementwise_loops();
  auto body = [&](std::size_t begin, std::size_t end) {
    return loops.rmsprop(params, grads, sq, begin, end, lr, beta, eps);
  };
  return all_finite(count, body);
}

bool adam_update(float* params, const float* grads, float* m, float* v, std::size_t count, float lr, float beta1,
                 float beta2, float eps, double step) {
  MLPX_PHASE(kUpdate);
  // θ ← θ − lr (m / c1) / (√(v / c2) + ε), with the bias corrections folded into a step size
  // and a reciprocal: one division and one square root per parameter instead of three divisions.
  const double correction1 = 1.0 - std::pow(static_cast<double>(beta1), step);
  const double correction2 = 1.0 - std::pow(static_cast<double>(beta2), step);
  const AdamStep constants{static_cast<float>(lr / correction1), static_cast<float>(1.0 / correction2), beta1, beta2,
                           1.0f - beta1, 1.0f - beta2, eps};
  const ElementwiseLoops& loops = elementwise_loops();
  auto body = [&](std::size_t begin, std::size_t end) { return loops.adam(params, grads, m, v, begin, end, constants); };
  return all_finite(count, body);
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
