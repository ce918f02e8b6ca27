// loss family (pointers into linear memory). Each forward returns the mean over the m rows of the
// per-sample loss, each row weighted (weights 0: all 1), accumulated in f64; backward returns the
// gradient of that mean.
import { ACT_SOFTMAX } from './activation';

/** Loss ids. Must match src/backend/kernels.ts (Loss) and native/loss.h. */
export const LOSS_SSE: i32 = 0;
export const LOSS_HALF_SSE: i32 = 1;
export const LOSS_MSE: i32 = 2;
export const LOSS_CROSS_ENTROPY: i32 = 3;
export const LOSS_BINARY_CROSS_ENTROPY: i32 = 4;
/** Must match LOG_EPS in src/backend/kernels.ts. */
const LOG_EPS: f64 = 1e-7;

// @ts-ignore: decorator
@inline function clamp_probability(p: f64): f64 {
  return min(max(p, LOG_EPS), 1 - LOG_EPS);
}

// @ts-ignore: decorator
@inline function row_weight(weights: usize, r: i32): f64 {
  return weights == 0 ? 1 : <f64>load<f32>(weights + (<usize>r << 2));
}

/** Σ_r w_r loss_r / m of p (m, n) against y (m, n); weights 0: all 1 */
export function loss_forward(p: usize, y: usize, weights: usize, m: i32, n: i32, loss: i32): f64 {
  let total: f64 = 0;
  for (let r = 0; r < m; r++) {
    let row: f64 = 0;
    for (let i = r * n; i < (r + 1) * n; i++) {
      const t = <f64>load<f32>(y + (<usize>i << 2));
      const q = <f64>load<f32>(p + (<usize>i << 2));
      switch (loss) {
        case LOSS_SSE:
        case LOSS_HALF_SSE:
        case LOSS_MSE: {
          const d = t - q;
          row += d * d;
          break;
        }
        case LOSS_CROSS_ENTROPY:
          if (t != 0) row -= t * Math.log(clamp_probability(q));
          break;
        case LOSS_BINARY_CROSS_ENTROPY: {
          const c = clamp_probability(q);
          row -= t * Math.log(c) + (1 - t) * Math.log(1 - c);
          break;
        }
        default:
          unreachable(); // unknown loss id
      }
    }
    total += row_weight(weights, r) * row;
  }
  if (loss == LOSS_HALF_SSE) total *= 0.5;
  if (loss == LOSS_MSE) total /= n;
  return total / m;
}

/** dp (m, n) = ∂ weighted-mean-loss / ∂p */
export function loss_backward(dp: usize, p: usize, y: usize, weights: usize, m: i32, n: i32, loss: i32): void {
  for (let r = 0; r < m; r++) {
    const w = row_weight(weights, r);
    for (let i = r * n; i < (r + 1) * n; i++) {
      const off = <usize>i << 2;
      const q = <f64>load<f32>(p + off), t = <f64>load<f32>(y + off);
      let g: f64 = 0;
      switch (loss) {
        case LOSS_SSE: g = (w * (2 * (q - t))) / m; break;
        case LOSS_HALF_SSE: g = (w * (q - t)) / m; break;
        case LOSS_MSE: g = (w * (2 * (q - t))) / (<f64>m * n); break;
        case LOSS_CROSS_ENTROPY: g = -(w * t) / clamp_probability(q) / m; break;
        case LOSS_BINARY_CROSS_ENTROPY: {
          const c = clamp_probability(q);
          g = (w * (c - t)) / (c * (1 - c)) / m;
          break;
        }
        default: unreachable(); // unknown loss id
      }
      store<f32>(dp + off, <f32>g);
    }
  }
}

/** dz (m, n) = w_r (p S_r − y) / m: S_r the row's target sum for softmax (act), 1 for sigmoid */
export function output_delta_fused(dz: usize, p: usize, y: usize, weights: usize, m: i32, n: i32, act: i32): void {
  const inv: f64 = 1 / <f64>m;
  for (let r = 0; r < m; r++) {
    const row = <usize>(r * n) << 2;
    let sum: f64 = 1;
    if (act == ACT_SOFTMAX) {
      sum = 0;
      for (let j = 0; j < n; j++) sum += <f64>load<f32>(y + row + (<usize>j << 2));
    }
    const scale = row_weight(weights, r) * inv;
    for (let j = 0; j < n; j++) {
      const off = row + (<usize>j << 2);
      store<f32>(dz + off, <f32>((<f64>load<f32>(p + off) * sum - <f64>load<f32>(y + off)) * scale));
    }
  }
}

/** rows whose predicted class matches the target's (threshold ½ when n == 1) */
export function count_correct(p: usize, y: usize, m: i32, n: i32): i32 {
  let correct = 0;
  for (let r = 0; r < m; r++) {
    const pr = p + (<usize>(r * n) << 2), yr = y + (<usize>(r * n) << 2);
    if (n == 1) {
      if ((load<f32>(pr) >= 0.5) == (load<f32>(yr) >= 0.5)) correct++;
      continue;
    }
    // the first maximum of each row through selects, as native/loss.cc count_correct
    let bestP = 0, bestY = 0;
    let topP = load<f32>(pr), topY = load<f32>(yr);
    for (let j = 1; j < n; j++) {
      const pj = load<f32>(pr + (<usize>j << 2)), yj = load<f32>(yr + (<usize>j << 2));
      const pHigher = pj > topP, yHigher = yj > topY;
      bestP = select<i32>(j, bestP, pHigher);
      topP = select<f32>(pj, topP, pHigher);
      bestY = select<i32>(j, bestY, yHigher);
      topY = select<f32>(yj, topY, yHigher);
    }
    if (bestP == bestY) correct++;
  }
  return correct;
}
