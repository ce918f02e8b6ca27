// The kernel contract shared by every backend (js reference, wasm, native).
//
// Conventions (the same in src/backend/js, assembly/ and native/):
// - Buffers are flat, row-major Float32Arrays; dimensions are passed explicitly.
// - Argument order: outputs, then inputs and weights, then saved tensors, then dims, then scalars.
// - Every kernel overwrites its outputs (nothing accumulates); the caller owns all memory and
//   kernels never allocate.
// - Kernels assume valid input: validation happens once, at the TypeScript boundary
//   (src/util/validate.ts). The native layer only re-checks typed-array kinds and lengths.

/** Activation ids. Must match assembly/activation.ts and native/activation.h (test/parity/layout.test.ts checks). */
export const Activation = {
  linear: 0,
  sigmoid: 1,
  tanh: 2,
  relu: 3,
  leaky_relu: 4,
  softmax: 5,
} as const;
export type ActivationName = keyof typeof Activation;
export type ActivationId = (typeof Activation)[ActivationName];

/** Slope of leaky ReLU for z < 0. Must match assembly/activation.ts and native/activation.h. */
export const LEAKY_SLOPE = 0.01;

/** Loss ids. Must match assembly/loss.ts and native/loss.h (test/parity/layout.test.ts checks). */
export const Loss = {
  /** Σ_j (y − ŷ)², averaged over samples. */
  sse: 0,
  /** ½ Σ_j (y − ŷ)², averaged over samples. */
  half_sse: 1,
  /** (1/n) Σ_j (y − ŷ)², averaged over samples. */
  mse: 2,
  /** −Σ_j y log ŷ, averaged over samples (expects a softmax output). */
  cross_entropy: 3,
  /** −Σ_j [y log ŷ + (1−y) log(1−ŷ)], averaged over samples (expects a sigmoid output). */
  binary_cross_entropy: 4,
} as const;
export type LossName = keyof typeof Loss;
export type LossId = (typeof Loss)[LossName];

/** Probabilities are clamped to [LOG_EPS, 1 − LOG_EPS] inside logarithms. Mirrored in assembly/ and native/. */
export const LOG_EPS = 1e-7;

/** Optimizer ids. Must match assembly/optim.ts and native/optim.h (test/parity/layout.test.ts checks). */
export const Optimizer = {
  sgd: 0,
  momentum: 1,
  rmsprop: 2,
  adam: 3,
} as const;
export type OptimizerKindName = keyof typeof Optimizer;
export type OptimizerId = (typeof Optimizer)[OptimizerKindName];

/** Floats of optimizer state per parameter. */
export const OPTIMIZER_STATE_PER_PARAM: Readonly<Record<OptimizerId, number>> = [0, 1, 1, 2];

/**
 * The hyper-parameters every optimizer kernel receives, in this order (unused ones are ignored).
 * `step` is the 1-based update count (Adam's bias correction).
 */
export interface OptimizerParams {
  kind: OptimizerId;
  lr: number;
  /** momentum γ, RMSProp β, Adam β1 */
  beta1: number;
  /** Adam β2 */
  beta2: number;
  eps: number;
}

/**
 * The kernels. Names and argument order are identical in C++ (native/*.cc) and
 * AssemblyScript (assembly/*.ts), where Float32Arrays become pointers.
 */
export interface Kernels {
  // ---- matmul family -------------------------------------------------------------------------
  /** c (m, n) = a (m, k) · b (k, n) */
  matmul_nn(c: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number): void;
  /** c (m, n) = aᵀ · b, where a is (k, m) and b is (k, n). Weight gradients: dW = Xᵀ·δ. */
  matmul_tn(c: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number): void;
  /** c (m, n) = a · bᵀ, where a is (m, k) and b is (n, k). Input gradients: dX = δ·Wᵀ. */
  matmul_nt(c: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number): void;

  // ---- dense family --------------------------------------------------------------------------
  /** z (m, n) += bias (n) on every row. */
  bias_add(z: Float32Array, bias: Float32Array, m: number, n: number): void;
  /** db (n) = Σ_rows dz (m, n). */
  bias_grad(db: Float32Array, dz: Float32Array, m: number, n: number): void;
  /** z (m, n) = x (m, k) · w (k, n) + b (n). */
  dense_forward(z: Float32Array, x: Float32Array, w: Float32Array, b: Float32Array, m: number, k: number, n: number): void;
  /**
   * dw (k, n) = xᵀ · dz;  db (n) = Σ_rows dz;  dx (m, k) = dz · wᵀ unless dx is null (first layer).
   * x is (m, k), w is (k, n), dz is (m, n).
   */
  dense_backward(dx: Float32Array | null, dw: Float32Array, db: Float32Array, dz: Float32Array, x: Float32Array, w: Float32Array, m: number, k: number, n: number): void;

  // ---- activation family ---------------------------------------------------------------------
  /** a (m, n) = act(z). Softmax is per row and numerically stable (row max subtracted). */
  activation_forward(a: Float32Array, z: Float32Array, m: number, n: number, act: ActivationId): void;
  /**
   * dz (m, n) = da ⊙ act'(z), using z and/or a = act(z) as each activation prefers;
   * for softmax the full row Jacobian: dz_j = a_j (da_j − Σ_k da_k a_k).
   */
  activation_backward(dz: Float32Array, da: Float32Array, z: Float32Array, a: Float32Array, m: number, n: number, act: ActivationId): void;

  // ---- loss family ---------------------------------------------------------------------------
  /** Mean over the m rows of the per-sample loss of prediction p (m, n) against target y (m, n). */
  loss_forward(p: Float32Array, y: Float32Array, m: number, n: number, loss: LossId): number;
  /** dp (m, n) = ∂(mean loss)/∂p, i.e. already divided by m. */
  loss_backward(dp: Float32Array, p: Float32Array, y: Float32Array, m: number, n: number, loss: LossId): void;
  /**
   * Fused output error for softmax + cross-entropy and sigmoid + binary cross-entropy:
   * dz (m, n) = (p − y) / m.
   */
  output_delta_fused(dz: Float32Array, p: Float32Array, y: Float32Array, m: number, n: number): void;
  /** Rows where argmax(p) == argmax(y) (n > 1), or where (p ≥ ½) == (y ≥ ½) (n == 1). */
  count_correct(p: Float32Array, y: Float32Array, m: number, n: number): number;

  // ---- optim family --------------------------------------------------------------------------
  // Each update returns true when every parameter it wrote is finite: the check rides along in
  // the update's own loop (no second pass over the parameters). The state needs none of its own:
  // a non-finite velocity or Adam m makes θ non-finite, and the second moments stay finite for
  // every gradient a training step applies (GRAD_NORM2_LIMIT in engine.ts).
  /** θ ← θ − lr g */
  sgd_update(params: Float32Array, grads: Float32Array, count: number, lr: number): boolean;
  /** v ← γ v + lr g;  θ ← θ − v */
  momentum_update(params: Float32Array, grads: Float32Array, velocity: Float32Array, count: number, lr: number, gamma: number): boolean;
  /** s ← β s + (1−β) g²;  θ ← θ − lr g / √(s + ε) */
  rmsprop_update(params: Float32Array, grads: Float32Array, sq: Float32Array, count: number, lr: number, beta: number, eps: number): boolean;
  /** Adam with bias correction; `step` is the 1-based update count. */
  adam_update(params: Float32Array, grads: Float32Array, m: Float32Array, v: Float32Array, count: number, lr: number, beta1: number, beta2: number, eps: number, step: number): boolean;
  /** Σ x², accumulated in float64 (gradient norms, Armijo, non-finite detection). */
  sum_squares(x: Float32Array, count: number): number;
}

/** Kernel names, listed once: parity tests and registries iterate over this list. */
export const KERNEL_NAMES = [
  'matmul_nn', 'matmul_tn', 'matmul_nt',
  'bias_add', 'bias_grad', 'dense_forward', 'dense_backward',
  'activation_forward', 'activation_backward',
  'loss_forward', 'loss_backward', 'output_delta_fused', 'count_correct',
  'sgd_update', 'momentum_update', 'rmsprop_update', 'adam_update', 'sum_squares',
] as const satisfies readonly (keyof Kernels)[];

/**
 * The fused network steps: each engine runs them over its own memory, with these names and
 * phases in native/net.cc (NetCore), assembly/step.ts and src/backend/composed.ts.
 * - net_forward: dense_forward + activation_forward per layer.
 * - net_loss: loss_forward and count_correct on the output (stats loss, correct).
 * - net_backward: the output error (fused or loss_backward + activation_backward), then
 *   dense_backward and activation_backward down the layers; ‖g‖² into stats.
 * - optimizer_update: the optimizer kernel over the flat vectors; false if it wrote a non-finite value.
 * - net_train_step: net_forward, net_loss, net_backward, then optimizer_update unless the loss or
 *   ‖g‖² is non-finite; its StepStatus goes into stats (src/backend/engine.ts).
 * - net_train_batches: batches [first, first + count) of an epoch: gather each batch's rows
 *   through the order (epochBatch: the last batch may be short), net_train_step with update
 *   number firstStep + i; stops after the first batch whose status is not STEP_OK.
 */
export const FUSED_STEP_NAMES = ['net_forward', 'net_loss', 'net_backward', 'optimizer_update', 'net_train_step', 'net_train_batches'] as const;
