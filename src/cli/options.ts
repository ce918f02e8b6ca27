// Option parsers for commander: each rejects a bad value with a message naming what was expected.
import { InvalidArgumentError } from 'commander';

export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('Expected an integer ≥ 1.');
  return n;
}

export function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('Expected an integer ≥ 0.');
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('Expected a number > 0.');
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('Expected a number ≥ 0.');
  return n;
}

/** "0.2,0.1" → [0.2, 0.1]: dropout rates, each in [0, 1) */
export function rateList(value: string): number[] {
  return value.split(',').map((part) => {
    const n = Number(part.trim());
    if (part.trim() === '' || !Number.isFinite(n) || n < 0 || n >= 1) throw new InvalidArgumentError(`Expected comma-separated rates in [0, 1), e.g. 0.2,0.1 (got '${part}').`);
    return n;
  });
}

export function fraction(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n >= 1) throw new InvalidArgumentError('Expected a number in [0, 1).');
  return n;
}

/** "128,64" → [128, 64]; "" or "none" → [] (no hidden layer) */
export function layerList(value: string): number[] {
  if (value === '' || value === 'none') return [];
  return value.split(',').map((part) => {
    const n = Number(part.trim());
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`Expected comma-separated integers ≥ 1, e.g. 128,64 (got '${part}').`);
    return n;
  });
}

/** "a,b,c" → ['a', 'b', 'c'] (names trimmed; empty names refused) */
export function columnList(value: string): string[] {
  const names = value.split(',').map((part) => part.trim());
  if (names.some((name) => name === '')) throw new InvalidArgumentError(`Expected comma-separated column names (got '${value}').`);
  return names;
}
