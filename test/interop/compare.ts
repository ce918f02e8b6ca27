// Predictions from another runtime against mlpx's: the largest error relative to each value, with
// an absolute floor of 1e-6 for values below 0.1. A float32 sum of terms of order 1 carries a
// rounding error of about one float32 ulp of 1 (1.2e-7) in any runtime; when the terms cancel to a
// small value (a regression output near 0, a ReLU input near 0) that error is large relative to the
// value itself, yet it says nothing about the two runtimes computing different functions.
export const RELATIVE_TOLERANCE = 1e-5;
const FLOOR = 1e-6;

export function worstRelativeError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const error = Math.abs(got[i]! - want[i]!) / Math.max(Math.abs(want[i]!), FLOOR / RELATIVE_TOLERANCE);
    if (!(error <= worst)) worst = Number.isNaN(error) ? Infinity : error;
  }
  return worst;
}
