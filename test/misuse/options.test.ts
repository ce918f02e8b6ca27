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
const above = y.map((v, i) => (i === 5 ? 1.5 : v));
const weights = (value: number, at = 3) => Float32Array.from({ length: labels.length }, (_, i) => (i === at ? value : 1));

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
  ['lrSchedule of an unknown type', fit({ lrSchedule: { type: 'linear' } }), InvalidArgumentError, /lrSchedule.type/],
  ['lrSchedule with a misspelt option', fit({ lrSchedule: { type: 'cosine', warmup: 10 } }), InvalidArgumentError, /Unknown option 'warmup' in lrSchedule/],
  ['lrSchedule warmupSteps -1', fit({ lrSchedule: { type: 'cosine', warmupSteps: -1 } }), InvalidArgumentError, /lrSchedule.warmupSteps/],
  ['lrSchedule step without stepSize', fit({ lrSchedule: { type: 'step' } }), InvalidArgumentError, /lrSchedule.stepSize/],
  ['lrSchedule step gamma 0', fit({ lrSchedule: { type: 'step', stepSize: 2, gamma: 0 } }), InvalidArgumentError, /lrSchedule.gamma/],
  ['lrSchedule exponential decayRate 2', fit({ lrSchedule: { type: 'exponential', decaySteps: 5, decayRate: 2 } }), InvalidArgumentError, /lrSchedule.decayRate/],
  ['lrSchedule custom without a function', fit({ lrSchedule: { type: 'custom', lr: 0.1 } }), InvalidArgumentError, /lrSchedule.lr/],
  // checked for every update before training: the NaN comes at the last update of the last epoch
  ['lrSchedule custom returning NaN at update 12', fit({ epochs: 2, batchSize: 8, lrSchedule: { type: 'custom', lr: (step: number) => (step === 12 ? Number.NaN : 0.01) } }),
    InvalidArgumentError, /lrSchedule at update 12 \(epoch 2\)/],
  ['lrSchedule custom returning 0', fit({ lrSchedule: { type: 'custom', lr: () => 0 } }), InvalidArgumentError, /lrSchedule at update 1 /],
  ['a per-update lrSchedule with armijo', fit({ optimizer: 'armijo', lrSchedule: { type: 'cosine' } }), InvalidArgumentError, /per-update lrSchedule needs a gradient optimizer/],
  ['l2 negative', fit({ optimizer: { type: 'adam', l2: -0.1 } }), InvalidArgumentError, /optimizer.l2/],
  ['l1 NaN', fit({ optimizer: { type: 'sgd', l1: Number.NaN } }), InvalidArgumentError, /optimizer.l1/],
  ['weightDecay 1e39 (infinite as float32)', fit({ optimizer: { type: 'adam', weightDecay: 1e39 } }), InvalidArgumentError, /optimizer.weightDecay/],
  ['clipNorm 0', fit({ optimizer: { type: 'adam', clipNorm: 0 } }), InvalidArgumentError, /optimizer.clipNorm/],
  ['clipNorm -1', fit({ optimizer: { type: 'sgd', clipNorm: -1 } }), InvalidArgumentError, /optimizer.clipNorm/],
  ['clipValue Infinity', fit({ optimizer: { type: 'rmsprop', clipValue: Infinity } }), InvalidArgumentError, /optimizer.clipValue/],
  ['nesterov "yes"', fit({ optimizer: { type: 'momentum', nesterov: 'yes' } }), InvalidArgumentError, /optimizer.nesterov/],
  ['nesterov with adam', fit({ optimizer: { type: 'adam', nesterov: true } }), InvalidArgumentError, /Unknown option 'nesterov'/],
  ['l2 with armijo', fit({ optimizer: { type: 'armijo', l2: 0.1 } }), InvalidArgumentError, /Unknown option 'l2'/],
  ['sampleWeight of the wrong length', fit({ sampleWeight: new Float32Array(5) }), InvalidArgumentError, /sampleWeight/],
  ['sampleWeight a string', fit({ sampleWeight: 'ones' }), InvalidArgumentError, /sampleWeight/],
  ['sampleWeight negative', fit({ sampleWeight: weights(-1) }), DataError, /Expected a number ≥ 0 whose float32 value is finite for sampleWeight\[3\] but received -1 /],
  ['sampleWeight NaN', fit({ sampleWeight: weights(Number.NaN, 7) }), DataError, /for sampleWeight\[7\] but received NaN /],
  ['sampleWeight 1e39 in an array (infinite as float32)', fit({ sampleWeight: Array.from(weights(1), (w, i) => (i === 2 ? 1e39 : w)) }), DataError, /float32 value is finite for sampleWeight\[2\] but received 1e\+39 /],
  ['sampleWeight all 0', fit({ sampleWeight: new Float32Array(labels.length) }), DataError, /every training row weight 0/],
  ['classWeight for class 3 of 3', fit({ classWeight: { 3: 2 } }), InvalidArgumentError, /classes 0..2/],
  ['classWeight negative', fit({ classWeight: [1, -2, 1] }), DataError, /for classWeight\[1\] but received -2 /],
  ['sampleWeight with random search', fit({ optimizer: 'random', sampleWeight: weights(2) }), InvalidArgumentError, /sampleWeight needs a gradient optimizer/],
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
  ['cross-entropy target above 1', (net) => net.fit(x, above), DataError, /has 1.5 at row 1, column 2: cross_entropy needs targets in \[0, 1\]/],
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
