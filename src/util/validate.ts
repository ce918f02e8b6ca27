// Validation at the TypeScript boundary, done once, so kernels can assume clean input.
import { DataError, expectation, InvalidArgumentError, invalidArgument, type MlpxError } from './errors.js';

export function requireInteger(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw invalidArgument(name, `an integer ≥ ${min}`, value);
  return value;
}

/** A count, step or seed: an integer ≥ 0 that is exact as a double (below 2^53), so it is the one given. */
export const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

export function requireCount(value: unknown, name: string): number {
  if (!isCount(value)) throw invalidArgument(name, 'an integer in [0, 2^53)', value);
  return value;
}

export function requirePositive(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw invalidArgument(name, 'a finite number > 0', value);
  return value;
}

/** A learning rate (or scale) whose float32 value, what the kernels use, is finite and > 0. */
export function requireFloat32Positive(value: unknown, name: string): number {
  if (typeof value !== 'number' || !(Math.fround(value) > 0) || !Number.isFinite(Math.fround(value))) {
    throw invalidArgument(name, 'a number whose float32 value is finite and > 0', value);
  }
  return value;
}

/**
 * l2, l1, weight decay, a row's or class's loss weight: ≥ 0 with a finite float32 value (what the
 * kernels use). `Failure` is the error thrown: an InvalidArgumentError for an option, a DataError
 * for a weight that came with the data.
 */
export function requireFloat32NonNegative(value: unknown, name: string, Failure: new (message: string) => MlpxError = InvalidArgumentError): number {
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(Math.fround(value))) {
    throw new Failure(expectation(name, 'a number ≥ 0 whose float32 value is finite', value));
  }
  return value;
}

export function requireInRange(value: unknown, name: string, low: number, high: number, inclusive = false): number {
  const ok = typeof value === 'number' && (inclusive ? value >= low && value <= high : value > low && value < high);
  if (!ok) throw invalidArgument(name, `a number in ${inclusive ? '[' : '('}${low}, ${high}${inclusive ? ']' : ')'}`, value);
  return value as number;
}

/** An optional callback: a function, or undefined. */
export function requireOptionalFunction<T extends (...args: never[]) => unknown>(value: unknown, name: string): T | undefined {
  if (value !== undefined && typeof value !== 'function') throw invalidArgument(name, 'a function', value);
  return value as T | undefined;
}

/** An optional flag: true, false, or undefined (then `fallback`). */
export function requireOptionalBoolean(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalidArgument(name, 'true or false', value);
  return value;
}

/** An options object (or undefined, meaning {}) whose keys are all among `known`: a misspelt option is an error, not silently ignored. */
export function requireOptions(value: unknown, name: string, known: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidArgument(name, 'an object', value);
  requireKnownKeys(value as Record<string, unknown>, name, known);
  return value as Record<string, unknown>;
}

export function requireKnownKeys(value: Record<string, unknown>, name: string, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new InvalidArgumentError(`Unknown option '${key}' in ${name}; the options are ${known.join(', ')}`);
  }
}

export function requireOneOf<T extends string>(value: unknown, name: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalidArgument(name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  }
  return value as T;
}

/** A Float32Array holding `rows × columns` finite values; says which row and column are not. */
export function requireMatrix(value: unknown, name: string, columns: number): { data: Float32Array; rows: number } {
  if (!(value instanceof Float32Array)) throw invalidArgument(name, `a Float32Array of rows × ${columns} values`, value);
  if (value.length === 0) throw new DataError(`${name} is empty: expected at least one row of ${columns} values`);
  if (value.length % columns !== 0) {
    throw invalidArgument(name, `a length that is a multiple of ${columns} (rows × ${columns})`, value);
  }
  for (let i = 0; i < value.length; i++) {
    if (!Number.isFinite(value[i]!)) {
      throw new DataError(`${name} has a non-finite value ${value[i]} at row ${Math.floor(i / columns)}, column ${i % columns}`);
    }
  }
  return { data: value, rows: value.length / columns };
}

/** Targets as a dense Float32Array (rows × outputs), from one-hot/real targets or class indices. */
export function requireTargets(value: unknown, name: string, rows: number, outputs: number): Float32Array {
  if (value instanceof Uint8Array || value instanceof Int32Array || value instanceof Uint16Array) {
    if (value.length !== rows) throw invalidArgument(name, `${rows} class labels (one per row)`, value);
    const classes = outputs === 1 ? 2 : outputs;
    const dense = new Float32Array(rows * outputs);
    for (let r = 0; r < rows; r++) {
      const label = value[r]!;
      if (label < 0 || label >= classes) throw new DataError(`${name}[${r}] is ${label}: labels must be in 0..${classes - 1} for ${outputs} output unit(s)`);
      if (outputs === 1) dense[r] = label;
      else dense[r * outputs + label] = 1;
    }
    return dense;
  }
  if (value instanceof Float32Array) {
    if (value.length !== rows * outputs) throw invalidArgument(name, `a Float32Array of ${rows} × ${outputs} = ${rows * outputs} targets`, value);
    return requireMatrix(value, name, outputs).data;
  }
  throw invalidArgument(name, 'a Float32Array of targets or a Uint8Array/Int32Array of class labels', value);
}

