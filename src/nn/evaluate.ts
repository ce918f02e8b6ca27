// Forward passes over many rows, in chunks that fit the engine's workspace.
import { STAT_CORRECT, STAT_LOSS, STATS_PER_BATCH, type Engine } from '../backend/engine.js';
import { workspaceBytes } from '../backend/layout.js';

const CHUNK_ROWS = 1024;
/** A chunk's workspace may grow to this (or to what the engine already holds): wide layers get fewer rows per chunk. */
const CHUNK_WORKSPACE_BYTES = 64 * 2 ** 20;

function chunkRows(engine: Engine, rows: number): number {
  // the usual case, and most of a one-row predict's own time otherwise
  if (rows <= engine.capacity) return rows;
  const affordable = Math.max(1, Math.floor(CHUNK_WORKSPACE_BYTES / workspaceBytes(engine.spec, 1)));
  const chunk = Math.min(rows, Math.max(Math.min(CHUNK_ROWS, affordable), engine.capacity));
  engine.reserve(chunk);
  return chunk;
}

/** Outputs (rows × units) of x (rows × inputs). */
export function predictRows(engine: Engine, x: Float32Array, rows: number): Float32Array {
  const inputs = engine.spec.sizes[0]!;
  const outputs = engine.spec.sizes[engine.spec.sizes.length - 1]!;
  const result = new Float32Array(rows * outputs);
  const chunk = chunkRows(engine, rows);
  if (chunk === rows) {
    engine.forward(x, rows, result);
    return result;
  }
  for (let start = 0; start < rows; start += chunk) {
    const count = Math.min(chunk, rows - start);
    engine.forward(x.subarray(start * inputs, (start + count) * inputs), count, result.subarray(start * outputs, (start + count) * outputs));
  }
  return result;
}

/** Mean loss and number of correct rows over all rows. */
export function evaluateRows(engine: Engine, x: Float32Array, y: Float32Array, rows: number): { loss: number; correct: number } {
  const inputs = engine.spec.sizes[0]!;
  const outputs = engine.spec.sizes[engine.spec.sizes.length - 1]!;
  const stats = new Float64Array(STATS_PER_BATCH);
  const chunk = chunkRows(engine, rows);
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < rows; start += chunk) {
    const count = Math.min(chunk, rows - start);
    engine.evaluate(x.subarray(start * inputs, (start + count) * inputs), y.subarray(start * outputs, (start + count) * outputs), count, stats);
    lossSum += stats[STAT_LOSS]! * count;
    correct += stats[STAT_CORRECT]!;
  }
  return { loss: lossSum / rows, correct };
}
