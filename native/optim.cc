#include "optim.h"

#include <atomic>
#include <cmath>
#include <limits>

#include "elementwise.h"
#include "parallel.h"
#include "profile.h"

namespace mlpx {

// The updates are element-wise: the kernel path's loops, in ranges on the pool (identical for any
// split). Each range reports whether a θ it wrote is not finite (the loops OR the bits of θ − θ).
// The state needs no check of its own: a non-finite velocity or Adam m makes θ non-finite, and the
// second moments stay finite for the gradients a step applies (GRAD_NORM2_LIMIT, net.h).

UpdateStep update_step(int kind, float lr, float beta1, float beta2, float eps, bool nesterov, double step,
                       const GradientTransform& t) {
  UpdateStep s{};
  s.kind = kind;
  s.lr = lr;
  s.beta1 = beta1;
  s.beta2 = beta2;
  s.keep1 = 1.0f - beta1;
  s.keep2 = 1.0f - beta2;
  s.eps = eps;
  s.nesterov = nesterov;
  if (kind == kAdam) {
    // the bias corrections folded into a step size and a reciprocal (elementwise_loops.inc adam)
    const double correction1 = 1.0 - std::pow(static_cast<double>(beta1), step);
    const double correction2 = 1.0 - std::pow(static_cast<double>(beta2), step);
    s.step_size = static_cast<float>(lr / correction1);
    s.inv_correction2 = static_cast<float>(1.0 / correction2);
  }
  s.clip = t.grad_scale != 1.0f || t.clip_value > 0.0f;
  s.grad_scale = t.grad_scale;
  s.clip_value = t.clip_value > 0.0f ? t.clip_value : std::numeric_limits<float>::infinity();
  s.regularize = t.l2 != 0.0f || t.l1 != 0.0f || t.weight_decay != 0.0f;
  s.l2 = t.l2;
  s.l1 = t.l1;
  s.decay = lr * t.weight_decay;
  return s;
}

bool update_segments(float* params, const float* grads, float* state0, float* state1, std::size_t count,
                     const UpdateSegment* segments, std::size_t segment_count) {
  MLPX_PHASE(kUpdate);
  const ElementwiseLoops& loops = elementwise_loops();
  std::atomic<bool> finite{true};
  // each range runs the parts of the segments it overlaps
  auto body = [&](std::size_t begin, std::size_t end) {
    std::uint32_t bad = 0;
    for (std::size_t i = 0; i < segment_count; ++i) {
      const UpdateSegment& segment = segments[i];
      const std::size_t from = segment.begin > begin ? segment.begin : begin;
      const std::size_t to = segment.end < end ? segment.end : end;
      if (from < to) bad |= loops.update(params, grads, state0, state1, from, to, *segment.step);
    }
    if (bad != 0) finite.store(false, std::memory_order_relaxed);
  };
  for_ranges(count, body);
  return finite.load(std::memory_order_relaxed);
}

namespace {

bool update_all(int kind, float* params, const float* grads, float* state0, float* state1, std::size_t count, float lr,
                float beta1, float beta2, float eps, bool nesterov, double step, const GradientTransform& transform) {
  const UpdateStep constants = update_step(kind, lr, beta1, beta2, eps, nesterov, step, transform);
  const UpdateSegment all{0, count, &constants};
  return update_segments(params, grads, state0, state1, count, &all, 1);
}

}  // namespace

bool sgd_update(float* params, const float* grads, std::size_t count, float lr, const GradientTransform& transform) {
  return update_all(kSgd, params, grads, nullptr, nullptr, count, lr, 0, 0, 0, false, 1, transform);
}

bool momentum_update(float* params, const float* grads, float* velocity, std::size_t count, float lr, float gamma,
                     bool nesterov, const GradientTransform& transform) {
  return update_all(kMomentum, params, grads, velocity, nullptr, count, lr, gamma, 0, 0, nesterov, 1, transform);
}

bool rmsprop_update(float* params, const float* grads, float* sq, std::size_t count, float lr, float beta, float eps,
                    const GradientTransform& transform) {
  return update_all(kRmsprop, params, grads, sq, nullptr, count, lr, beta, 0, eps, false, 1, transform);
}

bool adam_update(float* params, const float* grads, float* m, float* v, std::size_t count, float lr, float beta1,
                 float beta2, float eps, double step, const GradientTransform& transform) {
  return update_all(kAdam, params, grads, m, v, count, lr, beta1, beta2, eps, false, step, transform);
}

double sum_squares(const float* x, std::size_t count) { return elementwise_loops().sum_squares(x, count); }

double weight_penalty(const float* w, std::size_t count, float l2, float l1) {
  double squares = 0, magnitudes = 0;
  elementwise_loops().penalty_sums(w, count, &squares, &magnitudes);
  return 0.5 * l2 * squares + static_cast<double>(l1) * magnitudes;
}

}  // namespace mlpx
