// The element-wise loops of the activation, loss, dense and optimizer kernels, compiled once per
// kernel path (native/elementwise_loops.inc, included by elementwise_portable.cc, _avx2.cc and
// _avx512.cc with their ISA flags). Each works on a range [begin, end) of its elements (or
// columns), so the thread pool can split it. There is no FMA contraction and no reordering in any
// of them, so every path and every split computes the same bits.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mlpx {

/** Adam's per-step constants (see adam_update in optim.cc). */
struct AdamStep {
  float step_size;        // lr / (1 − β1^t)
  float inv_correction2;  // 1 / (1 − β2^t)
  float beta1, beta2, keep1, keep2, eps;
};

struct ElementwiseLoops {
  /** a = act(z) for the element-wise activations (not softmax). */
  void (*activation_forward)(float* a, const float* z, std::size_t begin, std::size_t end, int act);
  /** dz = da ⊙ act'(z) for the element-wise activations (not softmax). */
  void (*activation_backward)(float* dz, const float* da, const float* z, const float* a, std::size_t begin,
                              std::size_t end, int act);
  /** dp = ∂ mean-loss / ∂p (m rows of n outputs). */
  void (*loss_backward)(float* dp, const float* p, const float* y, std::size_t begin, std::size_t end, int m, int n,
                        int loss);
  /** dz = (p − y) / rows */
  void (*output_delta_fused)(float* dz, const float* p, const float* y, std::size_t begin, std::size_t end, float rows);
  /** db[j] = Σ_rows dz[·, j] in float64, for columns j in [begin, end) of an (m, n) dz. */
  void (*bias_grad)(float* db, const float* dz, int m, int n, std::size_t begin, std::size_t end);
  // The optimizer updates return non-zero when any θ they wrote is not finite.
  std::uint32_t (*sgd)(float* params, const float* grads, std::size_t begin, std::size_t end, float lr);
  std::uint32_t (*momentum)(float* params, const float* grads, float* velocity, std::size_t begin, std::size_t end, float lr,
                   float gamma);
  std::uint32_t (*rmsprop)(float* params, const float* grads, float* sq, std::size_t begin, std::size_t end, float lr,
                  float beta, float eps);
  std::uint32_t (*adam)(float* params, const float* grads, float* m, float* v, std::size_t begin, std::size_t end,
               const AdamStep& step);
};

extern const ElementwiseLoops kElementwisePortable;
#if MLPX_HAVE_X86_KERNELS
extern const ElementwiseLoops kElementwiseAvx2;
extern const ElementwiseLoops kElementwiseAvx512;
#endif

/** The loops of the kernel path in use (native/matmul.cc). */
const ElementwiseLoops& elementwise_loops();

}  // namespace mlpx
