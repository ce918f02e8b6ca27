// The epoch driver shared by the engines that run on the calling thread (js, wasm): run the
// epoch's batches in chunks of about CHUNK_MS, report progress after each chunk, stop after a
// batch whose status is not STEP_OK or when progress asks to, and yield to the event loop
// between chunks. (The native engine runs the same loop on a worker thread: native/net_napi.cc.)
// Each engine keeps the pace of its last epoch (EpochPace), so an epoch starts with chunks of
// the right size, and the native engine runs epochs that take less than SHORT_EPOCH_MS on the
// calling thread.
import { batchStatus, STEP_OK, type EpochProgress } from './engine.js';
import { yieldToEventLoop } from '../util/yield.js';

/** Target time per chunk of batches between yields to the event loop. */
const CHUNK_MS = 10;

/**
 * An epoch expected to take at most this long may block the calling thread whole: handing it to
 * another thread and back costs ~36 µs a call on the development machine (a fifth of a 32-batch
 * epoch of 2-32-32-2, under 4% of a 1 ms one), and fit yields to the event loop between epochs
 * at least every millisecond (EPOCH_YIELD_MS, src/nn/fit.ts).
 */
export const SHORT_EPOCH_MS = 1;

/** An engine's milliseconds per batch in its latest epoch, and that epoch's batch size. */
export class EpochPace {
  #batchSize = 0;
  #msPerBatch = 0;

  record(batchSize: number, ms: number, batches: number): void {
    if (batches < 1) return;
    this.#batchSize = batchSize;
    this.#msPerBatch = ms / batches;
  }

  /** How long `batches` batches of `batchSize` rows should take: Infinity until one was timed. */
  expectedMs(batchSize: number, batches: number): number {
    return batchSize === this.#batchSize ? batches * this.#msPerBatch : Infinity;
  }
}

/**
 * net_train_batches over batches [first, first + count): returns how many ran (fewer when one
 * failed); their stats are in batchStats from batch `first` on.
 */
export type BatchRunner = (first: number, count: number) => number;

export async function driveEpoch(
  batches: number, batchSize: number, maxChunk: number, runBatches: BatchRunner, batchStats: Float64Array,
  onProgress: EpochProgress | undefined, pace: EpochPace,
): Promise<number> {
  let done = 0;
  // as many batches as fit in CHUNK_MS at the last epoch's pace, else one batch first
  const expected = pace.expectedMs(batchSize, 1);
  let chunk = Number.isFinite(expected) ? chunkFor(expected, maxChunk, maxChunk) : 1;
  while (done < batches) {
    const started = performance.now();
    const ran = runBatches(done, Math.min(chunk, batches - done));
    const ms = performance.now() - started;
    pace.record(batchSize, ms, ran);
    // then as many as fit at the measured speed, growing at most twofold per chunk (one fast
    // measurement must not buy a long block of the event loop)
    chunk = chunkFor(ms / ran, 2 * chunk, maxChunk);
    done += ran;
    if (onProgress?.(done) === false || batchStatus(batchStats, done - 1) !== STEP_OK) break;
    if (done < batches) await yieldToEventLoop();
  }
  return done;
}

function chunkFor(msPerBatch: number, most: number, maxChunk: number): number {
  return Math.max(1, Math.min(maxChunk, most, Math.floor(CHUNK_MS / Math.max(msPerBatch, 1e-6))));
}
