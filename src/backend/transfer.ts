// Copies into and out of an engine's memory: engines hand out copies, never views, so nothing a
// caller holds can be detached by wasm memory growing, or change under a running epoch.
import { epochBatches, STATS_PER_BATCH } from './engine.js';
import { InvalidArgumentError } from '../util/errors.js';

/** `out` (or a new Float32Array) holding a copy of `from`. */
export function copyOut(from: Float32Array, out: Float32Array | undefined): Float32Array {
  const result = out ?? new Float32Array(from.length);
  if (result.length < from.length) throw new InvalidArgumentError(`the output array holds ${result.length} values; ${from.length} are needed`);
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

/** An integer batch size ≥ 1 and a row count in [1, capacity]. */
export function requireBatch(name: string, rows: number, capacity: number): void {
  if (!Number.isInteger(rows) || rows < 1 || rows > capacity) {
    throw new InvalidArgumentError(`${name}: rows (${rows}) must be an integer in [1, ${capacity}], the reserved capacity; call reserve() first`);
  }
}
