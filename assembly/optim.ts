// optim family: one loop over the whole flat parameter vector (pointers into linear memory).
// Updates compute in f32, four lanes at a time; bias corrections and Σx² in f64. Each update
// returns true when every parameter it wrote is finite: the bits of θ − θ (+0 for a finite θ, a
// NaN otherwise) are OR-ed into a flag inside the update's own loop. The state needs no check of
// its own: a non-finite velocity or Adam m makes θ non-finite, and the second moments stay finite
// for the gradients a step applies (GRAD_NORM2_LIMIT, step.ts).

// @ts-ignore: decorator
@inline function nonfinite(v: f32): u32 {
  return reinterpret<u32>(v - v);
}

// @ts-ignore: decorator
@inline function nonfinite4(v: v128): v128 {
  return f32x4.sub(v, v);
}

/** Optimizer ids. Must match src/backend/kernels.ts (Optimizer) and native/optim.h. */
export const OPT_SGD: i32 = 0;
export const OPT_MOMENTUM: i32 = 1;
export const OPT_RMSPROP: i32 = 2;
export const OPT_ADAM: i32 = 3;

/** θ ← θ − lr g */
export function sgd_update(params: usize, grads: usize, count: i32, lr: f32): bool {
  const c4 = count & ~3;
  const l = f32x4.splat(lr);
  let bad4 = i32x4.splat(0);
  let i = 0;
  for (; i < c4; i += 4) {
    const off = <usize>i << 2;
    const p = f32x4.sub(v128.load(params + off), f32x4.mul(l, v128.load(grads + off)));
    v128.store(params + off, p);
    bad4 = v128.or(bad4, nonfinite4(p));
  }
  let bad: u32 = v128.any_true(bad4) ? 1 : 0;
  for (; i < count; i++) {
    const off = <usize>i << 2;
    const p = load<f32>(params + off) - lr * load<f32>(grads + off);
    store<f32>(params + off, p);
    bad |= nonfinite(p);
  }
  return bad == 0;
}

/** v ← γ v + lr g;  θ ← θ − v */
export function momentum_update(params: usize, grads: usize, velocity: usize, count: i32, lr: f32, gamma: f32): bool {
  let bad: u32 = 0;
  for (let i = 0; i < count; i++) {
    const off = <usize>i << 2;
    const v = gamma * load<f32>(velocity + off) + lr * load<f32>(grads + off);
    const p = load<f32>(params + off) - v;
    store<f32>(velocity + off, v);
    store<f32>(params + off, p);
    bad |= nonfinite(p);
  }
  return bad == 0;
}

/** s ← β s + (1−β) g²;  θ ← θ − lr g / √(s + ε) */
export function rmsprop_update(params: usize, grads: usize, sq: usize, count: i32, lr: f32, beta: f32, eps: f32): bool {
  let bad: u32 = 0;
  for (let i = 0; i < count; i++) {
    const off = <usize>i << 2;
    const g = load<f32>(grads + off);
    const s = beta * load<f32>(sq + off) + (1 - beta) * g * g;
    const p = load<f32>(params + off) - (lr * g) / Mathf.sqrt(s + eps);
    store<f32>(sq + off, s);
    store<f32>(params + off, p);
    bad |= nonfinite(p);
  }
  return bad == 0;
}

/** m ← β1 m + (1−β1) g;  v ← β2 v + (1−β2) g²;  θ ← θ − lr m̂ / (√v̂ + ε); step is 1-based */
export function adam_update(
  params: usize, grads: usize, m: usize, v: usize, count: i32,
  lr: f32, beta1: f32, beta2: f32, eps: f32, step: f64,
): bool {
  const inv1 = f32x4.splat(<f32>(1 / (1 - Math.pow(<f64>beta1, step))));
  const inv2 = f32x4.splat(<f32>(1 / (1 - Math.pow(<f64>beta2, step))));
  const b1 = f32x4.splat(beta1), b2 = f32x4.splat(beta2);
  const c1 = f32x4.splat(1 - beta1), c2 = f32x4.splat(1 - beta2);
  const l = f32x4.splat(lr), e = f32x4.splat(eps);
  const c4 = count & ~3;
  let bad4 = i32x4.splat(0);
  let i = 0;
  for (; i < c4; i += 4) {
    const off = <usize>i << 2;
    const g = v128.load(grads + off);
    const mi = f32x4.add(f32x4.mul(b1, v128.load(m + off)), f32x4.mul(c1, g));
    const vi = f32x4.add(f32x4.mul(b2, v128.load(v + off)), f32x4.mul(c2, f32x4.mul(g, g)));
    v128.store(m + off, mi);
    v128.store(v + off, vi);
    const step4 = f32x4.div(f32x4.mul(l, f32x4.mul(mi, inv1)), f32x4.add(f32x4.sqrt(f32x4.mul(vi, inv2)), e));
    const p = f32x4.sub(v128.load(params + off), step4);
    v128.store(params + off, p);
    bad4 = v128.or(bad4, nonfinite4(p));
  }
  let bad: u32 = v128.any_true(bad4) ? 1 : 0;
  const s1 = f32x4.extract_lane(inv1, 0), s2 = f32x4.extract_lane(inv2, 0);
  for (; i < count; i++) {
    const off = <usize>i << 2;
    const g = load<f32>(grads + off);
    const mi = beta1 * load<f32>(m + off) + (1 - beta1) * g;
    const vi = beta2 * load<f32>(v + off) + (1 - beta2) * (g * g);
    const p = load<f32>(params + off) - (lr * (mi * s1)) / (Mathf.sqrt(vi * s2) + eps);
    store<f32>(m + off, mi);
    store<f32>(v + off, vi);
    store<f32>(params + off, p);
    bad |= nonfinite(p);
  }
  return bad == 0;
}

/**
 * Elements [i0, i1) of optimizer `kind`'s update over the flat vectors of `count` parameters
 * (state: velocity or squares, or Adam's m then v). i0 is a multiple of 4, so every element takes
 * the same SIMD or tail path as in one update over all of them: threads can share an update.
 * False if it wrote a non-finite value.
 */
export function update_range(
  kind: i32, params: usize, grads: usize, state: usize, count: i32, i0: i32, i1: i32,
  lr: f32, beta1: f32, beta2: f32, eps: f32, step: f64,
): bool {
  const off = <usize>i0 << 2, n = i1 - i0;
  switch (kind) {
    case OPT_SGD: return sgd_update(params + off, grads + off, n, lr);
    case OPT_MOMENTUM: return momentum_update(params + off, grads + off, state + off, n, lr, beta1);
    case OPT_RMSPROP: return rmsprop_update(params + off, grads + off, state + off, n, lr, beta1, eps);
    case OPT_ADAM: return adam_update(params + off, grads + off, state + off, state + (<usize>count << 2) + off, n, lr, beta1, beta2, eps, step);
    default: unreachable(); // unknown optimizer id
  }
  return false;
}

/**
 * Σ x² is summed in SUM_BLOCKS blocks whose bounds depend only on count (threads.ts sums blocks
 * on several threads), then the block sums in block order: the same value for any thread count.
 */
export const SUM_BLOCKS: i32 = 64;

/** First element of block b (b ≤ SUM_BLOCKS); blocks hold multiples of 4 elements, the last one the tail. */
export function sum_block_start(count: i32, b: i32): i32 {
  const len = (((count + SUM_BLOCKS - 1) / SUM_BLOCKS) + 3) & ~3;
  return b == SUM_BLOCKS ? count : min(count, b * len);
}

/** Σ x² of blocks [b0, b1), one f64 per block at partials + 8·b */
export function sum_squares_blocks(partials: usize, x: usize, count: i32, b0: i32, b1: i32): void {
  for (let b = b0; b < b1; b++) {
    const i0 = sum_block_start(count, b);
    store<f64>(partials + (<usize>b << 3), sum_squares_run(x + (<usize>i0 << 2), sum_block_start(count, b + 1) - i0));
  }
}

/** Σ x² in f64, block by block */
export function sum_squares(x: usize, count: i32): f64 {
  let sum: f64 = 0;
  for (let b = 0; b < SUM_BLOCKS; b++) {
    const i0 = sum_block_start(count, b);
    sum += sum_squares_run(x + (<usize>i0 << 2), sum_block_start(count, b + 1) - i0);
  }
  return sum;
}

// Σ x² of one block: two f64x2 accumulators (lanes 0–1 and 2–3 of each f32x4), then the tail
function sum_squares_run(x: usize, count: i32): f64 {
  const c4 = count & ~3;
  let lo = f64x2.splat(0), hi = f64x2.splat(0);
  let i = 0;
  for (; i < c4; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const a = f64x2.promote_low_f32x4(v);
    const b = f64x2.promote_low_f32x4(v128.swizzle(v, i8x16(8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7)));
    lo = f64x2.add(lo, f64x2.mul(a, a));
    hi = f64x2.add(hi, f64x2.mul(b, b));
  }
  let sum = (f64x2.extract_lane(lo, 0) + f64x2.extract_lane(lo, 1)) + (f64x2.extract_lane(hi, 0) + f64x2.extract_lane(hi, 1));
  for (; i < count; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    sum += v * v;
  }
  return sum;
}
