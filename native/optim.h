// Optimizer kernels (src/backend/kernels.ts, optim family): one loop over a flat parameter vector
// each, so a whole network updates in a few calls. Each update transforms the gradient and decays
// θ as OptimizerParams describes (GradientTransform) and returns true when every parameter it
// wrote is finite (checked inside its own loop).
#pragma once

#include <cstddef>

namespace mlpx {

struct UpdateStep;

/** Optimizer ids. Must match Optimizer in src/backend/kernels.ts and assembly/optim.ts. */
enum Optimizer : int { kSgd = 0, kMomentum = 1, kRmsprop = 2, kAdam = 3 };
constexpr int kOptimizerCount = 4;
/** Floats of optimizer state per parameter; must match OPTIMIZER_STATE_PER_PARAM in kernels.ts. */
constexpr int kStatePerParam[kOptimizerCount] = {0, 1, 1, 2};

/** The trailing arguments of every update kernel: g ← clamp(s·g) + l2 θ + l1 sign θ; θ decays by lr · weight_decay. */
struct GradientTransform {
  float grad_scale = 1.0f;   // the clip-by-norm factor s
  float clip_value = 0.0f;   // 0: no clamp
  float l2 = 0.0f, l1 = 0.0f, weight_decay = 0.0f;
};

/**
 * The constants of one update of `kind` (momentum γ, RMSProp β and Adam β1 are beta1; step is
 * Adam's 1-based update count).
 */
UpdateStep update_step(int kind, float lr, float beta1, float beta2, float eps, bool nesterov, double step,
                       const GradientTransform& transform);

/** A stretch of the flat vectors updated with its own constants (a layer's weights, or its biases). */
struct UpdateSegment {
  std::size_t begin, end;
  const UpdateStep* step;
};

/**
 * One update of the parameters [0, count) made of `segments` (in order, covering them), in
 * ranges on the pool: state0 is the velocity, squares or Adam m, state1 Adam v (each indexed like
 * the parameters). False if it wrote a non-finite value.
 */
bool update_segments(float* params, const float* grads, float* state0, float* state1, std::size_t count,
                     const UpdateSegment* segments, std::size_t segment_count);

/** θ ← θ − lr g */
bool sgd_update(float* params, const float* grads, std::size_t count, float lr, const GradientTransform& transform);
/** v ← γ v + lr g;  θ ← θ − v, or θ ← θ − (γ v + lr g) with nesterov */
bool momentum_update(float* params, const float* grads, float* velocity, std::size_t count, float lr, float gamma,
                     bool nesterov, const GradientTransform& transform);
/** s ← β s + (1−β) g²;  θ ← θ − lr g / √(s + ε) */
bool rmsprop_update(float* params, const float* grads, float* sq, std::size_t count, float lr, float beta, float eps,
                    const GradientTransform& transform);
/** Adam with bias correction; step is the 1-based update count */
bool adam_update(float* params, const float* grads, float* m, float* v, std::size_t count, float lr, float beta1,
                 float beta2, float eps, double step, const GradientTransform& transform);
/** Σ x² in float64, in a fixed order */
double sum_squares(const float* x, std::size_t count);
/** ½ l2 Σ w² + l1 Σ |w| in float64, in a fixed order */
double weight_penalty(const float* w, std::size_t count, float l2, float l1);

}  // namespace mlpx
