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
 * The hyper-parameters of an update (native/net.h OptParams, the NET_* words of assembly/step.ts).
 * The optional ones default to 0, which turns each off. Every update first transforms the loss
 * gradient g of each parameter θ, then applies the optimizer to the result:
 *
 *   g ← g · s, where s = min(1, clipNorm / ‖g‖) over the whole gradient (1 without clipNorm)
 *   g ← clamp(g, −clipValue, clipValue)
 *   g ← g + l2 θ + l1 sign(θ)                          (weights only, not biases)
 *   θ ← θ − lr · weightDecay · θ − (the optimizer's step from g)   (weights only)
 *
 * So l2 and l1 are the gradients of ½ l2 ‖W‖² and l1 ‖W‖₁ added to the loss, and weightDecay is
 * decoupled decay (AdamW for Adam). Clipping sees the loss gradient alone, as its ‖g‖² is the one
 * the step already computed.
 */
export interface OptimizerParams {
  kind: OptimizerId;
  lr: number;
  /** momentum γ, RMSProp β, Adam β1 */
  beta1: number;
  /** Adam β2 */
  beta2: number;
  eps: number;
  /** momentum: 1 for Nesterov's look-ahead step θ ← θ − (γ v + lr g) */
  nesterov?: number;
  l2?: number;
  l1?: number;
  weightDecay?: number;
  /** > 0: scale the gradient down to this global L2 norm when it is longer */
  clipNorm?: number;
  /** > 0: clamp each gradient to [−clipValue, clipValue] */
  clipValue?: number;
}

/** The fields of OptimizerParams in the order the native engine receives them packed (packOptimizer). */
export const OPTIMIZER_FIELDS = ['kind', 'lr', 'beta1', 'beta2', 'eps', 'nesterov', 'l2', 'l1', 'weightDecay', 'clipNorm', 'clipValue'] as const satisfies readonly (keyof OptimizerParams)[];

/** opt packed into `out` (OPTIMIZER_FIELDS.length float64 values), the optional fields as 0 when absent. */
export function packOptimizer(opt: OptimizerParams, out: Float64Array): Float64Array {
  OPTIMIZER_FIELDS.forEach((field, i) => (out[i] = opt[field] ?? 0));
  return out;
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
   * dz (m, n) = da ⊙ act'(z), using z and/or a = act(z) as each activation prefers (a must be
   * act(z): backends differ in which one they read);
   * for softmax the full row Jacobian: dz_j = a_j (da_j − Σ_k da_k a_k).
   */
  activation_backward(dz: Float32Array, da: Float32Array, z: Float32Array, a: Float32Array, m: number, n: number, act: ActivationId): void;
  /**
   * Inverted dropout fused with an element-wise activation (not softmax): a = act(z) · keep ·
   * scale, where keep and scale come from src/backend/dropout.ts for (seed, step, layer, row,
   * unit) and rate ∈ [0, 1). seed and step are integers in [0, 2⁵³); row is the row of z.
   */
  dropout_forward(a: Float32Array, z: Float32Array, m: number, n: number, act: ActivationId, rate: number, seed: number, step: number, layer: number): void;
  /**
   * The backward pass through dropout_forward with the same mask: dz = da · keep · scale · act'(z),
   * act' computed from z alone (a holds the dropped output).
   */
  dropout_backward(dz: Float32Array, da: Float32Array, z: Float32Array, m: number, n: number, act: ActivationId, rate: number, seed: number, step: number, layer: number): void;

  // ---- loss family ---------------------------------------------------------------------------
  // `weights` (m values, or null for all 1) weights each row: the loss is Σ_r w_r loss_r / m.
  /** Weighted mean over the m rows of the per-sample loss of prediction p (m, n) against target y (m, n). */
  loss_forward(p: Float32Array, y: Float32Array, weights: Float32Array | null, m: number, n: number, loss: LossId): number;
  /** dp (m, n) = ∂(weighted mean loss)/∂p, i.e. already divided by m. */
  loss_backward(dp: Float32Array, p: Float32Array, y: Float32Array, weights: Float32Array | null, m: number, n: number, loss: LossId): void;
  /**
   * The exact output error of softmax + cross-entropy and sigmoid + binary cross-entropy:
   * dz (m, n) = w_r (p S_r − y) / m, where S_r = Σ_j y_rj for softmax (targets whose rows do not
   * sum to 1 included) and 1 for sigmoid; `act` is the output activation.
   */
  output_delta_fused(dz: Float32Array, p: Float32Array, y: Float32Array, weights: Float32Array | null, m: number, n: number, act: ActivationId): void;
  /** Rows where argmax(p) == argmax(y) (n > 1), or where (p ≥ ½) == (y ≥ ½) (n == 1). */
  count_correct(p: Float32Array, y: Float32Array, m: number, n: number): number;

  // ---- optim family --------------------------------------------------------------------------
  // Each update transforms every gradient as OptimizerParams describes (gradScale is the clip-by-
  // norm factor s; clipValue 0 means no clamp), applying l2, l1 and weightDecay to all `count`
  // parameters: the engines call them on weights and biases separately.
  // Each update returns true when every parameter it wrote is finite: the check rides along in
  // the update's own loop (no second pass over the parameters). The state needs none of its own:
  // a non-finite velocity or Adam m makes θ non-finite, and the second moments stay finite for
  // every gradient a training step applies (GRAD_NORM2_LIMIT in engine.ts).
  /** θ ← θ − lr g */
  sgd_update(params: Float32Array, grads: Float32Array, count: number, lr: number, gradScale: number, clipValue: number, l2: number, l1: number, weightDecay: number): boolean;
  /** v ← γ v + lr g;  θ ← θ − v, or with nesterov (1) θ ← θ − (γ v + lr g) */
  momentum_update(
    params: Float32Array, grads: Float32Array, velocity: Float32Array, count: number, lr: number, gamma: number, nesterov: number,
    gradScale: number, clipValue: number, l2: number, l1: number, weightDecay: number,
  ): boolean;
  /** s ← β s + (1−β) g²;  θ ← θ − lr g / √(s + ε) */
  rmsprop_update(
    params: Float32Array, grads: Float32Array, sq: Float32Array, count: number, lr: number, beta: number, eps: number,
    gradScale: number, clipValue: number, l2: number, l1: number, weightDecay: number,
  ): boolean;
  /** Adam with bias correction; `step` is the 1-based update count. */
  adam_update(
    params: Float32Array, grads: Float32Array, m: Float32Array, v: Float32Array, count: number, lr: number, beta1: number, beta2: number, eps: number, step: number,
    gradScale: number, clipValue: number, l2: number, l1: number, weightDecay: number,
  ): boolean;
  /** Σ x², accumulated in float64 (gradient norms, Armijo, non-finite detection). */
  sum_squares(x: Float32Array, count: number): number;
  /** ½ l2 Σ w² + l1 Σ |w| in float64: the penalty training adds to the loss. */
  weight_penalty(w: Float32Array, count: number, l2: number, l1: number): number;
}

/** Kernel names, listed once: parity tests and registries iterate over this list. */
export const KERNEL_NAMES = [
  'matmul_nn', 'matmul_tn', 'matmul_nt',
  'bias_add', 'bias_grad', 'dense_forward', 'dense_backward',
  'activation_forward', 'activation_backward', 'dropout_forward', 'dropout_backward',
  'loss_forward', 'loss_backward', 'output_delta_fused', 'count_correct',
  'sgd_update', 'momentum_update', 'rmsprop_update', 'adam_update', 'sum_squares', 'weight_penalty',
] as const satisfies readonly (keyof Kernels)[];

/**
 * The fused network steps: each engine runs them over its own memory, with these names and
 * phases in native/net.cc (NetCore), assembly/step.ts and src/backend/composed.ts.
 * - net_forward: dense_forward + activation_forward per layer; in a training step, layers with a
 *   dropout rate run dropout_forward instead, with the masks of that step's update number.
 * - net_loss: loss_forward (row-weighted) and count_correct on the output (stats loss, correct).
 * - net_backward: the output error (output_delta_fused, or loss_backward + activation_backward),
 *   then dense_backward and activation_backward (dropout_backward under a dropped layer) down the
 *   layers; ‖g‖² into stats.
 * - optimizer_update: the optimizer kernel over the weights of each layer (with l2, l1 and weight
 *   decay) and over its biases (without), with the step's learning rate and clip-by-norm factor;
 *   false if it wrote a non-finite value.
 * - net_train_step: net_forward, net_loss plus the weight penalty (weight_penalty, when l2 or l1),
 *   net_backward, then optimizer_update unless the loss or ‖g‖² is non-finite; its StepStatus goes
 *   into stats (src/backend/engine.ts).
 * - net_train_batches: batches [first, first + count) of an epoch: gather each batch's rows (and
 *   row weights) through the order (epochBatch: the last batch may be short), net_train_step with
 *   update number firstStep + i and the learning rate of the epoch's rate table (else opt.lr);
 *   stops after the first batch whose status is not STEP_OK.
 */
export const FUSED_STEP_NAMES = ['net_forward', 'net_loss', 'net_backward', 'optimizer_update', 'net_train_step', 'net_train_batches'] as const;
