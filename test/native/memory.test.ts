// Memory must stay flat over many epochs: every epoch here binds fresh 4 MB arrays, so a worker,
// reference or buffer leaked per epoch would grow the process by hundreds of MB over 100 epochs.
// And memory running out where only speed depends on it must cost speed, not the process.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { STATS_PER_BATCH } from '../../src/backend/engine.js';
import { Activation, Loss, Optimizer } from '../../src/backend/kernels.js';
import { packSpec, paramLayout, type NetSpec } from '../../src/backend/layout.js';
import { NativeEngine } from '../../src/backend/native/engine.js';
import { loadAddonFile } from '../../src/backend/native/load.js';
import { Random } from '../../src/util/prng.js';
import { randomArray, randomOneHot } from '../helpers/random.js';
import { addon } from './addon.js';
import { canLimitAddressSpace, underAddressLimit } from './address-limit.js';

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

// Allocations that fail in a child process capped just above what it uses (address-limit.ts).
// NetCore::workspace_floats, in bytes: per row twice the widest layer, the outputs, a row weight,
// and z and a of every layer.
function workspaceBytes(sizes: readonly number[], rows: number): number {
  const layers = sizes.slice(1).reduce((sum, units) => sum + 2 * units, 0);
  return rows * (2 * Math.max(...sizes) + sizes[sizes.length - 1]! + 1 + layers) * 4;
}
/** A child's source line making `net`, a native Net of `spec`. */
const newNet = (spec: NetSpec): string => `const net = new addon.Net(Int32Array.from(${JSON.stringify(Array.from(packSpec(spec)))}));`;

/** A child's source lines: 2 pool threads, and `net` with small deterministic parameters. */
const netOnTwoThreads = (spec: NetSpec): string => `
      addon.setThreads(2);
      ${newNet(spec)}
      net.writeParams(Float32Array.from({ length: ${paramLayout(spec.sizes).count} }, (_, i) => Math.sin(i) * 0.02));`;

if (!canLimitAddressSpace) console.log('[native] out-of-memory tests skipped: needs Linux and prlimit (util-linux) to lower a limit');
describe.skipIf(addon === undefined || !canLimitAddressSpace)('native: memory running out', () => {
  // reserve() also grows, beside the workspace, the buffer where a forward GEMM split by K blocks
  // keeps each block's product (native/matmul.cc): for 4312 inputs (11 K blocks of 392) into 4000
  // units and 100 rows, 16 MiB, where the workspace takes 6.4 MiB. A child capped 4 MiB above its
  // use plus the workspace has room for the workspace alone. reserve must then succeed, and the
  // split fall back to one that needs no buffer (by columns: the same bits as one thread).
  it('lets reserve succeed without the split buffer, and 2 threads give the bits of 1', () => {
    const spec: NetSpec = { sizes: [4312, 4000, 10], activations: [Activation.relu, Activation.softmax], loss: Loss.cross_entropy };
    const rows = 100;
    const setup = `${netOnTwoThreads(spec)}
      const x = Float32Array.from({ length: ${rows * 4312} }, (_, i) => Math.cos(i));
      const two = new Float32Array(${rows * 10}), one = new Float32Array(${rows * 10});`;
    const result = underAddressLimit(loadAddonFile().file, setup, workspaceBytes(spec.sizes, rows) + 4 * MB, `[
      outcome(() => net.reserve(${rows})),
      outcome(() => net.forward(x, ${rows}, two)),
      outcome(() => (addon.setThreads(1), net.forward(x, ${rows}, one))),
      Buffer.from(two.buffer).equals(Buffer.from(one.buffer)), two.every(Number.isFinite), two[0] !== two[1],
    ]`);
    expect(result).toEqual(['returned undefined', 'returned undefined', 'returned undefined', true, true, true]);
  });

  it('names the buffer that did not fit: the workspace of a batch', () => {
    const spec: NetSpec = { sizes: [784, 128, 10], activations: [Activation.relu, Activation.softmax], loss: Loss.cross_entropy };
    const rows = 1000;  // a 7.4 MB workspace
    const setup = newNet(spec);
    const result = underAddressLimit(loadAddonFile().file, setup, 1 * MB, `[outcome(() => net.reserve(${rows})), outcome(() => net.reserve(1))]`);
    expect(result).toEqual([
      `native backend: could not allocate ${workspaceBytes(spec.sizes, rows)} bytes for the workspace of a batch of ${rows} rows`,
      'returned undefined',
    ]);
  });

  // predict packs each layer's W into the GEMM's micro-panels once (784 × 20,000 floats: 63 MB
  // here), which a child capped 8 MiB above its use cannot allocate: an error naming the copy,
  // each time predict tries again, while the forward pass, which reads W in place, still works.
  it('names predict\'s packed weights when they do not fit, and the forward pass goes on', () => {
    const spec: NetSpec = { sizes: [784, 20_000, 10], activations: [Activation.relu, Activation.softmax], loss: Loss.cross_entropy };
    const setup = `${netOnTwoThreads(spec)}
      net.reserve(1);
      const x = Float32Array.from({ length: 784 }, (_, i) => Math.cos(i)), out = new Float32Array(10);`;
    const result = underAddressLimit(loadAddonFile().file, setup, 8 * MB, `[
      outcome(() => net.predict(x, 1, out)), outcome(() => net.predict(x, 1, out)),
      outcome(() => net.forward(x, 1, out)), out.every(Number.isFinite) && out[0] !== out[1],
    ]`);
    const refused = `native backend: could not allocate ${784 * 20_000 * 4} bytes for predict's packed weights`;
    expect(result).toEqual([refused, refused, 'returned undefined', true]);
  });

  // predict keeps, per thread, a block of rows' hidden activations (48 rows of 100,000 units: 19 MB),
  // which a child capped 8 MiB above its use cannot allocate, on the caller or on the pool's
  // worker: an error, then prediction goes on (one row needs 0.4 MB). A one-row predict before the
  // cap packs the weights (0.4 MB), so the capped calls allocate only activations.
  it('makes predict throw when a block of activations does not fit, and go on afterwards', () => {
    const spec: NetSpec = { sizes: [1, 100_000, 1], activations: [Activation.relu, Activation.linear], loss: Loss.sse };
    const rows = 100;
    const setup = `${netOnTwoThreads(spec)}
      net.reserve(${rows});
      const x = Float32Array.from({ length: ${rows} }, (_, i) => Math.cos(i)), out = new Float32Array(${rows});
      net.predict(x, 1, out);`;
    const result = underAddressLimit(loadAddonFile().file, setup, 8 * MB, `[
      outcome(() => net.predict(x, ${rows}, out)),
      outcome(() => net.predict(x, 1, out)), Number.isFinite(out[0]) && out[0] !== 0,
    ]`);
    expect(result).toEqual([
      'native backend: predict: out of memory for the activations of a block of rows in a hidden layer of 100000 units',
      'returned undefined', true,
    ]);
  });
});
