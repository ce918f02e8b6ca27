#include "optim.h"

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "parallel.h"

namespace mlpx {

// The updates are element-wise, so they run in ranges on the pool (identical for any split).
// Each range ORs together the bits of θ − θ for the parameters θ it writes: +0 for a finite θ, a
// NaN (non-zero bits) for ±∞ or NaN. Two vector instructions per parameter, and an integer OR
// reduction, which vectorizes where a float reduction would not (without -ffast-math). The state
// needs no check of its own: a non-finite velocity or Adam m makes θ non-finite, and the second
// moments stay finite for the gradients a step applies (GRAD_NORM2_LIMIT, net.h).

namespace {

inline std::uint32_t nonfinite(float value) {
  const float difference = value - value;
  std::uint32_t bits;
  std::memcpy(&bits, &difference, sizeof bits);
  return bits;
}

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
  auto body = [=](std::size_t begin, std::size_t end) {
    std::uint32_t bad = 0;
    for (std::size_t i = begin; i < end; ++i) {
      const float p = params[i] - lr * grads[i];
      params[i] = p;
      bad |= nonfinite(p);
    }
    return bad;
  };
  return all_finite(count, body);
}

bool momentum_update(float* params, const float* grads, float* velocity, std::size_t count, float lr, float gamma) {
  auto body = [=](std::size_t begin, std::size_t end) {
    std::uint32_t bad = 0;
    for (std::size_t i = begin; i < end; ++i) {
      const float v = gamma * velocity[i] + lr * grads[i];
      const float p = params[i] - v;
      velocity[i] = v;
      params[i] = p;
      bad |= nonfinite(p);
    }
    return bad;
  };
  return all_finite(count, body);
}

bool rmsprop_update(float* params, const float* grads, float* sq, std::size_t count, float lr, float beta, float eps) {
  const float keep = 1.0f - beta;
  auto body = [=](std::size_t begin, std::size_t end) {
    std::uint32_t bad = 0;
    for (std::size_t i = begin; i < end; ++i) {
      const float g = grads[i];
      const float s = beta * sq[i] + keep * g * g;
      const float p = params[i] - lr * g / std::sqrt(s + eps);
      sq[i] = s;
      params[i] = p;
      bad |= nonfinite(p);
    }
    return bad;
  };
  return all_finite(count, body);
}

bool adam_update(float* params, const float* grads, float* m, float* v, std::size_t count, float lr, float beta1,
                 float beta2, float eps, double step) {
  // θ ← θ − lr (m / c1) / (√(v / c2) + ε), with the bias corrections folded into a step size
  // and a reciprocal: one division and one square root per parameter instead of three divisions.
  const double correction1 = 1.0 - std::pow(static_cast<double>(beta1), step);
  const double correction2 = 1.0 - std::pow(static_cast<double>(beta2), step);
  const float step_size = static_cast<float>(lr / correction1);
  const float inv_correction2 = static_cast<float>(1.0 / correction2);
  const float keep1 = 1.0f - beta1;
  const float keep2 = 1.0f - beta2;
  auto body = [=](std::size_t begin, std::size_t end) {
    std::uint32_t bad = 0;
    for (std::size_t i = begin; i < end; ++i) {
      const float g = grads[i];
      const float mi = beta1 * m[i] + keep1 * g;
      const float vi = beta2 * v[i] + keep2 * g * g;
      const float p = params[i] - step_size * mi / (std::sqrt(vi * inv_correction2) + eps);
      m[i] = mi;
      v[i] = vi;
      params[i] = p;
      bad |= nonfinite(p);
    }
    return bad;
  };
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
