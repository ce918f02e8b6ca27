#include "optim.h"

#include <cmath>

namespace mlpx {

void sgd_update(float* params, const float* grads, std::size_t count, float lr) {
  for (std::size_t i = 0; i < count; ++i) params[i] = params[i] - lr * grads[i];
}

void momentum_update(float* params, const float* grads, float* velocity, std::size_t count, float lr, float gamma) {
  for (std::size_t i = 0; i < count; ++i) {
    velocity[i] = gamma * velocity[i] + lr * grads[i];
    params[i] = params[i] - velocity[i];
  }
}

void rmsprop_update(float* params, const float* grads, float* sq, std::size_t count, float lr, float beta, float eps) {
  const float keep = 1.0f - beta;
  for (std::size_t i = 0; i < count; ++i) {
    const float g = grads[i];
    sq[i] = beta * sq[i] + keep * g * g;
    params[i] = params[i] - lr * g / std::sqrt(sq[i] + eps);
  }
}

void adam_update(float* params, const float* grads, float* m, float* v, std::size_t count, float lr, float beta1,
                 float beta2, float eps, double step) {
  const float correction1 = static_cast<float>(1.0 - std::pow(static_cast<double>(beta1), step));
  const float correction2 = static_cast<float>(1.0 - std::pow(static_cast<double>(beta2), step));
  const float keep1 = 1.0f - beta1;
  const float keep2 = 1.0f - beta2;
  for (std::size_t i = 0; i < count; ++i) {
    const float g = grads[i];
    m[i] = beta1 * m[i] + keep1 * g;
    v[i] = beta2 * v[i] + keep2 * g * g;
    const float m_hat = m[i] / correction1;
    const float v_hat = v[i] / correction2;
    params[i] = params[i] - lr * m_hat / (std::sqrt(v_hat) + eps);
  }
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
