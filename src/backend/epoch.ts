// The epoch driver shared by the engines that run on the calling thread (js, wasm): run the
// epoch's batches in chunks of about CHUNK_MS, report progress after each chunk, stop after a
// batch whose status is not STEP_OK or when progress asks to, and yield to the event loop
// between chunks. (The native engine runs the same loop on a worker thread: native/net_napi.cc.)
import { batchStatus, STEP_OK, type EpochProgress } from './engine.js';
import { yieldToEventLoop } from '../util/yield.js';

/** Target time per chunk of batches between yields to the event loop. */
const CHUNK_MS = 10;

/**
 * net_train_batches over batches [first, first + count): returns how many ran (fewer when one
 * failed); their stats are in batchStats from batch `first` on.
 */
export type BatchRunner = (first: number, count: number) => number;

export async function driveEpoch(
  batches: number, maxChunk: number, runBatches: BatchRunner, batchStats: Float64Array, onProgress: EpochProgress | undefined,
): Promise<number> {
  let done = 0;
  let msPerBatch = 0;
  let chunk = 1;
  while (done < batches) {
    const started = performance.now();
    const ran = runBatches(done, Math.min(chunk, batches - done));
    msPerBatch = (performance.now() - started) / ran;
    // one batch first, then as many as fit in CHUNK_MS at the measured speed, growing at most
    // twofold per chunk (one fast measurement must not buy a long block of the event loop)
    chunk = Math.max(1, Math.min(maxChunk, 2 * chunk, Math.floor(CHUNK_MS / Math.max(msPerBatch, 1e-6))));
    done += ran;
    if (onProgress?.(done) === false || batchStatus(batchStats, done - 1) !== STEP_OK) break;
    if (done < batches) await yieldToEventLoop();
  }
  return done;
}
