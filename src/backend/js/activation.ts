// Reference activations. Element-wise except softmax, which works per row and subtracts the
// row maximum first so exp never overflows.
import { Activation, LEAKY_SLOPE, type ActivationId } from '../kernels.js';

/** a (m, n) = act(z) */
export function activation_forward(a: Float32Array, z: Float32Array, m: number, n: number, act: ActivationId): void {
  const count = m * n;
  switch (act) {
    case Activation.linear:
      for (let i = 0; i < count; i++) a[i] = z[i]!;
      return;
    case Activation.sigmoid:
      for (let i = 0; i < count; i++) a[i] = 1 / (1 + Math.exp(-z[i]!));
      return;
    case Activation.tanh:
      for (let i = 0; i < count; i++) a[i] = Math.tanh(z[i]!);
      return;
    case Activation.relu:
      for (let i = 0; i < count; i++) a[i] = z[i]! > 0 ? z[i]! : 0;
      return;
    case Activation.leaky_relu:
      for (let i = 0; i < count; i++) a[i] = z[i]! > 0 ? z[i]! : LEAKY_SLOPE * z[i]!;
      return;
    case Activation.softmax:
      for (let r = 0; r < m; r++) {
        const row = r * n;
        let max = -Infinity;
        for (let j = 0; j < n; j++) max = Math.max(max, z[row + j]!);
        let sum = 0;
        for (let j = 0; j < n; j++) sum += Math.exp(z[row + j]! - max);
        for (let j = 0; j < n; j++) a[row + j] = Math.exp(z[row + j]! - max) / sum;
      }
      return;
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
