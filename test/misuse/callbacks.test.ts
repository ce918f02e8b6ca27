// Callbacks that throw, on every backend: the fit rejects with the very error thrown, reports no
// further batch, and leaves the network consistent (its update count is the number of updates
// that ran: batches already under way finish) and usable. At the engine level, an onProgress
// that throws rejects the epoch with it, and one that returns false stops the epoch.
import { describe, expect, it } from 'vitest';
import { STATS_PER_BATCH } from '../../src/backend/engine.js';
import { Optimizer } from '../../src/backend/kernels.js';
import { loadBackend } from '../../src/backend/registry.js';
import { BACKENDS, CLASSES, classifier, INPUTS, outcome, problem, ROWS, tally } from './setup.js';

const count = tally('callbacks');
const BATCH = ROWS / 3; // three batches per epoch

describe.each(BACKENDS)('%s backend: callbacks that throw', (backend) => {
  it('onBatchEnd: the fit rejects with that error, and the update count matches the updates that ran', async () => {
    const { x, y } = problem();
    const boom = new Error('onBatchEnd failed');
    const net = await classifier(backend);
    const error = await outcome(() => net.fit(x, y, { epochs: 2, batchSize: BATCH, shuffle: false, onBatchEnd: (b) => { if (b.batch === 3) throw boom; } }));
    count(error);
    expect(error).toBe(boom);
    // it threw at the epoch's last batch, so all three updates ran, on every backend: the
    // network equals one trained for exactly that epoch
    const oneEpoch = await classifier(backend);
    await oneEpoch.fit(x, y, { epochs: 1, batchSize: BATCH, shuffle: false });
    expect(net.training.step).toBe(3);
    expect(net.getWeights()).toEqual(oneEpoch.getWeights());
    expect(net.training.epochsTrained).toBe(0); // the epoch did not finish
    await expect(net.fit(x, y, { epochs: 1 })).resolves.toBeDefined();
  });

  it('onBatchEnd throwing early stops the epoch: no further batches are reported, the count stays consistent', async () => {
    const { x, y } = problem();
    const net = await classifier(backend);
    const seen: number[] = [];
    const error = await outcome(() => net.fit(x, y, { epochs: 3, batchSize: 4, onBatchEnd: (b) => { seen.push(b.batch); if (b.batch === 2) throw new RangeError('from the callback'); } }));
    count(error);
    expect(error).toBeInstanceOf(RangeError); // the caller's own error, untouched
    expect(seen).toEqual([1, 2]);
    // progress is reported per chunk of batches (native: at most every 20 ms, from its worker
    // thread), so batches after the second may already have run: they all count
    expect(net.training.step).toBeGreaterThanOrEqual(2);
    expect(net.training.step).toBeLessThanOrEqual(ROWS / 4);
    expect(net.training.epochsTrained).toBe(0);
    expect(net.getWeights().every(Number.isFinite)).toBe(true);
  });

  it('onEpochEnd throwing or rejecting rejects the fit after the epoch counted', async () => {
    const { x, y } = problem();
    const net = await classifier(backend);
    const thrown = await outcome(() => net.fit(x, y, { epochs: 3, batchSize: BATCH, onEpochEnd: () => { throw new TypeError('sync'); } }));
    const rejected = await outcome(() => net.fit(x, y, { epochs: 3, batchSize: BATCH, onEpochEnd: () => Promise.reject(new Error('async')) }));
    count(thrown);
    count(rejected);
    expect((thrown as Error).message).toBe('sync');
    expect((rejected as Error).message).toBe('async');
    expect(net.training.epochsTrained).toBe(2);
    expect(net.training.step).toBe(6);
  });

  it('engine: an onProgress that throws rejects the epoch with it; one that returns false stops it early', async () => {
    const engine = (await loadBackend(backend)).createEngine({ sizes: [INPUTS, 5, CLASSES], activations: [2, 5], loss: 3 });
    const { x, y } = problem();
    const data = engine.bindData(x, y, ROWS);
    const order = Uint32Array.from({ length: ROWS }, (_, i) => i);
    const stats = new Float64Array(ROWS * STATS_PER_BATCH);
    const opt = { kind: Optimizer.sgd, lr: 0.1, beta1: 0, beta2: 0, eps: 0 };
    // a fresh engine's js and wasm epochs run one batch before the first report; native's worker
    // may finish a short epoch before its first report arrives (test/native/progress.test.ts
    // stops a long one)
    const done = await engine.trainEpoch(data, order, 1, opt, 1, stats, () => false);
    if (backend === 'native') expect(done).toBeGreaterThanOrEqual(1);
    else expect(done).toBe(1);
    const boom = new Error('progress failed');
    const error = await outcome(() => engine.trainEpoch(data, order, 1, opt, 1, stats, () => { throw boom; }));
    count(error);
    expect(error).toBe(boom);
    data.release();
    engine.dispose();
  });
});
