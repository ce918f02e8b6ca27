// Memory must stay flat over many epochs: every epoch here binds fresh 4 MB arrays, so a worker,
// reference or buffer leaked per epoch would grow the process by hundreds of MB over 100 epochs.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { STATS_PER_BATCH } from '../../src/backend/engine.js';
import { Activation, Loss, Optimizer } from '../../src/backend/kernels.js';
import { paramLayout, type NetSpec } from '../../src/backend/layout.js';
import { NativeEngine } from '../../src/backend/native/engine.js';
import { Random } from '../../src/util/prng.js';
import { randomArray, randomOneHot } from '../helpers/random.js';
import { addon } from './addon.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const SPEC: NetSpec = { sizes: [250, 32, 4], activations: [Activation.relu, Activation.softmax], loss: Loss.cross_entropy };
const ROWS = 4000;
const MB = 1024 * 1024;

describe.skipIf(addon === undefined)('native: memory', () => {
  it('stays flat across 100 epochs (RSS and array buffers)', async () => {
    const random = new Random(11);
    const engine = new NativeEngine(SPEC, addon!);
    engine.writeParams(randomArray(random, paramLayout(SPEC.sizes).count, -0.1, 0.1));
    const template = randomArray(random, ROWS * 250);
    const labels = randomOneHot(random, ROWS, 4);
    const order = random.shuffle(Uint32Array.from({ length: ROWS }, (_, i) => i));
    const stats = new Float64Array(Math.ceil(ROWS / 100) * STATS_PER_BATCH);
    const opt = { kind: Optimizer.momentum, lr: 0.01, beta1: 0.9, beta2: 0, eps: 0 };
    // A finished epoch's worker is destroyed a few event-loop turns later (its thread-safe
    // function finalises asynchronously), releasing its hold on that epoch's arrays: let it.
    // Sample once collection has settled: repeat (event-loop turns, gc) until array-buffer memory
    // stops falling, so late finalisers do not count as growth.
    const sample = async () => {
      let previous = Infinity;
      for (let round = 0; round < 20; round++) {
        for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
        gc();
        const buffers = process.memoryUsage().arrayBuffers;
        if (buffers >= previous) break;
        previous = buffers;
      }
      const usage = process.memoryUsage();
      return { rss: usage.rss, buffers: usage.arrayBuffers };
    };
    const output = new Float32Array(100 * 4);
    let baseline = await sample();
    for (let epoch = 0; epoch < 100; epoch++) {
      const data = engine.bindData(template.slice(), labels.slice(), ROWS);
      let progressCalls = 0;
      const batches = await engine.trainEpoch(data, order, 100, opt, epoch * 40 + 1, stats, () => { progressCalls++; });
      data.release();
      expect(batches).toBe(40);
      expect(progressCalls).toBeGreaterThan(0);
      engine.forward(template, 100, output);
      if (epoch === 9) baseline = await sample();
    }
    const end = await sample();
    const growth = { rss: (end.rss - baseline.rss) / MB, buffers: (end.buffers - baseline.buffers) / MB };
    console.log(`[native] growth over epochs 10–100: RSS ${growth.rss.toFixed(1)} MB, array buffers ${growth.buffers.toFixed(1)} MB`);
    // A leak of each epoch's arrays would add ~360 MB; allocator and heap noise stay far below these.
    expect(growth.buffers).toBeLessThan(16);
    expect(growth.rss).toBeLessThan(64);
    expect(Number.isFinite(stats[0]!)).toBe(true);
  });
});
