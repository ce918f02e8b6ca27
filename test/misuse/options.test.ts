// Bad fit arguments, on every backend: each is refused with an MlpxError naming what was wrong
// (InvalidArgumentError, or DataError for the data), and a refused fit changes nothing — the
// saved bytes (weights, Adam moments, update count, optimizer) are identical before and after,
// so the next save cannot write a half-switched state.
import { describe, expect, it } from 'vitest';
import { DataError, InvalidArgumentError, MlpxError, type FitOptions, type Network } from '../../src/index.js';
import { BACKENDS, CLASSES, classifier, outcome, problem, tally } from './setup.js';

const count = tally('fit arguments');
const { x, y, labels } = problem();

type Case = [name: string, call: (net: Network) => unknown, error: typeof MlpxError, message: RegExp];
const fit = (options: unknown) => (net: Network) => net.fit(x, y, options as FitOptions);
const negative = y.map((v, i) => (i === 4 ? -1 : v));
const unnormalised = y.map((v) => v * 0.5); // rows summing to 0.5

const CASES: Case[] = [
  ['options not an object', fit(5), InvalidArgumentError, /options/],
  ['options null', fit(null), InvalidArgumentError, /options/],
  ['misspelt option', fit({ epoch: 3 }), InvalidArgumentError, /Unknown option 'epoch'/],
  ['epochs 0', fit({ epochs: 0 }), InvalidArgumentError, /epochs/],
  ['epochs NaN', fit({ epochs: Number.NaN }), InvalidArgumentError, /epochs/],
  ['epochs as a string', fit({ epochs: '3' }), InvalidArgumentError, /epochs/],
  ['batchSize 0', fit({ batchSize: 0 }), InvalidArgumentError, /batchSize/],
  ['batchSize 1.5', fit({ batchSize: 1.5 }), InvalidArgumentError, /batchSize/],
  ['batchSize Infinity', fit({ batchSize: Infinity }), InvalidArgumentError, /batchSize/],
  ['unknown optimizer', fit({ optimizer: 'lbfgs' }), InvalidArgumentError, /optimizer.type/],
  ['optimizer 5', fit({ optimizer: 5 }), InvalidArgumentError, /optimizer/],
  ['optimizer null', fit({ optimizer: null }), InvalidArgumentError, /optimizer/],
  ['misspelt optimizer option', fit({ optimizer: { type: 'adam', learningRate: 0.1 } }), InvalidArgumentError, /Unknown option 'learningRate'/],
  ['lr 0', fit({ optimizer: { type: 'sgd', lr: 0 } }), InvalidArgumentError, /optimizer.lr/],
  ['lr 1e300 (infinite as float32)', fit({ optimizer: { type: 'adam', lr: 1e300 } }), InvalidArgumentError, /float32 value is finite/],
  ['lr 1e-50 (zero as float32)', fit({ optimizer: { type: 'sgd', lr: 1e-50 } }), InvalidArgumentError, /optimizer.lr/],
  ['lr NaN', fit({ optimizer: { type: 'momentum', lr: Number.NaN } }), InvalidArgumentError, /optimizer.lr/],
  ['beta1 1', fit({ optimizer: { type: 'adam', beta1: 1 } }), InvalidArgumentError, /optimizer.beta1/],
  ['beta2 1', fit({ optimizer: { type: 'adam', beta2: 1 } }), InvalidArgumentError, /optimizer.beta2/],
  ['beta2 0.999999999 (1 as float32)', fit({ optimizer: { type: 'adam', beta2: 0.999999999 } }), InvalidArgumentError, /optimizer.beta2/],
  ['beta1 -0.1', fit({ optimizer: { type: 'rmsprop', beta1: -0.1 } }), InvalidArgumentError, /optimizer.beta1/],
  ['momentum 1', fit({ optimizer: { type: 'momentum', momentum: 1 } }), InvalidArgumentError, /optimizer.momentum/],
  ['eps 0', fit({ optimizer: { type: 'adam', eps: 0 } }), InvalidArgumentError, /optimizer.eps/],
  ['eps denormal', fit({ optimizer: { type: 'rmsprop', eps: 1e-40 } }), InvalidArgumentError, /smallest normal float32/],
  ['eps negative', fit({ optimizer: { type: 'adam', eps: -1e-8 } }), InvalidArgumentError, /optimizer.eps/],
  ['armijo sigma 1', fit({ optimizer: { type: 'armijo', sigma: 1 } }), InvalidArgumentError, /optimizer.sigma/],
  ['armijo maxBacktracks 1e9', fit({ optimizer: { type: 'armijo', maxBacktracks: 1e9 } }), InvalidArgumentError, /maxBacktracks/],
  ['random episodes 1e9', fit({ optimizer: { type: 'random', episodes: 1e9 } }), InvalidArgumentError, /optimizer.episodes/],
  ['random scale Infinity', fit({ optimizer: { type: 'random', scale: Infinity } }), InvalidArgumentError, /optimizer.scale/],
  ['lrSchedule unknown', fit({ lrSchedule: 'step' }), InvalidArgumentError, /lrSchedule/],
  ['lrSchedule 5', fit({ lrSchedule: 5 }), InvalidArgumentError, /lrSchedule/],
  ['shuffle "yes"', fit({ shuffle: 'yes' }), InvalidArgumentError, /shuffle/],
  ['validationSplit 1.2', fit({ validationSplit: 1.2 }), InvalidArgumentError, /validationSplit/],
  ['validationSplit NaN', fit({ validationSplit: Number.NaN }), InvalidArgumentError, /validationSplit/],
  ['validationSplit leaving no validation row', fit({ validationSplit: 0.001 }), InvalidArgumentError, /at least one row/],
  ['validationData 5', fit({ validationData: 5 }), InvalidArgumentError, /validationData/],
  ['validationData [x]', fit({ validationData: [x] }), InvalidArgumentError, /validationData/],
  ['validationData wrong width', fit({ validationData: [x.subarray(0, 10), labels] }), InvalidArgumentError, /validationData\[0\]/],
  ['validationData with NaN', fit({ validationData: [x.map((v, i) => (i === 3 ? Number.NaN : v)), labels] }), DataError, /validationData\[0\] has a non-finite value/],
  ['validationData and validationSplit', fit({ validationData: [x, labels], validationSplit: 0.2 }), InvalidArgumentError, /not both/],
  ['earlyStopping null', fit({ earlyStopping: null }), InvalidArgumentError, /earlyStopping/],
  ['earlyStopping 5', fit({ earlyStopping: 5 }), InvalidArgumentError, /earlyStopping/],
  ['earlyStopping without patience', fit({ earlyStopping: {} }), InvalidArgumentError, /earlyStopping.patience/],
  ['earlyStopping minDelta NaN', fit({ earlyStopping: { patience: 1, minDelta: Number.NaN } }), InvalidArgumentError, /minDelta/],
  ['earlyStopping minDelta -1', fit({ earlyStopping: { patience: 1, minDelta: -1 } }), InvalidArgumentError, /minDelta/],
  ['earlyStopping restoreBestWeights "no"', fit({ earlyStopping: { patience: 1, restoreBestWeights: 'no' } }), InvalidArgumentError, /restoreBestWeights/],
  ['earlyStopping val_loss without validation', fit({ earlyStopping: { patience: 1, monitor: 'val_loss' } }), InvalidArgumentError, /no validation data/],
  ['onBatchEnd 5', fit({ onBatchEnd: 5 }), InvalidArgumentError, /onBatchEnd/],
  ['onEpochEnd "log"', fit({ onEpochEnd: 'log' }), InvalidArgumentError, /onEpochEnd/],
  ['x an Array', (net) => net.fit(Array.from(x) as unknown as Float32Array, y), InvalidArgumentError, /for x/],
  ['x null', (net) => net.fit(null as unknown as Float32Array, y), InvalidArgumentError, /for x/],
  ['y null', (net) => net.fit(x, null as unknown as Float32Array), InvalidArgumentError, /for y/],
  ['y a Float64Array', (net) => net.fit(x, new Float64Array(y) as unknown as Float32Array), InvalidArgumentError, /for y/],
  ['labels out of range', (net) => net.fit(x, labels.map(() => CLASSES)), DataError, /labels must be in 0..2/],
  ['negative cross-entropy target', (net) => net.fit(x, negative), DataError, /needs targets in \[0, 1\]/],
  ['targets not summing to 1 for softmax + cross-entropy', (net) => net.fit(x, unnormalised), DataError, /row 0 sums to 0.5: softmax with cross_entropy needs each row of targets to sum to 1/],
  ['x with Infinity', (net) => net.fit(x.map((v, i) => (i === 7 ? Infinity : v)), y), DataError, /row 1, column 1/],
  ['empty data', (net) => net.fit(new Float32Array(0), new Uint8Array(0)), DataError, /empty/],
  ['lrSchedule giving no rate for epoch 1, with an optimizer switch', fit({ optimizer: 'sgd', lrSchedule: () => -1 }), InvalidArgumentError, /lrSchedule\(1\)/],
  ['lrSchedule giving Infinity as float32', fit({ lrSchedule: () => 1e39 }), InvalidArgumentError, /lrSchedule\(1\)/],
];

describe.each(BACKENDS)('%s backend: bad fit arguments', (backend) => {
  it(`refuses each of ${CASES.length} bad calls with the right MlpxError, changing nothing`, async () => {
    const net = await classifier(backend);
    await net.fit(x, y, { epochs: 2, batchSize: 8, optimizer: 'adam' }); // Adam moments and an update count to protect
    const before = net.toBuffer();
    for (const [name, call, type, message] of CASES) {
      const error = await outcome(() => call(net));
      count(error);
      expect(error, name).toBeInstanceOf(type);
      expect((error as Error).message, name).toMatch(message);
      expect(net.toBuffer(), `${name} changed the network`).toEqual(before);
    }
  });

  it('a cross-entropy target outside [0, 1] is refused by evaluate too (it would give a negative loss)', async () => {
    const net = await classifier(backend);
    const error = await outcome(() => net.evaluate(x, negative));
    count(error);
    expect(error).toBeInstanceOf(DataError);
  });
});
