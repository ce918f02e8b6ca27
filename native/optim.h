// Optimizer kernels (src/backend/kernels.ts, optim family): one loop over the flat parameter
// vector each, so a whole network updates in one call. Each update returns true when every
// parameter it wrote is finite (checked inside its own loop).
#pragma once

#include <cstddef>

namespace mlpx {

/** Optimizer ids. Must match Optimizer in src/backend/kernels.ts and assembly/optim.ts. */
enum Optimizer : int { kSgd = 0, kMomentum = 1, kRmsprop = 2, kAdam = 3 };
constexpr int kOptimizerCount = 4;
/** Floats of optimizer state per parameter; must match OPTIMIZER_STATE_PER_PARAM in kernels.ts. */
constexpr int kStatePerParam[kOptimizerCount] = {0, 1, 1, 2};

/** θ ← θ − lr g */
bool sgd_update(float* params, const float* grads, std::size_t count, float lr);
/** v ← γ v + lr g;  θ ← θ − v */
bool momentum_update(float* params, const float* grads, float* velocity, std::size_t count, float lr, float gamma);
/** s ← β s + (1−β) g²;  θ ← θ − lr g / √(s + ε) */
bool rmsprop_update(float* params, const float* grads, float* sq, std::size_t count, float lr, float beta, float eps);
/** Adam with bias correction; step is the 1-based update count */
bool adam_update(float* params, const float* grads, float* m, float* v, std::size_t count, float lr, float beta1,
                 float beta2, float eps, double step);
/** Σ x² in float64, in a fixed order */
double sum_squares(const float* x, std::size_t count);

}  // namespace mlpx
