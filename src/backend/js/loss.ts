// Reference losses. Each returns the mean over samples of the per-sample loss; backward
// returns the gradient of that mean (so it is already divided by the row count m).
import { LOG_EPS, Loss, type LossId } from '../kernels.js';

const clampProbability = (p: number): number => Math.min(Math.max(p, LOG_EPS), 1 - LOG_EPS);

/** mean over rows of loss(p (m, n), y (m, n)) */
export function loss_forward(p: Float32Array, y: Float32Array, m: number, n: number, loss: LossId): number {
  const count = m * n;
  let total = 0;
  switch (loss) {
    case Loss.sse:
    case Loss.half_sse:
    case Loss.mse:
      for (let i = 0; i < count; i++) total += (y[i]! - p[i]!) ** 2;
      if (loss === Loss.half_sse) total *= 0.5;
      if (loss === Loss.mse) total /= n;
      break;
    case Loss.cross_entropy:
      for (let i = 0; i < count; i++) if (y[i]! !== 0) total -= y[i]! * Math.log(clampProbability(p[i]!));
      break;
    case Loss.binary_cross_entropy:
      for (let i = 0; i < count; i++) {
        const q = clampProbability(p[i]!);
        total -= y[i]! * Math.log(q) + (1 - y[i]!) * Math.log(1 - q);
      }
      break;
  }
  return total / m;
}

/** dp (m, n) = ∂ mean-loss / ∂p */
export function loss_backward(dp: Float32Array, p: Float32Array, y: Float32Array, m: number, n: number, loss: LossId): void {
  const count = m * n;
  switch (loss) {
    case Loss.sse:
      for (let i = 0; i < count; i++) dp[i] = (2 * (p[i]! - y[i]!)) / m;
      return;
    case Loss.half_sse:
      for (let i = 0; i < count; i++) dp[i] = (p[i]! - y[i]!) / m;
      return;
    case Loss.mse:
      for (let i = 0; i < count; i++) dp[i] = (2 * (p[i]! - y[i]!)) / (m * n);
      return;
    case Loss.cross_entropy:
      for (let i = 0; i < count; i++) dp[i] = -y[i]! / clampProbability(p[i]!) / m;
      return;
    case Loss.binary_cross_entropy:
      for (let i = 0; i < count; i++) {
        const q = clampProbability(p[i]!);
        dp[i] = (q - y[i]!) / (q * (1 - q)) / m;
      }
      return;
  }
}

/** dz (m, n) = (p − y) / m: softmax + cross-entropy or sigmoid + binary cross-entropy */
export function output_delta_fused(dz: Float32Array, p: Float32Array, y: Float32Array, m: number, n: number): void {
  const count = m * n;
  for (let i = 0; i < count; i++) dz[i] = (p[i]! - y[i]!) / m;
}

/** rows whose predicted class matches the target's */
export function count_correct(p: Float32Array, y: Float32Array, m: number, n: number): number {
  let correct = 0;
  for (let r = 0; r < m; r++) {
    const row = r * n;
    if (n === 1) {
      if ((p[row]! >= 0.5) === (y[row]! >= 0.5)) correct++;
      continue;
    }
    let bestP = 0;
    let bestY = 0;
    for (let j = 1; j < n; j++) {
      if (p[row + j]! > p[row + bestP]!) bestP = j;
      if (y[row + j]! > y[row + bestY]!) bestY = j;
    }
    if (bestP === bestY) correct++;
  }
  return correct;
}
