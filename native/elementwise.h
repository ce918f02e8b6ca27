// The element-wise loops of the activation, dropout, loss, dense and optimizer kernels, compiled
// once per kernel path (native/elementwise_loops.inc, included by elementwise_portable.cc,
// _avx2.cc and _avx512.cc with their ISA flags). Each works on a range [begin, end) of its
// elements (or columns), so the thread pool can split it. There is no FMA contraction and no
// reordering in any of them, so every path and every split computes the same bits.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dropout.h"

namespace mlpx {

/**
 * The constants of one optimizer update over one stretch of parameters (optim.cc update_step):
 * the optimizer's, and the gradient transform of OptimizerParams (src/backend/kernels.ts).
 */
struct UpdateStep {
  int kind;
  float lr;
  float beta1, beta2, keep1, keep2, eps;  // momentum γ and RMSProp β are beta1; keep = 1 − β
  float step_size;                        // Adam: lr / (1 − β1^t)
  float inv_correction2;                  // Adam: 1 / (1 − β2^t)
  bool nesterov;
  bool clip;          // the gradient is scaled and clamped (grad_scale ≠ 1 or a clip value)
  float grad_scale;   // clip-by-norm factor
  float clip_value;   // clamp bound (+∞ for none)
  bool regularize;    // l2, l1 or decay is not 0
  float l2, l1;
  float decay;        // lr · weightDecay
};

struct ElementwiseLoops {
  /** a = act(z) for the element-wise activations (not softmax). */
  void (*activation_forward)(float* a, const float* z, std::size_t begin, std::size_t end, int act);
  /** a = softmax(z) of rows [begin_row, end_row) of n columns, each row's max subtracted; a may be z. */
  void (*softmax_rows)(float* a, const float* z, std::size_t begin_row, std::size_t end_row, std::size_t n);
  /** dz = da ⊙ act'(z) for the element-wise activations (not softmax), from a = act(z) alone. */
  void (*activation_backward)(float* dz, const float* da, const float* a, std::size_t begin, std::size_t end, int act);
  /** a = act(z) · keep · scale over elements [begin, end) of an (m, n) matrix (element-wise activations). */
  void (*dropout_forward)(float* a, const float* z, std::size_t begin, std::size_t end, std::size_t n, int act,
                          const DropoutMask& mask);
  /** dz = da · keep · scale · act'(z), act' from z. */
  void (*dropout_backward)(float* dz, const float* da, const float* z, std::size_t begin, std::size_t end,
                           std::size_t n, int act, const DropoutMask& mask);
  /** dp = ∂ weighted-mean-loss / ∂p (m rows of n outputs; weights null: all 1). */
  void (*loss_backward)(float* dp, const float* p, const float* y, const float* weights, std::size_t begin,
                        std::size_t end, int m, int n, int loss);
  /** dz = (p S_r − y) / rows · w_r, S_r the row's target sum when row_sums, else 1. */
  void (*output_delta_fused)(float* dz, const float* p, const float* y, const float* weights, std::size_t begin,
                             std::size_t end, int n, float rows, bool row_sums);
  /** db[j] = Σ_rows dz[·, j] in float64, for columns j in [begin, end) of an (m, n) dz. */
  void (*bias_grad)(float* db, const float* dz, int m, int n, std::size_t begin, std::size_t end);
  /**
   * One update of step.kind over parameters [begin, end) (state0: velocity, squares or Adam m;
   * state1: Adam v). Non-zero when any θ it wrote is not finite.
   */
  std::uint32_t (*update)(float* params, const float* grads, float* state0, float* state1, std::size_t begin,
                          std::size_t end, const UpdateStep& step);
  /** Σ x² of x[0, count) in float64: penalty_sums' squares, without its Σ |x|. */
  double (*sum_squares)(const float* x, std::size_t count);
  /** Σ w² and Σ |w| of w[0, count) in float64, in a fixed order (the same bits on every path). */
  void (*penalty_sums)(const float* w, std::size_t count, double* squares, double* magnitudes);
};

extern const ElementwiseLoops kElementwisePortable;
#if MLPX_HAVE_X86_KERNELS
extern const ElementwiseLoops kElementwiseAvx2;
extern const ElementwiseLoops kElementwiseAvx512;
#endif

/** The loops of the kernel path in use (native/matmul.cc). */
const ElementwiseLoops& elementwise_loops();

}  // namespace mlpx
