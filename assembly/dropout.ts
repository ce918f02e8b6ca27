// The dropout mask generator of src/backend/dropout.ts (its comment has the definition) and the
// dropout kernels: inverted dropout fused with an element-wise activation, four units at a time.
import { activate, activate4, times_derivative, times_derivative4 } from './activation';

/** Must match DROPOUT_SALT and DROPOUT_STRIDE in src/backend/dropout.ts. */
export const DROPOUT_SALT: u32 = 0x6a09e667;
export const DROPOUT_STRIDE: u32 = 0x9e3779b9;

// @ts-ignore: decorator
@inline function mix32(h: u32): u32 {
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

// @ts-ignore: decorator
@inline function mix32x4(h: v128): v128 {
  h = v128.xor(h, i32x4.shr_u(h, 16));
  h = i32x4.mul(h, i32x4.splat(0x85ebca6b));
  h = v128.xor(h, i32x4.shr_u(h, 13));
  h = i32x4.mul(h, i32x4.splat(0xc2b2ae35));
  return v128.xor(h, i32x4.shr_u(h, 16));
}

/** ⌊rate · 2³²⌋ for a rate in [0, 1) */
export function dropout_threshold(rate: f64): u32 {
  return <u32>(rate * 4294967296.0);
}

/** 2³² / (2³² − threshold), rounded once to f32 */
export function dropout_scale(threshold: u32): f32 {
  return <f32>(4294967296.0 / (4294967296.0 - <f64>threshold));
}

/** The key of one layer's masks at update `step` (seed and step < 2⁵³). */
export function dropout_layer_key(seed: u64, step: u64, layer: i32): u32 {
  let key = mix32(<u32>seed ^ DROPOUT_SALT);
  key = mix32(key ^ <u32>(seed >> 32));
  key = mix32(key ^ <u32>step);
  key = mix32(key ^ <u32>(step >> 32));
  return mix32(key ^ <u32>layer);
}

// The keep flags (all ones or zeros per lane) of units j … j + 3 of the row with key rowKey.
// @ts-ignore: decorator
@inline function keep4(rowKey: u32, j: i32, threshold: u32): v128 {
  const units = i32x4.add(i32x4.splat(j), i32x4(0, 1, 2, 3));
  const bits = mix32x4(i32x4.add(i32x4.splat(rowKey), i32x4.mul(units, i32x4.splat(DROPOUT_STRIDE))));
  return i32x4.ge_u(bits, i32x4.splat(threshold));
}

// @ts-ignore: decorator
@inline function keep1(rowKey: u32, j: i32, threshold: u32): bool {
  return mix32(rowKey + <u32>j * DROPOUT_STRIDE) >= threshold;
}

/**
 * a (m, n) = act(z) · keep · scale for the mask with layer key `key` (the engines' form), four
 * units at a time.
 */
export function dropout_forward_masked(a: usize, z: usize, m: i32, n: i32, act: i32, threshold: u32, scale: f32, key: u32): void {
  const n4 = n & ~3;
  for (let r = 0; r < m; r++) {
    const rowKey = mix32(key ^ <u32>r);
    const ar = a + (<usize>(r * n) << 2), zr = z + (<usize>(r * n) << 2);
    let j = 0;
    for (; j < n4; j += 4) {
      const off = <usize>j << 2;
      const v = f32x4.mul(activate4(v128.load(zr + off), act), f32x4.splat(scale));
      v128.store(ar + off, v128.and(v, keep4(rowKey, j, threshold)));
    }
    for (; j < n; j++) {
      const off = <usize>j << 2;
      const value = activate(load<f32>(zr + off), act) * scale;
      store<f32>(ar + off, keep1(rowKey, j, threshold) ? value : 0);
    }
  }
}

/** dz (m, n) = da · keep · scale · act'(z), with dropout_forward_masked's mask */
export function dropout_backward_masked(dz: usize, da: usize, z: usize, m: i32, n: i32, act: i32, threshold: u32, scale: f32, key: u32): void {
  const n4 = n & ~3;
  for (let r = 0; r < m; r++) {
    const rowKey = mix32(key ^ <u32>r);
    const row = <usize>(r * n) << 2;
    let j = 0;
    for (; j < n4; j += 4) {
      const off = row + (<usize>j << 2);
      const v = times_derivative4(f32x4.mul(v128.load(da + off), f32x4.splat(scale)), v128.load(z + off), act);
      v128.store(dz + off, v128.and(v, keep4(rowKey, j, threshold)));
    }
    for (; j < n; j++) {
      const off = row + (<usize>j << 2);
      const value = times_derivative(load<f32>(da + off) * scale, load<f32>(z + off), act);
      store<f32>(dz + off, keep1(rowKey, j, threshold) ? value : 0);
    }
  }
}

/** a (m, n) = act(z) · keep · scale (src/backend/kernels.ts dropout_forward) */
export function dropout_forward(a: usize, z: usize, m: i32, n: i32, act: i32, rate: f64, seed: f64, step: f64, layer: i32): void {
  const threshold = dropout_threshold(rate);
  dropout_forward_masked(a, z, m, n, act, threshold, dropout_scale(threshold), dropout_layer_key(<u64>seed, <u64>step, layer));
}

/** dz (m, n) = da · keep · scale · act'(z) (src/backend/kernels.ts dropout_backward) */
export function dropout_backward(dz: usize, da: usize, z: usize, m: i32, n: i32, act: i32, rate: f64, seed: f64, step: f64, layer: i32): void {
  const threshold = dropout_threshold(rate);
  dropout_backward_masked(dz, da, z, m, n, act, threshold, dropout_scale(threshold), dropout_layer_key(<u64>seed, <u64>step, layer));
}
