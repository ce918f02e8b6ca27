// Keeping the page's frames coming while mlpx trains. On a machine with few cores, mlpx's threads
// can take every core; the page then measures its own frame intervals and, while they run late,
// asks the training worker to rest a little between batches (see worker-rest.ts), backing off
// again once frames are on time. With cores to spare the advice stays at zero.

const WINDOW_MS = 500;
const LATE_MS = 50;
const ON_TIME_MS = 25;
const MAX_REST_MS = 32;

/** Watch frames while `active()`; call `advise(ms)` when the rest the worker should take changes. */
export function watchFrames(active: () => boolean, advise: (restMs: number) => void): void {
  let rest = 0;
  let last = -1;
  let windowStart = -1;
  let intervals: number[] = [];
  const tick = (now: number) => {
    if (!active()) {
      last = windowStart = -1;
      intervals = [];
      requestAnimationFrame(tick);
      return;
    }
    if (last >= 0) intervals.push(now - last);
    last = now;
    if (windowStart < 0) windowStart = now;
    if (now - windowStart >= WINDOW_MS && intervals.length > 0) {
      const sorted = intervals.sort((a, b) => a - b);
      const p90 = sorted[Math.floor(sorted.length * 0.9)]!;
      const next = p90 > LATE_MS ? Math.min(MAX_REST_MS, Math.max(2, rest * 2)) : p90 < ON_TIME_MS ? (rest >= 2 ? rest / 2 : 0) : rest;
      if (next !== rest) {
        rest = next;
        advise(rest);
      }
      windowStart = now;
      intervals = [];
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}
