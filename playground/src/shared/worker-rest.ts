// The training worker's side of watchFrames (frames.ts): rest `restMs` after every ~25 ms of
// training, so the page's thread gets a core. In a batch callback the worker blocks in
// Atomics.wait (allowed in workers; mlpx's own threads park meanwhile); that needs
// SharedArrayBuffer, which exactly the cross-origin-isolated pages have — the only ones where
// mlpx's threads can take every core.
const WORK_MS = 25;

let restMs = 0;
let workedSince = performance.now();
const sleeper = typeof SharedArrayBuffer === 'function' && globalThis.crossOriginIsolated === true ? new Int32Array(new SharedArrayBuffer(4)) : null;

export function setRest(ms: number): void {
  restMs = ms;
}

/** Call between batches (synchronous: from onBatchEnd). */
export function restIfDue(): void {
  if (restMs === 0 || sleeper === null) return;
  const now = performance.now();
  if (now - workedSince < WORK_MS) return;
  Atomics.wait(sleeper, 0, 0, restMs);
  workedSince = performance.now();
}

/** Call between rounds of training (asynchronous: lets messages in meanwhile). */
export async function restBetweenRounds(): Promise<void> {
  if (restMs === 0) return;
  await new Promise((resolve) => setTimeout(resolve, restMs));
  workedSince = performance.now();
}
