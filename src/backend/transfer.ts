// Copies into and out of an engine's memory: engines hand out copies, never views, so nothing a
// caller holds can be detached by wasm memory growing, or change under a running epoch.
import { epochBatches, STATS_PER_BATCH } from './engine.js';
import { Optimizer, OPTIMIZER_FIELDS, type OptimizerParams } from './kernels.js';
import type { NetSpec } from './layout.js';
import { InvalidArgumentError } from '../util/errors.js';

/** `out` (or a new array) holding a copy of `from`; `type` is the engine's storage (Float64Array for the gradient check's). */
export function copyOut(from: Float32Array, out: Float32Array | undefined, type: Float32ArrayConstructor | Float64ArrayConstructor = Float32Array): Float32Array {
  const result = out ?? (new type(from.length) as Float32Array);
  if (!(result instanceof type) || result.length < from.length) {
    throw new InvalidArgumentError(`the output array must be a ${type.name} of at least ${from.length} values`);
  }
  result.set(from);
  return result;
}

/** Copy `values` into `to`, which it must fill exactly. */
export function copyIn(to: Float32Array, values: Float32Array, what: string): void {
  if (!(values instanceof Float32Array) || values.length !== to.length) {
    throw new InvalidArgumentError(`expected a Float32Array of ${to.length} values of ${what}`);
  }
  to.set(values);
}

/**
 * trainEpoch's arguments: every entry of the order is a row of the bound data, the batch size an
 * integer ≥ 1, and batchStats holds the stats of every batch. Returns the number of batches.
 */
export function requireEpoch(order: Uint32Array, rows: number, batchSize: number, batchStats: Float64Array): number {
  if (!(order instanceof Uint32Array) || order.length === 0) throw new InvalidArgumentError('trainEpoch: order must be a non-empty Uint32Array of row indices');
  for (let i = 0; i < order.length; i++) {
    if (order[i]! >= rows) throw new InvalidArgumentError(`trainEpoch: order[${i}] = ${order[i]} is not a row of the data (${rows} rows)`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`trainEpoch: batchSize must be an integer ≥ 1, not ${batchSize}`);
  const batches = epochBatches(order.length, batchSize);
  if (!(batchStats instanceof Float64Array) || batchStats.length < batches * STATS_PER_BATCH) {
    throw new InvalidArgumentError(`trainEpoch: batchStats must be a Float64Array of at least ${batches} × ${STATS_PER_BATCH} values`);
  }
  return batches;
}

/** A row count in [1, capacity]. */
export function requireBatch(call: string, rows: number, capacity: number): void {
  if (!Number.isInteger(rows) || rows < 1 || rows > capacity) {
    throw new InvalidArgumentError(`${call}: rows (${rows}) must be an integer in [1, ${capacity}], the reserved capacity; call reserve() first`);
  }
}

/** reserve()'s row count: an integer in [1, 2^31 − 1]. */
export function requireRowCount(call: string, rows: number): void {
  if (!Number.isInteger(rows) || rows < 1 || rows > 2 ** 31 - 1) throw new InvalidArgumentError(`${call}: rows must be an integer in [1, 2^31 − 1], not ${rows}`);
}

/** A Float32Array of at least `need` values (a Float64Array for stats). */
export function requireArray(call: string, name: string, value: unknown, need: number, type: Float32ArrayConstructor | Float64ArrayConstructor = Float32Array): void {
  if (!(value instanceof type) || value.length < need) {
    throw new InvalidArgumentError(`${call}: ${name} must be a ${type.name} of at least ${need} values`);
  }
}

/**
 * The arguments of forward, evaluate, gradient and trainStep: rows within the capacity, x (and
 * y, and stats, when the call takes them) long enough for them.
 */
export function requireStepArgs(
  call: string, spec: NetSpec, capacity: number, rows: number, x: unknown, y: unknown | null, stats: unknown | null,
  type: Float32ArrayConstructor | Float64ArrayConstructor = Float32Array,
): void {
  requireBatch(call, rows, capacity);
  requireArray(call, 'x', x, rows * spec.sizes[0]!, type);
  if (y !== null) requireArray(call, 'y', y, rows * spec.sizes[spec.sizes.length - 1]!, type);
  if (stats !== null) requireArray(call, 'stats', stats, STATS_PER_BATCH, Float64Array);
}

/** bindData's arguments: x, y (and the row weights, when given) hold `rows` rows. */
export function requireData(spec: NetSpec, x: unknown, y: unknown, rows: number, weights?: unknown): void {
  requireRowCount('bindData', rows);
  requireArray('bindData', 'x', x, rows * spec.sizes[0]!);
  requireArray('bindData', 'y', y, rows * spec.sizes[spec.sizes.length - 1]!);
  requireRowWeights('bindData', weights, rows);
}

const OPTIMIZER_IDS: ReadonlySet<unknown> = new Set(Object.values(Optimizer));

/** An optimizer id (Optimizer in kernels.ts). */
export function requireOptimizerKind(call: string, kind: unknown): void {
  if (!OPTIMIZER_IDS.has(kind)) throw new InvalidArgumentError(`${call}: ${String(kind)} is not an optimizer id`);
}

/** Optimizer parameters the kernels can run: a known kind and numbers (the optional ones absent or numbers). */
export function requireOptimizerParams(call: string, opt: OptimizerParams): void {
  if (typeof opt !== 'object' || opt === null) throw new InvalidArgumentError(`${call}: opt must be { kind, lr, beta1, beta2, eps, … }`);
  requireOptimizerKind(call, opt.kind);
  if ([opt.lr, opt.beta1, opt.beta2, opt.eps].some((v) => typeof v !== 'number')) {
    throw new InvalidArgumentError(`${call}: opt's lr, beta1, beta2 and eps must be numbers`);
  }
  for (const field of OPTIMIZER_FIELDS) {
    if (opt[field] !== undefined && typeof opt[field] !== 'number') throw new InvalidArgumentError(`${call}: opt.${field} must be a number when given`);
  }
}

/** Row weights, when given: a Float32Array of at least `rows` values. */
export function requireRowWeights(call: string, weights: unknown, rows: number): void {
  if (weights !== undefined) requireArray(call, 'weights', weights, rows);
}

/** An epoch's learning rates, when given: a Float32Array with one per batch. */
export function requireRates(rates: unknown, batches: number): void {
  if (rates !== undefined) requireArray('trainEpoch', 'rates', rates, batches);
}
