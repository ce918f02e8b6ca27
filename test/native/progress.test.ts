// A running epoch reports progress to JS while it runs, so a progress bar moves, but throttled:
// a report per batch costs a syscall and a main-thread wake-up each (7% of an epoch at batch 32).
// Reports must arrive before the epoch ends, count up, end at the batch count, come at most once
// per 20 ms interval (plus the final one), and leave timers running.
import { describe, expect, it } from 'vitest';
import { STATS_PER_BATCH } from '../../src/backend/engine.js';
import { Activation, Loss, Optimizer } from '../../src/backend/kernels.js';
import { paramLayout, type NetSpec } from '../../src/backend/layout.js';
import { NativeEngine } from '../../src/backend/native/engine.js';
import { Random } from '../../src/util/prng.js';
import { randomArray, randomOneHot } from '../helpers/random.js';
import { addon } from './addon.js';

const SPEC: NetSpec = { sizes: [784, 128, 10], activations: [Activation.relu, Activation.softmax], loss: Loss.cross_entropy };
const PROGRESS_INTERVAL_MS = 20; // kProgressInterval in native/net_napi.cc

const OPT = { kind: Optimizer.sgd, lr: 0.01, beta1: 0, beta2: 0, eps: 0 };

/** An engine and 4,096 batches of 16 rows, revisiting 512 rows: a few hundred milliseconds of training. */
function longEpoch(seed: number) {
  const random = new Random(seed);
  const engine = new NativeEngine(SPEC, addon!);
  engine.writeParams(randomArray(random, paramLayout(SPEC.sizes).count, -0.05, 0.05));
  const rows = 512;
  const data = engine.bindData(randomArray(random, rows * 784), randomOneHot(random, rows, 10), rows);
  const order = Uint32Array.from({ length: 4096 * 16 }, (_, i) => (i * 7919) % rows);
  return { engine, data, order, stats: new Float64Array(4096 * STATS_PER_BATCH) };
}

describe.skipIf(addon === undefined)('native: epoch progress', () => {
  it('reports progress during an epoch, at most once per interval, with the event loop free', async () => {
    const { engine, data, order, stats } = longEpoch(5);
    const reports: number[] = [];
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const started = performance.now();
    const batches = await engine.trainEpoch(data, order, 16, OPT, 1, stats, (done) => void reports.push(done));
    const elapsed = performance.now() - started;
    clearInterval(timer);
    data.release();
    expect(batches).toBe(4096);
    expect(reports.length).toBeGreaterThan(1);
    expect(reports.at(-1)).toBe(4096);
    for (let i = 1; i < reports.length; i++) expect(reports[i]!).toBeGreaterThan(reports[i - 1]!);
    expect(reports.length).toBeLessThanOrEqual(Math.ceil(elapsed / PROGRESS_INTERVAL_MS) + 2);
    expect(ticks).toBeGreaterThan(0);
  });

  it('stops the epoch when onProgress returns false, and rejects it with what onProgress throws', async () => {
    const { engine, data, order, stats } = longEpoch(6);
    let reports = 0;
    const stopped = await engine.trainEpoch(data, order, 16, OPT, 1, stats, () => (++reports, false));
    expect(reports).toBe(1); // none after the one that said stop
    expect(stopped).toBeLessThan(4096);
    const boom = new Error('progress failed');
    await expect(engine.trainEpoch(data, order, 16, OPT, 1, stats, () => { throw boom; })).rejects.toBe(boom);
    expect(() => engine.reserve(1)).not.toThrow(); // the epoch has settled: the engine is free
    data.release();
    engine.dispose();
  });
});
