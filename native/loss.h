// Loss kernels (src/backend/kernels.ts, loss family). Forward returns the mean over rows of the
// per-sample loss, each row weighted (weights null: all 1); backward writes the gradient of that
// mean (already divided by m).
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

/** Σ_r w_r loss_r / m of p (m, n) against y (m, n), accumulated in float64 */
double loss_forward(const float* p, const float* y, const float* weights, int m, int n, int loss);
/** dp (m, n) = ∂ weighted-mean-loss / ∂p */
void loss_backward(float* dp, const float* p, const float* y, const float* weights, int m, int n, int loss);
/**
 * dz (m, n) = w_r (p S_r − y) / m for softmax + cross-entropy (S_r the row's target sum) and
 * sigmoid + binary cross-entropy (S_r = 1); act is the output activation
 */
void output_delta_fused(float* dz, const float* p, const float* y, const float* weights, int m, int n, int act);
/** rows where argmax(p) == argmax(y) (n > 1), or (p ≥ ½) == (y ≥ ½) (n == 1) */
int count_correct(const float* p, const float* y, int m, int n);

}  // namespace mlpx
