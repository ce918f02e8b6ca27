// activation family (pointers into linear memory). Element-wise except softmax, which works per
// row and subtracts the row maximum first so exp never overflows.
import { exp_float, exp_float4, tanh_float, tanh_float4 } from './float_math';

/** Activation ids. Must match src/backend/kernels.ts (Activation) and native/activation.h. */
export const ACT_LINEAR: i32 = 0;
export const ACT_SIGMOID: i32 = 1;
export const ACT_TANH: i32 = 2;
export const ACT_RELU: i32 = 3;
export const ACT_LEAKY_RELU: i32 = 4;
export const ACT_SOFTMAX: i32 = 5;
/** Must match LEAKY_SLOPE in src/backend/kernels.ts. */
export const LEAKY_SLOPE: f32 = 0.01;

/** a (m, n) = act(z) */
export function activation_forward(a: usize, z: usize, m: i32, n: i32, act: i32): void {
  switch (act) {
    case ACT_LINEAR:
      memory.copy(a, z, <usize>(m * n) << 2);
      return;
    case ACT_SIGMOID:
      activate_range(a, z, m * n, ACT_SIGMOID);
      return;
    case ACT_TANH:
      activate_range(a, z, m * n, ACT_TANH);
      return;
    case ACT_RELU:
      activate_range(a, z, m * n, ACT_RELU);
      return;
    case ACT_LEAKY_RELU:
      activate_range(a, z, m * n, ACT_LEAKY_RELU);
      return;
    case ACT_SOFTMAX: {
      let r = 0;
      if (n <= SOFTMAX_NARROW) for (; r + 4 <= m; r += 4) softmax_rows4(a + (<usize>(r * n) << 2), z + (<usize>(r * n) << 2), n);
      for (; r < m; r++) softmax_row(a + (<usize>(r * n) << 2), z + (<usize>(r * n) << 2), n);
      return;
    }
    default:
      unreachable(); // unknown activation id (validated in TS; reaching here is a bug)
  }
}

/** act(z) for act sigmoid, tanh, ReLU, leaky ReLU or linear (dropout_forward_masked's too) */
// @ts-ignore: decorator
@inline export function activate(z: f32, act: i32): f32 {
  if (act == ACT_SIGMOID) return 1 / (1 + exp_float(-z));
  if (act == ACT_TANH) return tanh_float(z);
  if (act == ACT_RELU) return z > 0 ? z : 0;
  if (act == ACT_LEAKY_RELU) return z > 0 ? z : LEAKY_SLOPE * z;
  return z;
}

/** activate on each lane */
// @ts-ignore: decorator
@inline export function activate4(z: v128, act: i32): v128 {
  if (act == ACT_SIGMOID) return f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), exp_float4(f32x4.neg(z))));
  if (act == ACT_TANH) return tanh_float4(z);
  if (act == ACT_RELU) return v128.and(z, f32x4.gt(z, f32x4.splat(0)));
  if (act == ACT_LEAKY_RELU) return v128.bitselect(z, f32x4.mul(z, f32x4.splat(LEAKY_SLOPE)), f32x4.gt(z, f32x4.splat(0)));
  return z;
}

/** d · act'(z), from z alone (dropout layers keep the dropped output, not act(z)) */
// @ts-ignore: decorator
@inline export function times_derivative(d: f32, z: f32, act: i32): f32 {
  if (act == ACT_SIGMOID) {
    const s = activate(z, ACT_SIGMOID);
    return d * s * (1 - s);
  }
  if (act == ACT_TANH) {
    const t = tanh_float(z);
    return d * (1 - t * t);
  }
  if (act == ACT_RELU) return z > 0 ? d : 0;
  if (act == ACT_LEAKY_RELU) return z > 0 ? d : LEAKY_SLOPE * d;
  return d;
}

/** times_derivative on each lane */
// @ts-ignore: decorator
@inline export function times_derivative4(d: v128, z: v128, act: i32): v128 {
  const one = f32x4.splat(1);
  if (act == ACT_SIGMOID) {
    const s = activate4(z, ACT_SIGMOID);
    return f32x4.mul(f32x4.mul(d, s), f32x4.sub(one, s));
  }
  if (act == ACT_TANH) {
    const t = tanh_float4(z);
    return f32x4.mul(d, f32x4.sub(one, f32x4.mul(t, t)));
  }
  if (act == ACT_RELU) return v128.and(d, f32x4.gt(z, f32x4.splat(0)));
  if (act == ACT_LEAKY_RELU) return v128.bitselect(d, f32x4.mul(d, f32x4.splat(LEAKY_SLOPE)), f32x4.gt(z, f32x4.splat(0)));
  return d;
}

// a = act(z) over count elements, four lanes at a time (act a constant, so each call site
// compiles to one loop)
// @ts-ignore: decorator
@inline function activate_range(a: usize, z: usize, count: i32, act: i32): void {
  const count4 = count & ~3;
  let i = 0;
  for (; i < count4; i += 4) {
    const off = <usize>i << 2;
    v128.store(a + off, activate4(v128.load(z + off), act));
  }
  for (; i < count; i++) {
    const off = <usize>i << 2;
    store<f32>(a + off, activate(load<f32>(z + off), act));
  }
}

/**
 * Rows at most this wide are taken four at a time, one row per lane (softmax_rows4): along a row of
 * 10 (a classifier's output) the scalar exp left the batch's softmax at 14 µs of a 128-row
 * 784-128-10 training step.
 */
const SOFTMAX_NARROW: i32 = 32;

/** Column j of the four rows at z (n floats apart), a row per lane. */
// @ts-ignore: decorator
@inline function column4(z: usize, j: i32, n: i32): v128 {
  const stride = <usize>n << 2, at = z + (<usize>j << 2);
  let v = v128.load32_lane(at, f32x4.splat(0), 0);
  v = v128.load32_lane(at + stride, v, 1);
  v = v128.load32_lane(at + 2 * stride, v, 2);
  return v128.load32_lane(at + 3 * stride, v, 3);
}

// @ts-ignore: decorator
@inline function store_column4(a: usize, j: i32, n: i32, v: v128): void {
  const stride = <usize>n << 2, at = a + (<usize>j << 2);
  v128.store32_lane(at, v, 0);
  v128.store32_lane(at + stride, v, 1);
  v128.store32_lane(at + 2 * stride, v, 2);
  v128.store32_lane(at + 3 * stride, v, 3);
}

/** softmax_row on four rows, one per lane: each lane's operations and their order are softmax_row's, so the bits are too. */
function softmax_rows4(a: usize, z: usize, n: i32): void {
  let max = f32x4.splat(-Infinity);
  for (let j = 0; j < n; j++) max = f32x4.max(max, column4(z, j, n));
  let sumLow = f64x2.splat(0), sumHigh = f64x2.splat(0); // rows 0–1, 2–3
  for (let j = 0; j < n; j++) {
    const e = exp_float4(f32x4.sub(column4(z, j, n), max));
    store_column4(a, j, n, e);
    sumLow = f64x2.add(sumLow, f64x2.promote_low_f32x4(e));
    sumHigh = f64x2.add(sumHigh, f64x2.promote_low_f32x4(i32x4.shuffle(e, e, 2, 3, 0, 1)));
  }
  const one = f64x2.splat(1);
  const invLow = f32x4.demote_f64x2_zero(f64x2.div(one, sumLow)), invHigh = f32x4.demote_f64x2_zero(f64x2.div(one, sumHigh));
  const inv = i32x4.shuffle(invLow, invHigh, 0, 1, 4, 5);
  for (let j = 0; j < n; j++) store_column4(a, j, n, f32x4.mul(column4(a, j, n), inv));
}

function softmax_row(a: usize, z: usize, n: i32): void {
  let max: f32 = -Infinity;
  for (let j = 0; j < n; j++) max = Mathf.max(max, load<f32>(z + (<usize>j << 2)));
  let sum: f64 = 0;
  for (let j = 0; j < n; j++) {
    const e = exp_float(load<f32>(z + (<usize>j << 2)) - max);
    store<f32>(a + (<usize>j << 2), e);
    sum += e;
  }
  const inv = <f32>(1 / sum);
  for (let j = 0; j < n; j++) store<f32>(a + (<usize>j << 2), load<f32>(a + (<usize>j << 2)) * inv);
}

/** dz (m, n) = da ⊙ act'(z), from z or a = act(z); softmax uses its row Jacobian */
export function activation_backward(dz: usize, da: usize, z: usize, a: usize, m: i32, n: i32, act: i32): void {
  const count = m * n;
  switch (act) {
    case ACT_LINEAR:
      memory.copy(dz, da, <usize>count << 2);
      return;
    case ACT_SIGMOID:
      derivative_from_output_range(dz, da, a, count, ACT_SIGMOID);
      return;
    case ACT_TANH:
      derivative_from_output_range(dz, da, a, count, ACT_TANH);
      return;
    case ACT_RELU:
      derivative_range(dz, da, z, count, ACT_RELU);
      return;
    case ACT_LEAKY_RELU:
      derivative_range(dz, da, z, count, ACT_LEAKY_RELU);
      return;
    case ACT_SOFTMAX:
      for (let r = 0; r < m; r++) {
        const row = <usize>(r * n) << 2;
        let dot: f32 = 0;
        for (let j = 0; j < n; j++) dot += load<f32>(da + row + (<usize>j << 2)) * load<f32>(a + row + (<usize>j << 2));
        for (let j = 0; j < n; j++) {
          const off = row + (<usize>j << 2);
          store<f32>(dz + off, load<f32>(a + off) * (load<f32>(da + off) - dot));
        }
      }
      return;
    default:
      unreachable(); // unknown activation id
  }
}

/**
 * activation_backward of the block rows [r0, r1) × columns [c0, c1) of (m, n) matrices, for an
 * element-wise act (not softmax): the same bits as the whole-matrix call, row by row.
 */
export function activation_backward_block(dz: usize, da: usize, z: usize, a: usize, r0: i32, r1: i32, c0: i32, c1: i32, n: i32, act: i32): void {
  const count = c1 - c0;
  for (let r = r0; r < r1; r++) {
    const off = <usize>(r * n + c0) << 2;
    if (act == ACT_LINEAR) memory.copy(dz + off, da + off, <usize>count << 2);
    else if (act == ACT_SIGMOID) derivative_from_output_range(dz + off, da + off, a + off, count, ACT_SIGMOID);
    else if (act == ACT_TANH) derivative_from_output_range(dz + off, da + off, a + off, count, ACT_TANH);
    else if (act == ACT_RELU) derivative_range(dz + off, da + off, z + off, count, ACT_RELU);
    else if (act == ACT_LEAKY_RELU) derivative_range(dz + off, da + off, z + off, count, ACT_LEAKY_RELU);
    else unreachable(); // softmax needs whole rows; unknown ids never get here
  }
}

// dz = da ⊙ act'(z) over count elements, four lanes at a time (dz may alias da)
// @ts-ignore: decorator
@inline function derivative_range(dz: usize, da: usize, z: usize, count: i32, act: i32): void {
  const count4 = count & ~3;
  let i = 0;
  for (; i < count4; i += 4) {
    const off = <usize>i << 2;
    v128.store(dz + off, times_derivative4(v128.load(da + off), v128.load(z + off), act));
  }
  for (; i < count; i++) {
    const off = <usize>i << 2;
    store<f32>(dz + off, times_derivative(load<f32>(da + off), load<f32>(z + off), act));
  }
}

// dz = da ⊙ act'(z) from y = act(z), sigmoid's y(1 − y) or tanh's 1 − y², four lanes at a time
// (act a constant at each call site)
// @ts-ignore: decorator
@inline function derivative_from_output_range(dz: usize, da: usize, a: usize, count: i32, act: i32): void {
  const count4 = count & ~3;
  const one = f32x4.splat(1);
  let i = 0;
  for (; i < count4; i += 4) {
    const off = <usize>i << 2;
    const y = v128.load(a + off), d = v128.load(da + off);
    v128.store(dz + off, act == ACT_SIGMOID ? f32x4.mul(f32x4.mul(d, y), f32x4.sub(one, y)) : f32x4.mul(d, f32x4.sub(one, f32x4.mul(y, y))));
  }
  for (; i < count; i++) {
    const off = <usize>i << 2;
    const y = load<f32>(a + off), d = load<f32>(da + off);
    store<f32>(dz + off, act == ACT_SIGMOID ? d * y * (1 - y) : d * (1 - y * y));
  }
}
