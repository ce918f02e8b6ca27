// Net.predict (native/inference.cc) runs rows through every layer in blocks, with the weights
// packed once and no training workspace. It must give exactly the training forward pass's bits, on
// every kernel path, for any row count and thread count, and see every weight change at once.
import { availableParallelism } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { Activation, Loss, Optimizer } from '../../src/backend/kernels.js';
import { packSpec, paramLayout, type NetSpec } from '../../src/backend/layout.js';
import { InvalidArgumentError } from '../../src/util/errors.js';
import { Random } from '../../src/util/prng.js';
import { randomArray } from '../helpers/random.js';
import { addon } from './addon.js';
import { firstDifference } from './bits.js';

const SPECS: NetSpec[] = [
  { sizes: [784, 128, 10], activations: [Activation.relu, Activation.softmax], loss: Loss.cross_entropy },
  { sizes: [13, 7, 3], activations: [Activation.tanh, Activation.sigmoid], loss: Loss.binary_cross_entropy },
  { sizes: [37, 64, 33, 5], activations: [Activation.leaky_relu, Activation.linear, Activation.softmax], loss: Loss.cross_entropy },
  { sizes: [5, 1], activations: [Activation.linear], loss: Loss.mse },
  // rows of x, of W and of the hidden layer 4 KiB apart (native copies A micro-panels then)
  { sizes: [1024, 1024, 7], activations: [Activation.relu, Activation.softmax], loss: Loss.cross_entropy },
];
// 1, a prime, one block and one more row, and enough rows for many blocks on every thread
const ROWS = [1, 2, 13, 48, 49, 1024];

function network(spec: NetSpec) {
  const net = new addon!.Net(packSpec(spec));
  net.writeParams(randomArray(new Random(spec.sizes[0]!), paramLayout(spec.sizes).count, -0.3, 0.3));
  net.reserve(Math.max(...ROWS));
  return net;
}

describe.skipIf(addon === undefined)('native: predict', () => {
  const initialPath = addon?.kernelPath() ?? 'portable';
  afterAll(() => {
    addon!.setKernelPath(initialPath);
    addon!.setThreads(availableParallelism());
  });

  it.each(SPECS.map((spec) => [spec.sizes.join('-'), spec] as const))('%s: the training forward pass\'s bits on every path, row count and thread count', (_, spec) => {
    const net = network(spec);
    const inputs = spec.sizes[0]!;
    const outputs = spec.sizes.at(-1)!;
    for (const path of addon!.kernelPaths()) {
      addon!.setKernelPath(path);
      for (const rows of ROWS) {
        const x = randomArray(new Random(rows), rows * inputs, 0, 1);
        addon!.setThreads(1);
        net.reserve(rows);
        const expected = new Float32Array(rows * outputs);
        net.forward(x, rows, expected);
        for (const threads of [1, 2, 3]) {
          addon!.setThreads(threads);
          const out = new Float32Array(rows * outputs).fill(Number.NaN);
          net.predict(x, rows, out);
          expect(firstDifference(out, expected), `${path}, ${rows} rows, ${threads} threads`).toBe(-1);
        }
      }
    }
  });

  it('sees every change of the weights in the very next call: writeParams, trainStep, trainEpoch', async () => {
    const spec = SPECS[0]!;
    const net = network(spec);
    const rows = 49; // two blocks of rows on two threads
    const x = randomArray(new Random(2), rows * 784, 0, 1);
    const y = new Float32Array(rows * 10).map((_, i) => (i % 10 === Math.floor(i / 10) % 10 ? 1 : 0));
    const opt = Float64Array.of(Optimizer.sgd, 0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    const order = Uint32Array.from({ length: rows }, (_, i) => i);
    let previous = new Float32Array(rows * 10);
    net.predict(x, rows, previous); // packs the weights
    const changes: [string, () => unknown][] = [
      ['writeParams', () => {
        const params = net.readParams();
        params[paramLayout(spec.sizes).layers[0]!.weightOffset + 5]! += 0.25; // a weight of the packed first layer
        net.writeParams(params);
      }],
      ['trainStep', () => net.trainStep(x, y, null, rows, opt, 1, new Float64Array(4))],
      ['trainEpoch on a worker thread', () => net.trainEpoch(x, y, null, rows, order, 16, opt, null, 2, new Float64Array(16))],
      ['trainEpoch now', () => net.trainEpoch(x, y, null, rows, order, 16, opt, null, 6, new Float64Array(16), undefined, true)],
    ];
    for (const [change, run] of changes) {
      await run();
      for (const threads of [1, 2]) {
        addon!.setThreads(threads);
        const expected = new Float32Array(rows * 10);
        net.forward(x, rows, expected);
        const out = new Float32Array(rows * 10);
        net.predict(x, rows, out);
        expect(firstDifference(out, expected), `after ${change}, ${threads} threads`).toBe(-1);
        expect(firstDifference(out, previous), `after ${change}: unchanged`).not.toBe(-1);
      }
      previous = new Float32Array(rows * 10);
      net.predict(x, rows, previous);
    }
  });

  it('rejects arrays too short for the rows, and zero rows, with an InvalidArgumentError', () => {
    const net = network(SPECS[1]!);
    expect(() => net.predict(new Float32Array(12), 1, new Float32Array(3))).toThrow(InvalidArgumentError);
    expect(() => net.predict(new Float32Array(13), 1, new Float32Array(2))).toThrow(InvalidArgumentError);
    expect(() => net.predict(new Float32Array(13), 0, new Float32Array(3))).toThrow(InvalidArgumentError);
    expect(() => net.predict(new Float64Array(13) as unknown as Float32Array, 1, new Float32Array(3))).toThrow(InvalidArgumentError);
  });
});
