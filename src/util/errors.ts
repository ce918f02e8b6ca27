// Typed errors. Every message names the argument (or file, or place) and what was received.

/** Base class: `err instanceof MlpxError` catches everything mlpx throws on purpose. */
export class MlpxError extends Error {
  override name = 'MlpxError';
}

/** An argument has the wrong type, shape, length or value. */
export class InvalidArgumentError extends MlpxError {
  override name = 'InvalidArgumentError';
}

/** Data contains NaN/Inf, labels out of range, or is empty. */
export class DataError extends MlpxError {
  override name = 'DataError';
}

/** A file (IDX, saved model) is truncated, corrupt or not what it claims to be. */
export class FormatError extends MlpxError {
  override name = 'FormatError';
}

/** A backend that was asked for explicitly cannot be loaded. */
export class BackendUnavailableError extends MlpxError {
  override name = 'BackendUnavailableError';
}

/**
 * The network is in use by a running `fit`: a second fit, setWeights, save/toBuffer or dispose
 * must wait until that fit settles. Thrown before anything is touched.
 */
export class BusyError extends MlpxError {
  override name = 'BusyError';
}

/** The network (or engine) was disposed: its memory is gone and it can no longer be used. */
export class DisposedError extends MlpxError {
  override name = 'DisposedError';
}

/**
 * Training produced a non-finite loss, gradient, weight or optimizer state. The network is left
 * with weights known to be finite (see the message for which).
 */
export class NonFiniteError extends MlpxError {
  override name = 'NonFiniteError';
  constructor(
    message: string,
    readonly epoch: number,
    readonly batch: number,
    /** 1-based layer whose output first became non-finite, or null when only the loss/gradient did */
    readonly layer: number | null,
  ) {
    super(message);
  }
}

/** Describes a received value for error messages: `3.5 (number)`, `Float64Array(10)`, … */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (ArrayBuffer.isView(value)) {
    const length = (value as unknown as { length?: number }).length;
    return `${value.constructor.name}(${length ?? value.byteLength})`;
  }
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (typeof value === 'string') return `'${value.length > 40 ? value.slice(0, 40) + '…' : value}' (string)`;
  if (typeof value === 'object') return `${value.constructor?.name ?? 'Object'} object`;
  return `${String(value)} (${typeof value})`;
}

/** "Expected <expected> for <name> but received <actual>" */
export function expectation(name: string, expected: string, actual: unknown): string {
  return `Expected ${expected} for ${name} but received ${describe(actual)}`;
}

export function invalidArgument(name: string, expected: string, actual: unknown): InvalidArgumentError {
  return new InvalidArgumentError(expectation(name, expected, actual));
}

/** A file could not be read or written (missing, not permitted, disk full, …); `path` names it. */
export class FileError extends MlpxError {
  override name = 'FileError';
  constructor(message: string, readonly path: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
