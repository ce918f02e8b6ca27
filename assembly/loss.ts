// loss family (pointers into linear memory). Each forward returns the mean over the m rows of the
// per-sample loss, accumulated in f64; backward returns the gradient of that mean.

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

/** mean over rows of loss(p (m, n), y (m, n)) */
export function loss_forward(p: usize, y: usize, m: i32, n: i32, loss: i32): f64 {
  const count = m * n;
  let total: f64 = 0;
  switch (loss) {
    case LOSS_SSE:
    case LOSS_HALF_SSE:
    case LOSS_MSE:
      for (let i = 0; i < count; i++) {
        const d = <f64>load<f32>(y + (<usize>i << 2)) - <f64>load<f32>(p + (<usize>i << 2));
        total += d * d;
      }
      if (loss == LOSS_HALF_SSE) total *= 0.5;
      if (loss == LOSS_MSE) total /= n;
      break;
    case LOSS_CROSS_ENTROPY:
      for (let i = 0; i < count; i++) {
        const t = <f64>load<f32>(y + (<usize>i << 2));
        if (t != 0) total -= t * Math.log(clamp_probability(load<f32>(p + (<usize>i << 2))));
      }
      break;
    case LOSS_BINARY_CROSS_ENTROPY:
      for (let i = 0; i < count; i++) {
        const t = <f64>load<f32>(y + (<usize>i << 2));
        const q = clamp_probability(load<f32>(p + (<usize>i << 2)));
        total -= t * Math.log(q) + (1 - t) * Math.log(1 - q);
      }
      break;
    default:
      unreachable(); // unknown loss id
  }
  return total / m;
}

/** dp (m, n) = ∂ mean-loss / ∂p */
export function loss_backward(dp: usize, p: usize, y: usize, m: i32, n: i32, loss: i32): void {
  const count = m * n;
  for (let i = 0; i < count; i++) {
    const off = <usize>i << 2;
    const q = <f64>load<f32>(p + off), t = <f64>load<f32>(y + off);
    let g: f64 = 0;
    switch (loss) {
      case LOSS_SSE: g = (2 * (q - t)) / m; break;
      case LOSS_HALF_SSE: g = (q - t) / m; break;
      case LOSS_MSE: g = (2 * (q - t)) / (<f64>m * n); break;
      case LOSS_CROSS_ENTROPY: g = -t / clamp_probability(q) / m; break;
      case LOSS_BINARY_CROSS_ENTROPY: {
        const c = clamp_probability(q);
        g = (c - t) / (c * (1 - c)) / m;
        break;
      }
      default: unreachable(); // unknown loss id
    }
    store<f32>(dp + off, <f32>g);
  }
}

/** dz (m, n) = (p − y) / m: softmax + cross-entropy or sigmoid + binary cross-entropy */
export function output_delta_fused(dz: usize, p: usize, y: usize, m: i32, n: i32): void {
  const count = m * n;
  const inv: f64 = 1 / <f64>m;
  for (let i = 0; i < count; i++) {
    const off = <usize>i << 2;
    store<f32>(dz + off, <f32>((<f64>load<f32>(p + off) - <f64>load<f32>(y + off)) * inv));
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
    let bestP = 0, bestY = 0;
    for (let j = 1; j < n; j++) {
      if (load<f32>(pr + (<usize>j << 2)) > load<f32>(pr + (<usize>bestP << 2))) bestP = j;
      if (load<f32>(yr + (<usize>j << 2)) > load<f32>(yr + (<usize>bestY << 2))) bestY = j;
    }
    if (bestP == bestY) correct++;
  }
  return correct;
}
