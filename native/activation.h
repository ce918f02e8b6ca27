// Activation kernels (src/backend/kernels.ts, activation family).
#pragma once

namespace mlpx {

/** Activation ids. Must match Activation in src/backend/kernels.ts and assembly/activation.ts. */
enum Activation : int { kLinear = 0, kSigmoid = 1, kTanh = 2, kRelu = 3, kLeakyRelu = 4, kSoftmax = 5 };
constexpr int kActivationCount = 6;
/** Must match LEAKY_SLOPE in src/backend/kernels.ts and assembly/activation.ts. */
constexpr float kLeakySlope = 0.01f;

/** a (m, n) = act(z); softmax per row with the row max subtracted */
void activation_forward(float* a, const float* z, int m, int n, int act);
struct ElementwiseLoops;
/**
 * activation_forward on the calling thread only, with the given path's loops (for work already
 * split across the pool, which must not be asked for the current path again); a may be z.
 */
void activation_forward_serial(float* a, const float* z, int m, int n, int act, const ElementwiseLoops& loops);
/**
 * dz (m, n) = da ⊙ act'(z), computed from a = act(z) (z is not read); softmax uses its row Jacobian
 * dz_j = a_j (da_j − Σ_k da_k a_k)
 */
void activation_backward(float* dz, const float* da, const float* z, const float* a, int m, int n, int act);
struct DropoutMask;
/** a (m, n) = act(z) · keep · scale (inverted dropout, src/backend/dropout.ts); act is element-wise */
void dropout_forward(float* a, const float* z, int m, int n, int act, const DropoutMask& mask);
/** dz (m, n) = da · keep · scale · act'(z), act' from z, with the mask dropout_forward used */
void dropout_backward(float* dz, const float* da, const float* z, int m, int n, int act, const DropoutMask& mask);

}  // namespace mlpx
