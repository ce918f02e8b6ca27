// e^x and tanh x in float, one value or four lanes at a time (the activations' loops run four
// lanes, their tails one). Operation for operation the exp_float and tanh_float of
// native/elementwise_loops.inc (plain multiplies and adds in the same order, no FMA), so both
// backends compute the same bits.

const EXP_LOWEST: f32 = -86.6;  // n ≥ −125: 2^(n−1) is a normal float
const EXP_HIGHEST: f32 = 88.72; // just below ln(FLT_MAX)
const ROUND: f32 = 12582912.0;  // 1.5 · 2^23: adding it rounds to the nearest integer
const LOG2E: f32 = 1.44269504088896341;
const LN2_HIGH: f32 = 0.693359375, LN2_LOW: f32 = -2.12194440e-4;
// Cephes' expf polynomial
const EXP_P0: f32 = 1.9875691500e-4, EXP_P1: f32 = 1.3981999507e-3, EXP_P2: f32 = 8.3334519073e-3;
const EXP_P3: f32 = 4.1665795894e-2, EXP_P4: f32 = 1.6666665459e-1, EXP_P5: f32 = 5.0000001201e-1;
// Cephes' tanhf polynomial, used below |x| = TANH_SMALL
const TANH_SMALL: f32 = 0.625;
const TANH_P0: f32 = -5.70498872745e-3, TANH_P1: f32 = 2.06390887954e-2, TANH_P2: f32 = -5.37397155531e-2;
const TANH_P3: f32 = 1.33314422036e-1, TANH_P4: f32 = -3.33332819422e-1;

/**
 * e^x within 2 ulp: x = n·ln 2 + r (Cody–Waite), e^r from the polynomial, times 2^(n−1) built in
 * the exponent bits, times 2; +∞ above 88.72 (just below ln FLT_MAX), 0 below −86.6, NaN for NaN.
 */
// @ts-ignore: decorator
@inline export function exp_float(x: f32): f32 {
  const low = x > EXP_LOWEST ? x : EXP_LOWEST; // NaN → EXP_LOWEST, so the conversion below is defined
  const clamped = low < EXP_HIGHEST ? low : EXP_HIGHEST;
  const n = (clamped * LOG2E + ROUND) - ROUND;
  const r = (clamped - n * LN2_HIGH) - n * LN2_LOW;
  let p = EXP_P0;
  p = p * r + EXP_P1;
  p = p * r + EXP_P2;
  p = p * r + EXP_P3;
  p = p * r + EXP_P4;
  p = p * r + EXP_P5;
  const y = p * r * r + r + 1;
  const e = y * reinterpret<f32>((<i32>n + 126) << 23) * 2;
  return x < EXP_LOWEST ? 0 : x > EXP_HIGHEST ? <f32>Infinity : x == x ? e : x;
}

/** exp_float on each lane. */
// @ts-ignore: decorator
@inline export function exp_float4(x: v128): v128 {
  const lowest = f32x4.splat(EXP_LOWEST), highest = f32x4.splat(EXP_HIGHEST), round = f32x4.splat(ROUND);
  const low = v128.bitselect(x, lowest, f32x4.gt(x, lowest));
  const clamped = v128.bitselect(low, highest, f32x4.lt(low, highest));
  const n = f32x4.sub(f32x4.add(f32x4.mul(clamped, f32x4.splat(LOG2E)), round), round);
  const r = f32x4.sub(f32x4.sub(clamped, f32x4.mul(n, f32x4.splat(LN2_HIGH))), f32x4.mul(n, f32x4.splat(LN2_LOW)));
  let p = f32x4.splat(EXP_P0);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(EXP_P1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(EXP_P2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(EXP_P3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(EXP_P4));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(EXP_P5));
  const y = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1));
  const halfScale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(126)), 23);
  const e = f32x4.mul(f32x4.mul(y, halfScale), f32x4.splat(2));
  const finite = v128.bitselect(e, x, f32x4.eq(x, x));
  const high = v128.bitselect(f32x4.splat(Infinity), finite, f32x4.gt(x, highest));
  return v128.andnot(high, f32x4.lt(x, lowest));
}

/**
 * tanh x within a few ulp: below |x| = 0.625 the odd polynomial x + x³·P(x²), above it
 * 1 − 2 / (e^2|x| + 1) with x's sign; NaN for NaN, −0 for −0. Both sides are computed, then one
 * is selected, as the four-lane form must.
 */
// @ts-ignore: decorator
@inline export function tanh_float(x: f32): f32 {
  const z = x * x;
  let p = TANH_P0;
  p = p * z + TANH_P1;
  p = p * z + TANH_P2;
  p = p * z + TANH_P3;
  p = p * z + TANH_P4;
  const small = p * z * x + x;
  const magnitude = Mathf.abs(x);
  const large: f32 = 1 - <f32>2 / (exp_float(magnitude + magnitude) + 1);
  return magnitude < TANH_SMALL ? (x == 0 ? x : small) : x < 0 ? -large : large;
}

/** tanh_float on each lane. */
// @ts-ignore: decorator
@inline export function tanh_float4(x: v128): v128 {
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(TANH_P0);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(TANH_P1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(TANH_P2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(TANH_P3));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(TANH_P4));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  const magnitude = f32x4.abs(x);
  const one = f32x4.splat(1), zero = f32x4.splat(0);
  const large = f32x4.sub(one, f32x4.div(f32x4.splat(2), f32x4.add(exp_float4(f32x4.add(magnitude, magnitude)), one)));
  const signedLarge = v128.bitselect(f32x4.neg(large), large, f32x4.lt(x, zero));
  const smallOrZero = v128.bitselect(x, small, f32x4.eq(x, zero));
  return v128.bitselect(smallOrZero, signedLarge, f32x4.lt(magnitude, f32x4.splat(TANH_SMALL)));
}
