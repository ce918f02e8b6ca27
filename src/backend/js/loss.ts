// Reference losses. Each returns the mean over samples of the per-sample loss, each row weighted
// (weights null: all 1); backward returns the gradient of that mean (already divided by m).
import { Activation, LOG_EPS, Loss, type ActivationId, type LossId } from '../kernels.js';

const clampProbability = (p: number): number => Math.min(Math.max(p, LOG_EPS), 1 - LOG_EPS);

const rowWeight = (weights: Float32Array | null, r: number): number => (weights === null ? 1 : weights[r]!);

/** weighted mean over rows of loss(p (m, n), y (m, n)) */
export function loss_forward(p: Float32Array, y: Float32Array, weights: Float32Array | null, m: number, n: number, loss: LossId): number {
  let total = 0;
  for (let r = 0; r < m; r++) {
    let row = 0;
    for (let i = r * n; i < (r + 1) * n; i++) {
      switch (loss) {
        case Loss.sse:
        case Loss.half_sse:
        case Loss.mse:
          row += (y[i]! - p[i]!) ** 2;
          break;
        case Loss.cross_entropy:
          if (y[i]! !== 0) row -= y[i]! * Math.log(clampProbability(p[i]!));
          break;
        case Loss.binary_cross_entropy: {
          const q = clampProbability(p[i]!);
          row -= y[i]! * Math.log(q) + (1 - y[i]!) * Math.log(1 - q);
          break;
        }
      }
    }
    total += rowWeight(weights, r) * row;
  }
  if (loss === Loss.half_sse) total *= 0.5;
  if (loss === Loss.mse) total /= n;
  return total / m;
}

/** dp (m, n) = ∂ weighted-mean-loss / ∂p */
export function loss_backward(dp: Float32Array, p: Float32Array, y: Float32Array, weights: Float32Array | null, m: number, n: number, loss: LossId): void {
  for (let i = 0; i < m * n; i++) {
    const w = rowWeight(weights, Math.floor(i / n));
    switch (loss) {
      case Loss.sse:
        dp[i] = (w * 2 * (p[i]! - y[i]!)) / m;
        break;
      case Loss.half_sse:
        dp[i] = (w * (p[i]! - y[i]!)) / m;
        break;
      case Loss.mse:
        dp[i] = (w * 2 * (p[i]! - y[i]!)) / (m * n);
        break;
      case Loss.cross_entropy:
        dp[i] = (-w * y[i]!) / clampProbability(p[i]!) / m;
        break;
      case Loss.binary_cross_entropy: {
        const q = clampProbability(p[i]!);
        dp[i] = (w * (q - y[i]!)) / (q * (1 - q)) / m;
        break;
      }
    }
  }
}

/** dz (m, n) = w_r (p S_r − y) / m, S_r = Σ_j y_rj for softmax, 1 for sigmoid */
export function output_delta_fused(dz: Float32Array, p: Float32Array, y: Float32Array, weights: Float32Array | null, m: number, n: number, act: ActivationId): void {
  for (let r = 0; r < m; r++) {
    let sum = 1;
    if (act === Activation.softmax) {
      sum = 0;
      for (let j = 0; j < n; j++) sum += y[r * n + j]!;
    }
    const w = rowWeight(weights, r);
    for (let i = r * n; i < (r + 1) * n; i++) dz[i] = (w * (p[i]! * sum - y[i]!)) / m;
  }
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
