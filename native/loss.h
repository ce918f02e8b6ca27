// Loss kernels (src/backend/kernels.ts, loss family). Forward returns the mean over rows of the
// per-sample loss; backward writes the gradient of that mean (already divided by m).
#pragma once

namespace mlpx {

/** Loss ids. Must match Loss in src/backend/kernels.ts and assembly/loss.ts. */
enum Loss : int { kSse = 0, kHalfSse = 1, kMse = 2, kCrossEntropy = 3, kBinaryCrossEntropy = 4 };
constexpr int kLossCount = 5;
/** Probabilities are clamped to [kLogEps, 1 − kLogEps] inside logs. Must match LOG_EPS in kernels.ts. */
constexpr double kLogEps = 1e-7;

/**
 * p clamped to [kLogEps, 1 − kLogEps]. static: each file that uses it (the per-ISA loop files
 * among them) gets its own copy, never one the linker picked from another ISA's file.
 */
static constexpr double clamp_probability(double p) {
  return p < kLogEps ? kLogEps : (p > 1.0 - kLogEps ? 1.0 - kLogEps : p);
}

/** mean over the m rows of loss(p (m, n), y (m, n)), accumulated in float64 */
double loss_forward(const float* p, const float* y, int m, int n, int loss);
/** dp (m, n) = ∂ mean-loss / ∂p */
void loss_backward(float* dp, const float* p, const float* y, int m, int n, int loss);
/** dz (m, n) = (p − y) / m: softmax + cross-entropy, sigmoid + binary cross-entropy */
void output_delta_fused(float* dz, const float* p, const float* y, int m, int n);
/** rows where argmax(p) == argmax(y) (n > 1), or (p ≥ ½) == (y ≥ ½) (n == 1) */
int count_correct(const float* p, const float* y, int m, int n);

}  // namespace mlpx
