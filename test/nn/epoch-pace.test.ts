// The epoch driver of the engines that train on the calling thread (js, wasm) runs an epoch in
// chunks of batches between yields to the event loop. A fresh engine starts with one batch and
// grows the chunks at most twofold; an engine that has timed an epoch of the same batch size
// starts with as many batches as fit in a chunk's time, so a short epoch runs in one chunk
// instead of six (1, 2, 4, 8, 16, 1 batches: five trips through the event loop).
import { describe, expect, it, vi } from 'vitest';
import { STATS_PER_BATCH } from '../../src/backend/engine.js';
import { driveEpoch, EpochPace } from '../../src/backend/epoch.js';

/** driveEpoch over a runner whose batches take no measurable time; returns the chunks it ran. */
async function chunks(batches: number, batchSize: number, pace: EpochPace, maxChunk = 1024): Promise<number[]> {
  const ran: number[] = [];
  const stats = new Float64Array(batches * STATS_PER_BATCH);
  const done = await driveEpoch(batches, batchSize, maxChunk, (_, count) => (ran.push(count), count), stats, undefined, pace);
  expect(done).toBe(batches);
  return ran;
}

describe('epoch pace', () => {
  it('knows nothing of a batch size it has not timed', () => {
    const pace = new EpochPace();
    expect(pace.expectedMs(32, 10)).toBe(Infinity);
    pace.record(32, 2, 4);
    expect(pace.expectedMs(32, 10)).toBe(5);
    expect(pace.expectedMs(16, 10)).toBe(Infinity);
    pace.record(16, 1, 0); // no batch ran: nothing learnt
    expect(pace.expectedMs(32, 2)).toBe(1);
  });

  it('starts a fresh engine with one batch, then grows the chunks at most twofold', async () => {
    expect(await chunks(32, 8, new EpochPace())).toEqual([1, 2, 4, 8, 16, 1]);
  });

  it('runs a short epoch in one chunk once it has timed that batch size, and starts small for another', async () => {
    const pace = new EpochPace();
    await chunks(32, 8, pace);
    expect(await chunks(32, 8, pace)).toEqual([32]);
    expect(await chunks(32, 9, pace)).toEqual([1, 2, 4, 8, 16, 1]);
    expect(await chunks(100, 9, pace, 40)).toEqual([40, 40, 20]); // never more than maxChunk
  });

  it('keeps a chunk near its time at the pace measured', async () => {
    // a fake clock, so a preempted test machine cannot stretch a batch past its 4 ms
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      const pace = new EpochPace();
      pace.record(8, 4, 1); // 4 ms a batch: 2 fit in a 10 ms chunk
      const ran: number[] = [];
      const stats = new Float64Array(8 * STATS_PER_BATCH);
      await driveEpoch(8, 8, 1024, (_, count) => {
        ran.push(count);
        vi.advanceTimersByTime(4 * count); // 4 ms a batch, as timed
        return count;
      }, stats, undefined, pace);
      expect(ran).toEqual([2, 2, 2, 2]);
    } finally {
      vi.useRealTimers();
    }
  });
});
