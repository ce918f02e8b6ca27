// Per-feature standardisation z = (x − mean) / std. The statistics come from training rows and
// travel with the model, so a trained network takes raw features: predict, evaluate and fit
// apply them, and ONNX export writes them as Sub/Div at the input.
import { DataError, invalidArgument } from '../util/errors.js';

export interface Standardization {
  /** per input column */
  readonly mean: Float32Array;
  /** per input column, every one > 0 */
  readonly std: Float32Array;
}

/**
 * Mean and population standard deviation of each of `columns` columns over some rows of x: the
 * first `rows` rows (default: all), or the rows a list of indices names. Accumulated in float64.
 * A constant column gets std 1, so it standardises to 0 instead of dividing by zero.
 */
export function computeStandardization(x: Float32Array, columns: number, rows: number | Uint32Array = x.length / columns): Standardization {
  const count = typeof rows === 'number' ? rows : rows.length;
  if (!Number.isInteger(count) || count < 1 || (typeof rows === 'number' && rows * columns > x.length)) {
    throw invalidArgument('rows', `an integer in 1..${Math.floor(x.length / columns)}`, rows);
  }
  const rowAt = typeof rows === 'number' ? (r: number) => r * columns : (r: number) => rows[r]! * columns;
  const sum = new Float64Array(columns);
  for (let r = 0; r < count; r++) {
    const row = rowAt(r);
    for (let c = 0; c < columns; c++) sum[c] = sum[c]! + x[row + c]!;
  }
  const mean = sum.map((s) => s / count);
  // the second pass around the mean avoids the cancellation of Σx² − n·mean²
  const squares = new Float64Array(columns);
  for (let r = 0; r < count; r++) {
    const row = rowAt(r);
    for (let c = 0; c < columns; c++) squares[c] = squares[c]! + (x[row + c]! - mean[c]!) ** 2;
  }
  const std = new Float32Array(columns);
  for (let c = 0; c < columns; c++) {
    const s = Math.fround(Math.sqrt(squares[c]! / count));
    std[c] = s > 0 && Number.isFinite(1 / s) ? s : 1;
  }
  return { mean: Float32Array.from(mean), std };
}

/** A copy of `value` as a Standardization of `columns` columns, or an InvalidArgumentError naming what is wrong. */
export function requireStandardization(value: unknown, name: string, columns: number): Standardization {
  if (typeof value !== 'object' || value === null) throw invalidArgument(name, '{ mean, std }', value);
  const { mean, std } = value as Record<string, unknown>;
  return { mean: requireVector(mean, `${name}.mean`, columns, false), std: requireVector(std, `${name}.std`, columns, true) };
}

function requireVector(value: unknown, name: string, columns: number, positive: boolean): Float32Array {
  const ok = (value instanceof Float32Array || value instanceof Float64Array || Array.isArray(value)) && value.length === columns;
  if (!ok) throw invalidArgument(name, `${columns} numbers (one per input)`, value);
  const out = new Float32Array(columns);
  for (let c = 0; c < columns; c++) {
    const v = (value as ArrayLike<unknown>)[c];
    // the check is on the float32 that will be used: 1e-50 is > 0 but rounds to 0
    const stored = typeof v === 'number' ? Math.fround(v) : NaN;
    const valid = Number.isFinite(stored) && (!positive || (stored > 0 && Number.isFinite(1 / stored)));
    if (!valid) throw invalidArgument(`${name}[${c}]`, positive ? 'a finite number > 0 whose reciprocal is finite in float32' : 'a finite number', v);
    out[c] = stored;
  }
  return out;
}

/** (x − mean) / std row by row, into `out` (a new array unless given; may be x itself). */
export function standardize(x: Float32Array, stats: Standardization, out: Float32Array = new Float32Array(x.length)): Float32Array {
  const { mean, std } = stats;
  const columns = mean.length;
  for (let i = 0; i < x.length; i++) {
    const c = i % columns;
    const z = (x[i]! - mean[c]!) / std[c]!;
    // finite inputs can still overflow float32 when std is tiny
    if (!Number.isFinite(Math.fround(z))) throw new DataError(`standardising row ${Math.floor(i / columns)}, column ${c} overflows: (${x[i]} − ${mean[c]}) / ${std[c]}`);
    out[i] = z;
  }
  return out;
}
