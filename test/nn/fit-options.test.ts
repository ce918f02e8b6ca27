// fit's options: validation split and data, early stopping with best weights restored,
// callbacks, stopping from onEpochEnd, batch modes, and not blocking the event loop.
import { describe, expect, it } from 'vitest';
import { Network } from '../../src/index.js';
import { spiralsData } from '../../src/data/generators.js';
import { gatherRows, splitRows } from '../../src/nn/data.js';
import { Random } from '../../src/util/prng.js';
import { loadableBackendNames } from '../helpers/backends.js';

const data = spiralsData(100, 3);
const validation = spiralsData(50, 4);
const create = (backend: string) => Network.create({ inputs: 2, layers: [{ units: 16, activation: 'relu' }, { units: 2, activation: 'softmax' }], loss: 'cross_entropy', seed: 5, backend: backend as 'js' });

describe.each(await loadableBackendNames())('%s backend: fit options', (backend) => {
  it('reports validation metrics of the held-out rows, from a split or from validation data', async () => {
    const net = await create(backend);
    const split = await net.fit(data.x, data.y, { epochs: 1, validationSplit: 0.25 });
    // the rows a 0.25 split of 200 rows holds out for this seed: the metrics are theirs, at the final weights
    const heldOut = gatherRows({ x: data.x, y: Float32Array.from(data.y), rows: 200 }, splitRows(200, 0.25, 5).validation);
    const labels = Uint8Array.from(heldOut.y);
    expect(split.epochs[0]!.valLoss).toBeCloseTo(net.evaluate(heldOut.x, labels).loss, 5);
    expect(split.epochs[0]!.valAccuracy).toBe(net.evaluate(heldOut.x, labels).accuracy);
    const given = await net.fit(data.x, data.y, { epochs: 1, validationData: [validation.x, validation.y] });
    expect(given.epochs[0]!.valLoss).toBeCloseTo(net.evaluate(validation.x, validation.y).loss, 5);
    expect(given.epochs[0]!.valAccuracy).toBe(net.evaluate(validation.x, validation.y).accuracy);
  });

  it('holds out a seeded shuffle of the rows, not the last ones: sorted data validates on every class', async () => {
    // 200 rows sorted by class: the last quarter would be all class 1
    const order = Uint32Array.from({ length: 200 }, (_, i) => i).sort((a, b) => data.y[a]! - data.y[b]!);
    const sorted = gatherRows({ x: data.x, y: Float32Array.from(data.y), rows: 200 }, order);
    const held = splitRows(200, 0.25, 5).validation;
    expect(held.length).toBe(50);
    const classes = new Set(Array.from(held, (row) => sorted.y[row]));
    expect(classes).toEqual(new Set([0, 1]));
    expect(splitRows(200, 0.25, 5).validation).toEqual(held); // the same rows on every fit
    expect(splitRows(200, 0.25, 6).validation).not.toEqual(held);
    const net = await create(backend);
    const history = await net.fit(sorted.x, Uint8Array.from(sorted.y), { epochs: 1, validationSplit: 0.25 });
    const heldOut = gatherRows(sorted, held);
    expect(history.epochs[0]!.valAccuracy).toBe(net.evaluate(heldOut.x, Uint8Array.from(heldOut.y)).accuracy);
  });

  it('early stopping stops after `patience` epochs without improvement and restores the best weights', async () => {
    const net = await create(backend);
    const snapshots: Float32Array[] = [];
    const history = await net.fit(data.x, data.y, {
      epochs: 200, batchSize: 200, optimizer: { type: 'sgd', lr: 5 }, // a step too large: the loss oscillates
      earlyStopping: { patience: 2, monitor: 'loss' },
      onEpochEnd: () => void snapshots.push(net.getWeights()),
    });
    expect(history.stoppedEarly).toBe(true);
    const best = history.bestEpoch!;
    expect(history.epochs.length).toBe(best + 3);
    const losses = history.epochs.map((e) => e.loss);
    expect(Math.min(...losses)).toBe(losses[best - 1]);
    expect(net.getWeights()).toEqual(snapshots[best - 1]);
  });

  it('calls onBatchEnd for every batch in order and stops when onEpochEnd returns false', async () => {
    const net = await create(backend);
    const seen: string[] = [];
    const history = await net.fit(data.x, data.y, {
      epochs: 5, batchSize: 64,
      onBatchEnd: (b) => seen.push(`${b.epoch}.${b.batch}/${b.batches}`),
      onEpochEnd: (r) => r.epoch < 2,
    });
    expect(history.epochs.length).toBe(2);
    expect(seen).toEqual(['1.1/4', '1.2/4', '1.3/4', '1.4/4', '2.1/4', '2.2/4', '2.3/4', '2.4/4']);
  });

  it('supports stochastic (batch 1) and full-batch training', async () => {
    const sgd = await create(backend);
    const updates: number[] = [];
    await sgd.fit(data.x, data.y, { epochs: 1, batchSize: 1, optimizer: 'sgd', onBatchEnd: (b) => updates.push(b.batch) });
    expect(updates.length).toBe(200);
    const full = await create(backend);
    const fullHistory = await full.fit(data.x, data.y, { epochs: 3, batchSize: 10_000, optimizer: 'sgd' });
    expect(full.training.step).toBe(3);
    expect(fullHistory.epochs.length).toBe(3);
  });

  it('lets timers run while training (the event loop is never blocked for long)', async () => {
    // enough work that a blocked loop would show: 4000 rows × 64 inputs through 64-128-10
    const random = new Random(1);
    const x = Float32Array.from({ length: 4000 * 64 }, () => random.uniform(-1, 1));
    const y = Uint8Array.from({ length: 4000 }, () => random.int(10));
    const net = await Network.create({ inputs: 64, layers: [{ units: 128, activation: 'relu' }, { units: 10, activation: 'softmax' }], loss: 'cross_entropy', backend: backend as 'js' });
    // size the run for ~1 s on this backend from a warm epoch (a probe that included the warm-up
    // made native runs as short as 234 ms): a blocked loop would then show one long gap
    const probe = await warmFastestMs(() => net.fit(x, y, { epochs: 1, batchSize: 32 }));
    const { elapsed, longestGap, epochs } = await longRunGaps((epochs) => net.fit(x, y, { epochs, batchSize: 32 }), Math.ceil(1000 / Math.max(probe, 1)), 1000);
    expect(elapsed).toBeGreaterThan(250);
    // one batch of 32 takes a few ms at most on any backend, so 100 ms means the loop was blocked
    expect(longestGap, `${epochs} epochs took ${elapsed.toFixed(0)} ms`).toBeLessThan(100);
  });

  it('lets timers run between epochs of a few microseconds too', async () => {
    // 2-4-2 on 20 rows: each epoch is one chunk, so only fit's yields between epochs free the loop
    const random = new Random(2);
    const x = Float32Array.from({ length: 20 * 2 }, () => random.uniform(-1, 1));
    const y = Uint8Array.from({ length: 20 }, () => random.int(2));
    const net = await Network.create({ inputs: 2, layers: [{ units: 4, activation: 'tanh' }, { units: 2, activation: 'softmax' }], loss: 'cross_entropy', backend: backend as 'js' });
    const probe = (await warmFastestMs(() => net.fit(x, y, { epochs: 200, batchSize: 10 }))) / 200;
    const { elapsed, longestGap, epochs } = await longRunGaps((epochs) => net.fit(x, y, { epochs, batchSize: 10 }), Math.ceil(600 / probe), 500_000);
    expect(elapsed).toBeGreaterThan(250);
    expect(longestGap, `${epochs} epochs took ${elapsed.toFixed(0)} ms`).toBeLessThan(100);
  });
});

/**
 * The fastest of three runs of `run` after a warm-up one, in ms: on a shared machine one slow
 * probe made a run sized from it too short.
 */
async function warmFastestMs(run: () => Promise<unknown>): Promise<number> {
  await run();
  let fastest = Infinity;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    await run();
    fastest = Math.min(fastest, performance.now() - started);
  }
  return fastest;
}

/**
 * timerGaps of `fitEpochs(epochs)`, run again up to twice with epochs scaled to ~600 ms (at most
 * `most`) while it took under 250 ms: a probe taken while the machine was busier, or one whose
 * per-fit set-up outweighed its epochs, sizes the run too short to show a blocked loop.
 */
async function longRunGaps(fitEpochs: (epochs: number) => Promise<unknown>, epochs: number, most: number): Promise<{ elapsed: number; longestGap: number; epochs: number }> {
  epochs = Math.min(most, epochs);
  for (let run = 1; ; run++) {
    const gaps = await timerGaps(() => fitEpochs(epochs));
    if (gaps.elapsed > 250 || run === 3 || epochs === most) return { ...gaps, epochs };
    epochs = Math.min(most, Math.ceil((epochs * 600) / Math.max(gaps.elapsed, 1)));
  }
}

/**
 * How long `run` took, and the longest time a 1 ms interval timer went without running meanwhile
 * (to the end of the run too: a loop blocked throughout never runs it at all).
 */
async function timerGaps(run: () => Promise<unknown>): Promise<{ elapsed: number; longestGap: number }> {
  let last = performance.now();
  let longestGap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - last);
    last = now;
  }, 1);
  const started = performance.now();
  try {
    await run();
  } finally {
    clearInterval(timer);
  }
  const ended = performance.now();
  return { elapsed: ended - started, longestGap: Math.max(longestGap, ended - last) };
}
