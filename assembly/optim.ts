// optim family: one loop over a flat parameter vector (pointers into linear memory). Updates
// compute in f32; bias corrections and Σx² in f64. Each update returns true when every parameter
// it wrote is finite: the bits of θ − θ (+0 for a finite θ, a NaN otherwise) are OR-ed into a flag
// inside the update's own loop. The state needs no check of its own: a non-finite velocity or Adam
// m makes θ non-finite, and the second moments stay finite for the gradients a step applies
// (GRAD_NORM2_LIMIT, step.ts).

// @ts-ignore: decorator
@inline function nonfinite(v: f32): u32 {
  return reinterpret<u32>(v - v);
}

// Optimizer state below f32's smallest normal is stored as 0 (native/elementwise_loops.inc
// flushed: a unit without gradient holds denormal state for good, and every update then does
// arithmetic on denormals). Here the flush costs 0.25 ns per Adam parameter: 784-128-10 with Adam
// at batch 32 trained at 0.94x the rate where nothing was denormal, 1.05-1.08x where half of m was.
const SMALLEST_NORMAL: f32 = 1.17549435e-38;

// @ts-ignore: decorator
@inline function flushed(v: f32): f32 {
  return Mathf.abs(v) < SMALLEST_NORMAL ? 0 : v;
}

// flushed, four lanes; `magnitude` (every bit but the sign) and `tiny` (SMALLEST_NORMAL) are
// splats the caller makes once, outside its loop.
// @ts-ignore: decorator
@inline function flushed4(v: v128, magnitude: v128, tiny: v128): v128 {
  return v128.andnot(v, f32x4.lt(v128.and(v, magnitude), tiny));
}

// flushed4 of a value that is never negative (squares): no sign to clear.
// @ts-ignore: decorator
@inline function flushed_squares4(v: v128, tiny: v128): v128 {
  return v128.andnot(v, f32x4.lt(v, tiny));
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

/**
 * One update's parameters, a block in linear memory (byte offsets): the engine keeps one in its
 * network block (step.ts NET_UPDATE) so worker threads read the same values as the caller.
 * UPD_BOUNDS points to UPD_SEGMENTS + 1 offsets into the parameters: segment k spans
 * [bounds[k], bounds[k + 1]), and the even ones (a layer's weights) take l2, l1 and weight decay.
 */
export const UPD_KIND: i32 = 0, UPD_NESTEROV: i32 = 4, UPD_PARAMS: i32 = 8, UPD_GRADS: i32 = 12, UPD_STATE: i32 = 16;
export const UPD_COUNT: i32 = 20, UPD_LR: i32 = 24, UPD_BETA1: i32 = 28, UPD_BETA2: i32 = 32, UPD_EPS: i32 = 36;
export const UPD_GRAD_SCALE: i32 = 40, UPD_CLIP_VALUE: i32 = 44, UPD_L2: i32 = 48, UPD_L1: i32 = 52, UPD_WEIGHT_DECAY: i32 = 56;
export const UPD_SEGMENTS: i32 = 60, UPD_STEP: i32 = 64, UPD_BOUNDS: i32 = 72, UPD_BYTES: i32 = 80;

// @ts-ignore: decorator
@inline function sign_of(v: f32): f32 {
  return select<f32>(1, 0, v > 0) - select<f32>(1, 0, v < 0);
}

// The gradient an update applies (OptimizerParams in src/backend/kernels.ts): scaled, clamped to
// ±clip (+∞ for none), plus l2 θ + l1 sign θ.
// @ts-ignore: decorator
@inline function applied(g: f32, theta: f32, scale: f32, clip: f32, l2: f32, l1: f32): f32 {
  let t = g * scale;
  t = t > clip ? clip : (t < -clip ? -clip : t);
  return t + l2 * theta + l1 * sign_of(theta);
}

/** θ ← θ − lr g, four lanes at a time */
function sgd_plain(params: usize, grads: usize, count: i32, lr: f32): u32 {
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
  return bad;
}

/** Adam without transforms, four lanes at a time (inv1, inv2: the bias corrections' reciprocals) */
function adam_plain(params: usize, grads: usize, m: usize, v: usize, count: i32, lr: f32, beta1: f32, beta2: f32, eps: f32, s1: f32, s2: f32): u32 {
  const inv1 = f32x4.splat(s1), inv2 = f32x4.splat(s2);
  const b1 = f32x4.splat(beta1), b2 = f32x4.splat(beta2);
  const c1 = f32x4.splat(1 - beta1), c2 = f32x4.splat(1 - beta2);
  const l = f32x4.splat(lr), e = f32x4.splat(eps);
  const magnitude = i32x4.splat(0x7fffffff), tiny = f32x4.splat(SMALLEST_NORMAL);
  const c4 = count & ~3;
  let bad4 = i32x4.splat(0);
  let i = 0;
  for (; i < c4; i += 4) {
    const off = <usize>i << 2;
    const g = v128.load(grads + off);
    const mi = flushed4(f32x4.add(f32x4.mul(b1, v128.load(m + off)), f32x4.mul(c1, g)), magnitude, tiny);
    const vi = flushed_squares4(f32x4.add(f32x4.mul(b2, v128.load(v + off)), f32x4.mul(c2, f32x4.mul(g, g))), tiny);
    v128.store(m + off, mi);
    v128.store(v + off, vi);
    const step4 = f32x4.div(f32x4.mul(l, f32x4.mul(mi, inv1)), f32x4.add(f32x4.sqrt(f32x4.mul(vi, inv2)), e));
    const p = f32x4.sub(v128.load(params + off), step4);
    v128.store(params + off, p);
    bad4 = v128.or(bad4, nonfinite4(p));
  }
  let bad: u32 = v128.any_true(bad4) ? 1 : 0;
  for (; i < count; i++) {
    const off = <usize>i << 2;
    const g = load<f32>(grads + off);
    const mi = flushed(beta1 * load<f32>(m + off) + (1 - beta1) * g);
    const vi = flushed(beta2 * load<f32>(v + off) + (1 - beta2) * (g * g));
    const p = load<f32>(params + off) - (lr * (mi * s1)) / (Mathf.sqrt(vi * s2) + eps);
    store<f32>(m + off, mi);
    store<f32>(v + off, vi);
    store<f32>(params + off, p);
    bad |= nonfinite(p);
  }
  return bad;
}

// applied(), four lanes: the same operations in the same order, so the same bits.
// @ts-ignore: decorator
@inline function applied4(g: v128, theta: v128, scale: v128, clip: v128, l2: v128, l1: v128): v128 {
  let t = f32x4.mul(g, scale);
  t = v128.bitselect(clip, t, f32x4.gt(t, clip));
  const low = f32x4.neg(clip);
  t = v128.bitselect(low, t, f32x4.lt(t, low));
  const zero = f32x4.splat(0), one = f32x4.splat(1);
  const sign = f32x4.sub(v128.and(f32x4.gt(theta, zero), one), v128.and(f32x4.lt(theta, zero), one));
  return f32x4.add(f32x4.add(t, f32x4.mul(l2, theta)), f32x4.mul(l1, sign));
}

/**
 * update_run's loop over parameters [0, c4) (a multiple of 4), four lanes at a time, one loop per
 * optimizer: the scalar loop's expressions lane by lane. Non-zero if it wrote a non-finite value.
 */
function update_lanes(
  kind: i32, params: usize, grads: usize, state0: usize, state1: usize, c4: i32,
  lr: f32, beta1: f32, beta2: f32, eps: f32, nesterov: bool, s1: f32, s2: f32,
  scale: f32, clip: f32, l2: f32, l1: f32, decay: f32,
): u32 {
  const sc = f32x4.splat(scale), cl = f32x4.splat(clip), w2 = f32x4.splat(l2), w1 = f32x4.splat(l1);
  const dc = f32x4.splat(decay), lr4 = f32x4.splat(lr), b1 = f32x4.splat(beta1), b2 = f32x4.splat(beta2);
  const k1 = f32x4.splat(1 - beta1), k2 = f32x4.splat(1 - beta2), e = f32x4.splat(eps);
  const inv1 = f32x4.splat(s1), inv2 = f32x4.splat(s2);
  const magnitude = i32x4.splat(0x7fffffff), tiny = f32x4.splat(SMALLEST_NORMAL);
  let bad4 = i32x4.splat(0);
  for (let i = 0; i < c4; i += 4) {
    const off = <usize>i << 2;
    const theta = v128.load(params + off);
    const g = applied4(v128.load(grads + off), theta, sc, cl, w2, w1);
    const kept = f32x4.sub(theta, f32x4.mul(dc, theta));
    let p: v128;
    if (kind == OPT_SGD) {
      p = f32x4.sub(kept, f32x4.mul(lr4, g));
    } else if (kind == OPT_MOMENTUM) {
      const v = flushed4(f32x4.add(f32x4.mul(b1, v128.load(state0 + off)), f32x4.mul(lr4, g)), magnitude, tiny);
      v128.store(state0 + off, v);
      p = f32x4.sub(kept, nesterov ? f32x4.add(f32x4.mul(b1, v), f32x4.mul(lr4, g)) : v);
    } else if (kind == OPT_RMSPROP) {
      const q = flushed_squares4(f32x4.add(f32x4.mul(b1, v128.load(state0 + off)), f32x4.mul(f32x4.mul(k1, g), g)), tiny);
      v128.store(state0 + off, q);
      p = f32x4.sub(kept, f32x4.div(f32x4.mul(lr4, g), f32x4.sqrt(f32x4.add(q, e))));
    } else {
      const mi = flushed4(f32x4.add(f32x4.mul(b1, v128.load(state0 + off)), f32x4.mul(k1, g)), magnitude, tiny);
      const vi = flushed_squares4(f32x4.add(f32x4.mul(b2, v128.load(state1 + off)), f32x4.mul(k2, f32x4.mul(g, g))), tiny);
      v128.store(state0 + off, mi);
      v128.store(state1 + off, vi);
      p = f32x4.sub(kept, f32x4.div(f32x4.mul(lr4, f32x4.mul(mi, inv1)), f32x4.add(f32x4.sqrt(f32x4.mul(vi, inv2)), e)));
    }
    v128.store(params + off, p);
    bad4 = v128.or(bad4, nonfinite4(p));
  }
  return v128.any_true(bad4) ? 1 : 0;
}

// Adam's bias corrections 1 / (1 − βᵗ) for the (β1, β2, t) last asked for. A step's update runs
// once per segment of parameters (each layer's weights and biases) or chunk of them, all with the
// same values, and Math.pow had taken 7% of a 2-4-2-2 step. Globals are per instance, so each
// worker keeps its own.
let corrected_beta1: f32 = NaN, corrected_beta2: f32 = NaN, corrected_step: f64 = NaN;
let corrected1: f32 = 1, corrected2: f32 = 1;

function adam_corrections(beta1: f32, beta2: f32, step: f64): void {
  if (beta1 == corrected_beta1 && beta2 == corrected_beta2 && step == corrected_step) return;
  corrected1 = <f32>(1 / (1 - Math.pow(<f64>beta1, step)));
  corrected2 = <f32>(1 / (1 - Math.pow(<f64>beta2, step)));
  corrected_beta1 = beta1;
  corrected_beta2 = beta2;
  corrected_step = step;
}

/**
 * Parameters [0, count) at params (state0: velocity, squares or Adam m; state1: Adam v, each
 * indexed like the parameters) updated by optimizer `kind` with the gradient transform (clip 0:
 * none). Non-zero if it wrote a non-finite value. SGD and Adam without a transform take their
 * plain four-lane loops; every other update update_lanes, then the scalar loop for the last < 4
 * parameters: all compute the same expression. (The scalar loop over every parameter took
 * 7–9 ns per parameter, update_lanes 0.8–1.2: wasm training of 784-128-10 at batch 128 with
 * momentum ran at 0.38x the rate of SGD, now 0.94x.)
 */
function update_run(
  kind: i32, params: usize, grads: usize, state0: usize, state1: usize, count: i32,
  lr: f32, beta1: f32, beta2: f32, eps: f32, nesterov: bool, step: f64,
  scale: f32, clipValue: f32, l2: f32, l1: f32, weightDecay: f32,
): u32 {
  if (kind == OPT_ADAM) adam_corrections(beta1, beta2, step);
  const s1 = corrected1, s2 = corrected2; // read by Adam's loops only (other kinds: last Adam's)
  const plain = scale == 1 && clipValue == 0 && l2 == 0 && l1 == 0 && weightDecay == 0;
  if (plain && kind == OPT_SGD) return sgd_plain(params, grads, count, lr);
  if (plain && kind == OPT_ADAM) return adam_plain(params, grads, state0, state1, count, lr, beta1, beta2, eps, s1, s2);
  const clip: f32 = clipValue > 0 ? clipValue : Infinity;
  const decay = lr * weightDecay;
  const c4 = count & ~3;
  let bad: u32 = update_lanes(kind, params, grads, state0, state1, c4, lr, beta1, beta2, eps, nesterov, s1, s2, scale, clip, l2, l1, decay);
  for (let i = c4; i < count; i++) {
    const off = <usize>i << 2;
    const theta = load<f32>(params + off);
    const g = applied(load<f32>(grads + off), theta, scale, clip, l2, l1);
    const kept = theta - decay * theta;
    let p: f32;
    if (kind == OPT_SGD) {
      p = kept - lr * g;
    } else if (kind == OPT_MOMENTUM) {
      const v = flushed(beta1 * load<f32>(state0 + off) + lr * g);
      store<f32>(state0 + off, v);
      p = kept - (nesterov ? beta1 * v + lr * g : v);
    } else if (kind == OPT_RMSPROP) {
      const q = flushed(beta1 * load<f32>(state0 + off) + (1 - beta1) * g * g);
      store<f32>(state0 + off, q);
      p = kept - (lr * g) / Mathf.sqrt(q + eps);
    } else {
      const mi = flushed(beta1 * load<f32>(state0 + off) + (1 - beta1) * g);
      const vi = flushed(beta2 * load<f32>(state1 + off) + (1 - beta2) * (g * g));
      store<f32>(state0 + off, mi);
      store<f32>(state1 + off, vi);
      p = kept - (lr * (mi * s1)) / (Mathf.sqrt(vi * s2) + eps);
    }
    store<f32>(params + off, p);
    bad |= nonfinite(p);
  }
  return bad;
}

/** θ ← θ − lr g */
export function sgd_update(params: usize, grads: usize, count: i32, lr: f32, gradScale: f32, clipValue: f32, l2: f32, l1: f32, weightDecay: f32): bool {
  return update_run(OPT_SGD, params, grads, 0, 0, count, lr, 0, 0, 0, false, 1, gradScale, clipValue, l2, l1, weightDecay) == 0;
}

/** v ← γ v + lr g;  θ ← θ − v, or θ ← θ − (γ v + lr g) with nesterov */
export function momentum_update(
  params: usize, grads: usize, velocity: usize, count: i32, lr: f32, gamma: f32, nesterov: i32,
  gradScale: f32, clipValue: f32, l2: f32, l1: f32, weightDecay: f32,
): bool {
  return update_run(OPT_MOMENTUM, params, grads, velocity, 0, count, lr, gamma, 0, 0, nesterov != 0, 1, gradScale, clipValue, l2, l1, weightDecay) == 0;
}

/** s ← β s + (1−β) g²;  θ ← θ − lr g / √(s + ε) */
export function rmsprop_update(
  params: usize, grads: usize, sq: usize, count: i32, lr: f32, beta: f32, eps: f32,
  gradScale: f32, clipValue: f32, l2: f32, l1: f32, weightDecay: f32,
): bool {
  return update_run(OPT_RMSPROP, params, grads, sq, 0, count, lr, beta, 0, eps, false, 1, gradScale, clipValue, l2, l1, weightDecay) == 0;
}

/** m ← β1 m + (1−β1) g;  v ← β2 v + (1−β2) g²;  θ ← θ − lr m̂ / (√v̂ + ε); step is 1-based */
export function adam_update(
  params: usize, grads: usize, m: usize, v: usize, count: i32,
  lr: f32, beta1: f32, beta2: f32, eps: f32, step: f64,
  gradScale: f32, clipValue: f32, l2: f32, l1: f32, weightDecay: f32,
): bool {
  return update_run(OPT_ADAM, params, grads, m, v, count, lr, beta1, beta2, eps, false, step, gradScale, clipValue, l2, l1, weightDecay) == 0;
}

/**
 * Elements [i0, i1) of the update described by the block at `upd` (UPD_*), segment by segment.
 * An element's result does not depend on where a range starts (the four-lane and scalar loops
 * compute the same expression), so threads can share an update. False if it wrote a non-finite value.
 */
export function update_range(upd: usize, i0: i32, i1: i32): bool {
  const kind = load<i32>(upd + UPD_KIND);
  const count = load<i32>(upd + UPD_COUNT);
  const state = load<usize>(upd + UPD_STATE);
  const bounds = load<usize>(upd + UPD_BOUNDS);
  const segments = load<i32>(upd + UPD_SEGMENTS);
  let bad: u32 = 0;
  for (let k = 0; k < segments; k++) {
    const from = max(i0, load<i32>(bounds + (<usize>k << 2)));
    const to = min(i1, load<i32>(bounds + (<usize>(k + 1) << 2)));
    if (from >= to) continue;
    const off = <usize>from << 2;
    const weights = (k & 1) == 0;
    bad |= update_run(
      kind, load<usize>(upd + UPD_PARAMS) + off, load<usize>(upd + UPD_GRADS) + off, state + off, state + (<usize>count << 2) + off, to - from,
      load<f32>(upd + UPD_LR), load<f32>(upd + UPD_BETA1), load<f32>(upd + UPD_BETA2), load<f32>(upd + UPD_EPS),
      load<i32>(upd + UPD_NESTEROV) != 0, load<f64>(upd + UPD_STEP),
      load<f32>(upd + UPD_GRAD_SCALE), load<f32>(upd + UPD_CLIP_VALUE),
      weights ? load<f32>(upd + UPD_L2) : 0, weights ? load<f32>(upd + UPD_L1) : 0, weights ? load<f32>(upd + UPD_WEIGHT_DECAY) : 0,
    );
  }
  return bad == 0;
}

/** ½ l2 Σ w² + l1 Σ |w| in f64, both sums from one pass over the weights (penalty_sums) */
export function weight_penalty(w: usize, count: i32, l2: f32, l1: f32): f64 {
  const sums = penalty_sums(w, count, true);
  return 0.5 * <f64>l2 * f64x2.extract_lane(sums, 0) + <f64>l1 * f64x2.extract_lane(sums, 1);
}

/** Σ x² in f64, in native's order (penalty_sums) */
export function sum_squares(x: usize, count: i32): f64 {
  return f64x2.extract_lane(penalty_sums(x, count, false), 0);
}

/**
 * Σ x² (lane 0) and, with `magnitudes`, Σ |x| (lane 1; else 0) of x[0, count) in f64, in one pass,
 * in native/elementwise_loops.inc penalty_sums' order (so the same bits): eight partial sums of each,
 * element i in partial i mod 8 (four f64x2 accumulators: the f32x4 halves of two loads), the
 * elements past the last eight summed one by one, then the partials added in order. Eight
 * independent adds per eight elements, so the loop does not wait on one accumulator's latency
 * (Σ|x| in a scalar loop of its own took 1 ns per weight, beside 0.2 for Σ x²). Inlined with a
 * constant `magnitudes`: Σ x² alone has no |x| in its loop.
 */
// @ts-ignore: decorator
@inline function penalty_sums(x: usize, count: i32, magnitudes: bool): v128 {
  const c8 = count & ~7;
  const zero = f64x2.splat(0);
  let s01 = zero, s23 = zero, s45 = zero, s67 = zero;
  let a01 = zero, a23 = zero, a45 = zero, a67 = zero;
  let i = 0;
  for (; i < c8; i += 8) {
    const lo = v128.load(x + (<usize>i << 2)), hi = v128.load(x + (<usize>i << 2), 16);
    const x01 = f64x2.promote_low_f32x4(lo), x23 = f64x2.promote_low_f32x4(v128.shuffle<f32>(lo, lo, 2, 3, 0, 1));
    const x45 = f64x2.promote_low_f32x4(hi), x67 = f64x2.promote_low_f32x4(v128.shuffle<f32>(hi, hi, 2, 3, 0, 1));
    s01 = f64x2.add(s01, f64x2.mul(x01, x01));
    s23 = f64x2.add(s23, f64x2.mul(x23, x23));
    s45 = f64x2.add(s45, f64x2.mul(x45, x45));
    s67 = f64x2.add(s67, f64x2.mul(x67, x67));
    if (magnitudes) {
      a01 = f64x2.add(a01, f64x2.abs(x01));
      a23 = f64x2.add(a23, f64x2.abs(x23));
      a45 = f64x2.add(a45, f64x2.abs(x45));
      a67 = f64x2.add(a67, f64x2.abs(x67));
    }
  }
  let squares: f64 = 0, sum: f64 = 0;
  for (; i < count; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    squares += v * v;
    if (magnitudes) sum += Math.abs(v);
  }
  squares = add_lanes(add_lanes(add_lanes(add_lanes(squares, s01), s23), s45), s67);
  if (magnitudes) sum = add_lanes(add_lanes(add_lanes(add_lanes(sum, a01), a23), a45), a67);
  return f64x2.replace_lane(f64x2.splat(squares), 1, sum);
}

// sum + lane 0 + lane 1, in that order
// @ts-ignore: decorator
@inline function add_lanes(sum: f64, lanes: v128): f64 {
  return (sum + f64x2.extract_lane(lanes, 0)) + f64x2.extract_lane(lanes, 1);
}
