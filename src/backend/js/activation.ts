// Reference activations. Element-wise except softmax, which works per row and subtracts the
// row maximum first so exp never overflows; and dropout fused with the element-wise ones.
import { dropoutBits, dropoutLayerKey, dropoutRowKey, dropoutScale, dropoutThreshold } from '../dropout.js';
import { Activation, LEAKY_SLOPE, type ActivationId } from '../kernels.js';

/** a (m, n) = act(z) */
export function activation_forward(a: Float32Array, z: Float32Array, m: number, n: number, act: ActivationId): void {
  if (act !== Activation.softmax) {
    for (let i = 0; i < m * n; i++) a[i] = activate(z[i]!, act);
    return;
  }
  for (let r = 0; r < m; r++) {
    const row = r * n;
    let max = -Infinity;
    for (let j = 0; j < n; j++) max = Math.max(max, z[row + j]!);
    let sum = 0;
    for (let j = 0; j < n; j++) sum += Math.exp(z[row + j]! - max);
    for (let j = 0; j < n; j++) a[row + j] = Math.exp(z[row + j]! - max) / sum;
  }
}

/** dz (m, n) = da ⊙ act'(z); softmax uses its row Jacobian */
export function activation_backward(
  dz: Float32Array, da: Float32Array, z: Float32Array, a: Float32Array, m: number, n: number, act: ActivationId,
): void {
  const count = m * n;
  switch (act) {
    case Activation.linear:
      for (let i = 0; i < count; i++) dz[i] = da[i]!;
      return;
    case Activation.sigmoid:
      for (let i = 0; i < count; i++) dz[i] = da[i]! * a[i]! * (1 - a[i]!);
      return;
    case Activation.tanh:
      for (let i = 0; i < count; i++) dz[i] = da[i]! * (1 - a[i]! * a[i]!);
      return;
    case Activation.relu:
      for (let i = 0; i < count; i++) dz[i] = z[i]! > 0 ? da[i]! : 0;
      return;
    case Activation.leaky_relu:
      for (let i = 0; i < count; i++) dz[i] = z[i]! > 0 ? da[i]! : LEAKY_SLOPE * da[i]!;
      return;
    case Activation.softmax:
      for (let r = 0; r < m; r++) {
        const row = r * n;
        let dot = 0;
        for (let j = 0; j < n; j++) dot += da[row + j]! * a[row + j]!;
        for (let j = 0; j < n; j++) dz[row + j] = a[row + j]! * (da[row + j]! - dot);
      }
      return;
  }
}

/** act(z) of an element-wise activation */
function activate(z: number, act: ActivationId): number {
  switch (act) {
    case Activation.sigmoid: return 1 / (1 + Math.exp(-z));
    case Activation.tanh: return Math.tanh(z);
    case Activation.relu: return z > 0 ? z : 0;
    case Activation.leaky_relu: return z > 0 ? z : LEAKY_SLOPE * z;
    default: return z;
  }
}

/** act'(z) of an element-wise activation, from z alone */
function derivative(z: number, act: ActivationId): number {
  switch (act) {
    case Activation.sigmoid: {
      const s = 1 / (1 + Math.exp(-z));
      return s * (1 - s);
    }
    case Activation.tanh: {
      const t = Math.tanh(z);
      return 1 - t * t;
    }
    case Activation.relu: return z > 0 ? 1 : 0;
    case Activation.leaky_relu: return z > 0 ? 1 : LEAKY_SLOPE;
    default: return 1;
  }
}

/** out[i] = keep · scale · f(i) for the dropout mask of (seed, step, layer) over (m, n) */
function masked(out: Float32Array, m: number, n: number, rate: number, seed: number, step: number, layer: number, f: (i: number) => number): void {
  const threshold = dropoutThreshold(rate);
  const scale = dropoutScale(threshold);
  const key = dropoutLayerKey(seed, step, layer);
  for (let r = 0; r < m; r++) {
    const rowKey = dropoutRowKey(key, r);
    for (let j = 0; j < n; j++) {
      const i = r * n + j;
      out[i] = dropoutBits(rowKey, j) >= threshold ? scale * f(i) : 0;
    }
  }
}

/** a (m, n) = act(z) · keep · scale (inverted dropout) */
export function dropout_forward(
  a: Float32Array, z: Float32Array, m: number, n: number, act: ActivationId, rate: number, seed: number, step: number, layer: number,
): void {
  masked(a, m, n, rate, seed, step, layer, (i) => activate(z[i]!, act));
}

/** dz (m, n) = da · keep · scale · act'(z) */
export function dropout_backward(
  dz: Float32Array, da: Float32Array, z: Float32Array, m: number, n: number, act: ActivationId, rate: number, seed: number, step: number, layer: number,
): void {
  masked(dz, m, n, rate, seed, step, layer, (i) => da[i]! * derivative(z[i]!, act));
}
