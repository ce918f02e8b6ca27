// Epochs short enough to block the main thread for run on it (trainEpoch's `now`): the hand-over
// to a libuv thread and back costs more than such an epoch's wait. The epoch must settle before
// trainEpoch returns, train exactly as the worker thread does, and keep the worker's progress
// contract (a report after the first batch, `false` stops, an exception rejects, a batchStats
// detached meanwhile is refused); NativeEngine takes this path once it has timed an epoch of the
// same batch size under SHORT_EPOCH_MS, and never for its first epoch.
import { describe, expect, it } from 'vitest';
import { STAT_LOSS, STATS_PER_BATCH } from '../../src/backend/engine.js';
import { Activation, Loss, Optimizer, OPTIMIZER_FIELDS, packOptimizer } from '../../src/backend/kernels.js';
import { packSpec, paramLayout, type NetSpec } from '../../src/backend/layout.js';
import { NativeEngine } from '../../src/backend/native/engine.js';
import { InvalidArgumentError } from '../../src/util/errors.js';
import { Random } from '../../src/util/prng.js';
import { randomArray, randomOneHot } from '../helpers/random.js';
import { addon } from './addon.js';

// small enough that no step hands work to the thread pool, whatever the thread count: such an
// epoch's steps run on the thread that runs the epoch (Net::epoch_on_caller)
const SPEC: NetSpec = { sizes: [7, 5, 3], activations: [Activation.tanh, Activation.softmax], loss: Loss.cross_entropy };
const ROWS = 37;
const BATCH = 4;
const BATCHES = Math.ceil(ROWS / BATCH);
const OPT = packOptimizer({ kind: Optimizer.adam, lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 }, new Float64Array(OPTIMIZER_FIELDS.length));

function problem(seed: number) {
  const random = new Random(seed);
  return {
    params: randomArray(random, paramLayout(SPEC.sizes).count, -0.5, 0.5),
    x: randomArray(random, ROWS * 7),
    y: randomOneHot(random, ROWS, 3),
    order: Uint32Array.from({ length: ROWS }, (_, i) => (i * 11) % ROWS),
  };
}

function net(params: Float32Array) {
  const n = new addon!.Net(packSpec(SPEC));
  n.writeParams(params);
  return n;
}

describe.skipIf(addon === undefined)('native: short epochs on the calling thread', () => {
  it('settles before trainEpoch returns, with the same batches, stats and weights as on a worker thread', async () => {
    const { params, x, y, order } = problem(1);
    const worker = net(params);
    const caller = net(params);
    const workerStats = new Float64Array(BATCHES * STATS_PER_BATCH);
    const callerStats = new Float64Array(BATCHES * STATS_PER_BATCH);
    for (let epoch = 0; epoch < 3; epoch++) {
      const first = 1 + epoch * BATCHES;
      const handedOver = worker.trainEpoch(x, y, null, ROWS, order, BATCH, OPT, null, first, workerStats);
      const now = caller.trainEpoch(x, y, null, ROWS, order, BATCH, OPT, null, first, callerStats, undefined, true);
      expect(callerStats[(BATCHES - 1) * STATS_PER_BATCH + STAT_LOSS]).toBeGreaterThan(0); // already trained
      expect(() => caller.reserve(1)).not.toThrow(); // and no longer busy
      expect(await now).toBe(BATCHES);
      expect(await handedOver).toBe(BATCHES);
      expect(callerStats).toEqual(workerStats);
      expect(caller.readParams()).toEqual(worker.readParams());
      expect(caller.readOptimizerState()).toEqual(worker.readOptimizerState());
    }
  });

  it('reports after the first batch: false stops there, an exception rejects with it, a detached batchStats is refused', async () => {
    const { params, x, y, order } = problem(2);
    const n = net(params);
    const stats = new Float64Array(BATCHES * STATS_PER_BATCH);
    const reports: number[] = [];
    const stopped = await n.trainEpoch(x, y, null, ROWS, order, BATCH, OPT, null, 1, stats, (done) => (reports.push(done), false), true);
    expect(stopped).toBe(1);
    expect(reports).toEqual([1]);
    const boom = new Error('progress failed');
    await expect(n.trainEpoch(x, y, null, ROWS, order, BATCH, OPT, null, 2, stats, () => { throw boom; }, true)).rejects.toBe(boom);
    const detached = new Float64Array(BATCHES * STATS_PER_BATCH);
    const detach = () => void structuredClone(detached.buffer, { transfer: [detached.buffer] });
    const refused = n.trainEpoch(x, y, null, ROWS, order, BATCH, OPT, null, 3, detached, detach, true);
    await expect(refused).rejects.toThrow(InvalidArgumentError);
    await expect(refused).rejects.toThrow(/batchStats was detached/);
    expect(() => n.reserve(1)).not.toThrow();
    // the full epoch still runs when onProgress lets it
    reports.length = 0;
    expect(await n.trainEpoch(x, y, null, ROWS, order, BATCH, OPT, null, 4, stats, (done) => void reports.push(done), true)).toBe(BATCHES);
    expect(reports).toEqual([1, BATCHES]);
  });

  it('NativeEngine hands its first epoch over, and runs the next ones on the calling thread once timed as short', async () => {
    const { params, x, y, order } = problem(3);
    const engine = new NativeEngine(SPEC, addon!);
    engine.writeParams(params);
    const data = engine.bindData(x, y, ROWS);
    const opt = { kind: Optimizer.sgd, lr: 0.05, beta1: 0, beta2: 0, eps: 0 };
    const stats = new Float64Array(BATCHES * STATS_PER_BATCH);
    const first = engine.trainEpoch(data, order, BATCH, opt, 1, stats);
    expect(stats[STAT_LOSS]).toBe(0); // on the worker thread: nothing reported yet
    await first;
    // an epoch of 10 tiny batches takes microseconds; the hand-over's own time is counted too,
    // so a loaded machine may need a few epochs before one is timed under SHORT_EPOCH_MS
    let onCaller = false;
    for (let epoch = 1; epoch < 50 && !onCaller; epoch++) {
      stats.fill(0);
      const next = engine.trainEpoch(data, order, BATCH, opt, 1 + epoch * BATCHES, stats);
      onCaller = stats[STAT_LOSS]! > 0;
      await next;
    }
    expect(onCaller).toBe(true);
    // another batch size has not been timed: handed over again
    stats.fill(0);
    const otherSize = engine.trainEpoch(data, order, BATCH + 1, opt, 1000, stats);
    expect(stats[STAT_LOSS]).toBe(0);
    await otherSize;
    data.release();
    engine.dispose();
  });
});
