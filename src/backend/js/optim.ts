// Reference optimizer updates: one loop over the whole flat parameter vector. Each first turns
// the loss gradient into the one it applies (transformed: clip-by-norm factor, clip by value, the
// l2/l1 penalties' gradient), and decays θ by lr · weightDecay (decoupled) besides its step.
// Each returns true when every parameter it wrote (read back, so after float32 rounding) is
// finite: the state needs no check of its own (a non-finite velocity or Adam m makes θ
// non-finite, and the second moments stay finite for the gradients a step applies:
// GRAD_NORM2_LIMIT in ../engine.ts). The same check as native/optim.cc and assembly/optim.ts.

const SMALLEST_NORMAL_F32 = 2 ** -126;

/**
 * A state value (velocity, squares, Adam's m and v) as stored: 0 when its float32 is below the
 * smallest normal float32, as in every backend (native/elementwise_loops.inc flushed: a unit
 * without gradient would otherwise hold denormal state for good, and denormal arithmetic is slow).
 */
function flushed(value: number): number {
  return Math.abs(Math.fround(value)) < SMALLEST_NORMAL_F32 ? 0 : value;
}

/** g · gradScale, clamped to ±clipValue (when > 0), plus l2 θ + l1 sign(θ) */
function transformed(g: number, theta: number, gradScale: number, clipValue: number, l2: number, l1: number): number {
  let t = g * gradScale;
  if (clipValue > 0) t = Math.min(Math.max(t, -clipValue), clipValue);
  return t + l2 * theta + l1 * Math.sign(theta);
}

/** θ ← θ − lr g */
export function sgd_update(
  params: Float32Array, grads: Float32Array, count: number, lr: number, gradScale: number, clipValue: number, l2: number, l1: number, weightDecay: number,
): boolean {
  let finite = true;
  for (let i = 0; i < count; i++) {
    const theta = params[i]!;
    const g = transformed(grads[i]!, theta, gradScale, clipValue, l2, l1);
    params[i] = theta - lr * weightDecay * theta - lr * g;
    finite &&= Number.isFinite(params[i]!);
  }
  return finite;
}

/** v ← γ v + lr g;  θ ← θ − v, or θ ← θ − (γ v + lr g) with Nesterov */
export function momentum_update(
  params: Float32Array, grads: Float32Array, velocity: Float32Array, count: number, lr: number, gamma: number, nesterov: number,
  gradScale: number, clipValue: number, l2: number, l1: number, weightDecay: number,
): boolean {
  let finite = true;
  for (let i = 0; i < count; i++) {
    const theta = params[i]!;
    const g = transformed(grads[i]!, theta, gradScale, clipValue, l2, l1);
    velocity[i] = flushed(gamma * velocity[i]! + lr * g);
    const step = nesterov !== 0 ? gamma * velocity[i]! + lr * g : velocity[i]!;
    params[i] = theta - lr * weightDecay * theta - step;
    finite &&= Number.isFinite(params[i]!);
  }
  return finite;
}

/** s ← β s + (1−β) g²;  θ ← θ − lr g / √(s + ε) */
export function rmsprop_update(
  params: Float32Array, grads: Float32Array, sq: Float32Array, count: number, lr: number, beta: number, eps: number,
  gradScale: number, clipValue: number, l2: number, l1: number, weightDecay: number,
): boolean {
  let finite = true;
  for (let i = 0; i < count; i++) {
    const theta = params[i]!;
    const g = transformed(grads[i]!, theta, gradScale, clipValue, l2, l1);
    sq[i] = flushed(beta * sq[i]! + (1 - beta) * g * g);
    params[i] = theta - lr * weightDecay * theta - (lr * g) / Math.sqrt(sq[i]! + eps);
    finite &&= Number.isFinite(params[i]!);
  }
  return finite;
}

/** m ← β1 m + (1−β1) g;  v ← β2 v + (1−β2) g²;  θ ← θ − lr m̂ / (√v̂ + ε) */
export function adam_update(
  params: Float32Array, grads: Float32Array, m: Float32Array, v: Float32Array, count: number,
  lr: number, beta1: number, beta2: number, eps: number, step: number,
  gradScale: number, clipValue: number, l2: number, l1: number, weightDecay: number,
): boolean {
  const correction1 = 1 - beta1 ** step;
  const correction2 = 1 - beta2 ** step;
  let finite = true;
  for (let i = 0; i < count; i++) {
    const theta = params[i]!;
    const g = transformed(grads[i]!, theta, gradScale, clipValue, l2, l1);
    m[i] = flushed(beta1 * m[i]! + (1 - beta1) * g);
    v[i] = flushed(beta2 * v[i]! + (1 - beta2) * g * g);
    const mHat = m[i]! / correction1;
    const vHat = v[i]! / correction2;
    params[i] = theta - lr * weightDecay * theta - (lr * mHat) / (Math.sqrt(vHat) + eps);
    finite &&= Number.isFinite(params[i]!);
  }
  return finite;
}

/** Σ x² in float64 */
export function sum_squares(x: Float32Array, count: number): number {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += x[i]! * x[i]!;
  return sum;
}

/** ½ l2 Σ w² + l1 Σ |w| in float64 */
export function weight_penalty(w: Float32Array, count: number, l2: number, l1: number): number {
  let squares = 0;
  let magnitudes = 0;
  for (let i = 0; i < count; i++) {
    squares += w[i]! * w[i]!;
    magnitudes += Math.abs(w[i]!);
  }
  return 0.5 * l2 * squares + l1 * magnitudes;
}
