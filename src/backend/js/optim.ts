// Reference optimizer updates: one loop over the whole flat parameter vector. Each returns true
// when every parameter it wrote (read back, so after float32 rounding) is finite: the state needs
// no check of its own (a non-finite velocity or Adam m makes θ non-finite, and the second moments
// stay finite for the gradients a step applies: GRAD_NORM2_LIMIT in ../engine.ts). The same
// check as native/optim.cc and assembly/optim.ts.

/** θ ← θ − lr g */
export function sgd_update(params: Float32Array, grads: Float32Array, count: number, lr: number): boolean {
  let finite = true;
  for (let i = 0; i < count; i++) {
    params[i] = params[i]! - lr * grads[i]!;
    finite &&= Number.isFinite(params[i]!);
  }
  return finite;
}

/** v ← γ v + lr g;  θ ← θ − v */
export function momentum_update(params: Float32Array, grads: Float32Array, velocity: Float32Array, count: number, lr: number, gamma: number): boolean {
  let finite = true;
  for (let i = 0; i < count; i++) {
    velocity[i] = gamma * velocity[i]! + lr * grads[i]!;
    params[i] = params[i]! - velocity[i]!;
    finite &&= Number.isFinite(params[i]!);
  }
  return finite;
}

/** s ← β s + (1−β) g²;  θ ← θ − lr g / √(s + ε) */
export function rmsprop_update(params: Float32Array, grads: Float32Array, sq: Float32Array, count: number, lr: number, beta: number, eps: number): boolean {
  let finite = true;
  for (let i = 0; i < count; i++) {
    const g = grads[i]!;
    sq[i] = beta * sq[i]! + (1 - beta) * g * g;
    params[i] = params[i]! - (lr * g) / Math.sqrt(sq[i]! + eps);
    finite &&= Number.isFinite(params[i]!);
  }
  return finite;
}

/** m ← β1 m + (1−β1) g;  v ← β2 v + (1−β2) g²;  θ ← θ − lr m̂ / (√v̂ + ε) */
export function adam_update(
  params: Float32Array, grads: Float32Array, m: Float32Array, v: Float32Array, count: number,
  lr: number, beta1: number, beta2: number, eps: number, step: number,
): boolean {
  const correction1 = 1 - beta1 ** step;
  const correction2 = 1 - beta2 ** step;
  let finite = true;
  for (let i = 0; i < count; i++) {
    const g = grads[i]!;
    m[i] = beta1 * m[i]! + (1 - beta1) * g;
    v[i] = beta2 * v[i]! + (1 - beta2) * g * g;
    const mHat = m[i]! / correction1;
    const vHat = v[i]! / correction2;
    params[i] = params[i]! - (lr * mHat) / (Math.sqrt(vHat) + eps);
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
