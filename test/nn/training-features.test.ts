// fit's training features on every backend, through the public API: row and class weights, the
// per-update learning-rate schedules, dropout (training only, reproducible, resumable), the weight
// penalty in the reported loss, soft targets, and saving all of it.
import { describe, expect, it } from 'vitest';
import { Network, type FitOptions, type OptimizerOptions } from '../../src/index.js';
import { spiralsData } from '../../src/data/generators.js';
import { loadableBackendNames } from '../helpers/backends.js';

const data = spiralsData(60, 7); // 120 rows: 4 batches of 32, the last short
const labels = Uint8Array.from(data.y);
const ROWS = labels.length;
const BATCHES = Math.ceil(ROWS / 32);

type Layer = { units: number; activation: 'tanh' | 'relu' | 'softmax'; dropout?: number };
const create = (backend: string, dropout = 0) => Network.create({
  inputs: 2, layers: [{ units: 24, activation: 'tanh', ...(dropout > 0 ? { dropout } : {}) } as Layer, { units: 2, activation: 'softmax' }],
  loss: 'cross_entropy', seed: 11, backend: backend as 'js',
});

/** The weights after `epochs` epochs and every batch's loss. */
async function train(backend: string, options: FitOptions, dropout = 0, epochs = 3): Promise<{ weights: Float32Array; losses: number[]; net: Network }> {
  const net = await create(backend, dropout);
  const losses: number[] = [];
  await net.fit(data.x, labels, { epochs, batchSize: 32, ...options, onBatchEnd: (b) => void losses.push(b.loss) });
  return { weights: net.getWeights(), losses, net };
}

describe.each(await loadableBackendNames())('%s backend: training features', (backend) => {
  it('a row weight of 2 everywhere trains exactly as SGD at twice the rate; class weights act per row', async () => {
    const doubled = await train(backend, { optimizer: { type: 'sgd', lr: 0.2 } });
    const weighted = await train(backend, { optimizer: { type: 'sgd', lr: 0.1 }, sampleWeight: new Float32Array(ROWS).fill(2) });
    expect(weighted.weights).toEqual(doubled.weights);
    weighted.losses.forEach((loss, i) => expect(loss).toBeCloseTo(2 * doubled.losses[i]!, 12));
    const plain = await train(backend, { optimizer: { type: 'sgd', lr: 0.1 } });
    const byClass = await train(backend, { optimizer: { type: 'sgd', lr: 0.1 }, classWeight: { 0: 2, 1: 2 } });
    expect(byClass.weights).toEqual(doubled.weights);
    const perRow = await train(backend, { optimizer: 'adam', sampleWeight: Array.from(labels, (label, r) => (r % 3) * [1, 0.25][label]!) });
    const combined = await train(backend, { optimizer: 'adam', sampleWeight: Array.from(labels, (_, r) => r % 3), classWeight: [1, 0.25] });
    expect(combined.weights).toEqual(perRow.weights);
    expect(combined.weights).not.toEqual(plain.weights);
  });

  it('per-update schedules: each rate is the documented formula, applied update by update', async () => {
    const lr = 0.05;
    const total = 3 * BATCHES, warmup = 5;
    const calls: [number, number][] = [];
    const byHand = await train(backend, {
      optimizer: { type: 'momentum', lr, nesterov: true },
      lrSchedule: {
        type: 'custom',
        lr: (step, epoch) => {
          calls.push([step, epoch]);
          return step <= warmup ? (lr * step) / warmup : lr * 0.5 * (1 + Math.cos((Math.PI * (step - warmup - 0.5)) / (total - warmup)));
        },
      },
    });
    expect(calls).toEqual(Array.from({ length: total }, (_, i) => [i + 1, Math.floor(i / BATCHES) + 1]));
    const named = await train(backend, { optimizer: { type: 'momentum', lr, nesterov: true }, lrSchedule: { type: 'cosine', warmupSteps: warmup } });
    expect(named.weights).toEqual(byHand.weights);
    // a table of one rate trains as that rate without a table
    const constant = await train(backend, { optimizer: { type: 'sgd', lr }, lrSchedule: { type: 'custom', lr: () => lr } });
    expect(constant.weights).toEqual((await train(backend, { optimizer: { type: 'sgd', lr } })).weights);
    const step = await train(backend, { optimizer: { type: 'sgd', lr }, lrSchedule: { type: 'step', stepSize: 2, gamma: 0.5 } });
    const stepByHand = await train(backend, { optimizer: { type: 'sgd', lr }, lrSchedule: { type: 'custom', lr: (t) => lr * 0.5 ** Math.floor((t - 1) / 2) } });
    expect(step.weights).toEqual(stepByHand.weights);
  });

  it('dropout drops in training only, reproducibly from the seed; predict and evaluate never drop', async () => {
    const dropped = await train(backend, { optimizer: 'adam' }, 0.5);
    const again = await train(backend, { optimizer: 'adam' }, 0.5);
    expect(again.weights).toEqual(dropped.weights); // the masks come from the seed and the update number
    expect(again.losses).toEqual(dropped.losses);
    const without = await train(backend, { optimizer: 'adam' });
    expect(dropped.losses[0]).not.toBe(without.losses[0]); // the first batch already sees its mask
    const plain = await create(backend);
    plain.setWeights(dropped.weights);
    expect(dropped.net.predict(data.x)).toEqual(plain.predict(data.x));
    expect(dropped.net.evaluate(data.x, labels)).toEqual(plain.evaluate(data.x, labels));
    expect(dropped.net.evaluate(data.x, labels)).toEqual(dropped.net.evaluate(data.x, labels));
  });

  it('the reported loss includes ½ l2 ‖W‖² + l1 ‖W‖₁ of the weights (not the biases)', async () => {
    const still: OptimizerOptions = { type: 'sgd', lr: 1e-30 }; // updates that change nothing at float32 precision
    const plain = await train(backend, { optimizer: still }, 0, 1);
    const penalised = await train(backend, { optimizer: { ...still, l2: 0.3, l1: 0.02 } }, 0, 1);
    const net = await create(backend);
    const { weights: w1 } = net.layerWeights(0), { weights: w2 } = net.layerWeights(1);
    const weights = [...w1, ...w2];
    const penalty = 0.15 * weights.reduce((sum, w) => sum + w * w, 0) + 0.02 * weights.reduce((sum, w) => sum + Math.abs(w), 0);
    penalised.losses.forEach((loss, i) => expect(loss - plain.losses[i]!).toBeCloseTo(penalty, 5));
    // training with the penalty shrinks the weights
    const decayed = await train(backend, { optimizer: { type: 'adam', weightDecay: 0.5 } });
    const adam = await train(backend, { optimizer: 'adam' });
    const norm = (w: Float32Array) => Math.hypot(...w);
    expect(norm(decayed.weights)).toBeLessThan(norm(adam.weights));
  });

  it('trains on soft targets whose rows do not sum to 1', async () => {
    const soft = Float32Array.from({ length: ROWS * 2 }, (_, i) => ((i % 2) === labels[i >> 1] ? 0.7 : 0.1));
    const net = await create(backend);
    const before = net.evaluate(data.x, soft).loss;
    const history = await net.fit(data.x, soft, { epochs: 20, batchSize: 32, optimizer: { type: 'adam', lr: 0.01 } });
    expect(history.epochs.at(-1)!.loss).toBeLessThan(before);
    expect(net.evaluate(data.x, labels).accuracy).toBeGreaterThan(0.6);
  });

  it('a saved network resumes the same curve with dropout, row weights, clipping and regularisation', async () => {
    const optimizer: OptimizerOptions = { type: 'adam', lr: 0.01, l2: 1e-3, l1: 1e-4, weightDecay: 0.01, clipNorm: 0.5, clipValue: 0.2 };
    const sampleWeight = Float32Array.from(labels, (label) => 1 + label);
    const straight = await train(backend, { optimizer, sampleWeight }, 0.3, 4);
    const first = await create(backend, 0.3);
    const losses: number[] = [];
    await first.fit(data.x, labels, { epochs: 2, batchSize: 32, optimizer, sampleWeight, onBatchEnd: (b) => void losses.push(b.loss) });
    const resumed = await Network.fromBuffer(first.toBuffer(), { backend: backend as 'js' });
    expect(resumed.architecture).toEqual(first.architecture);
    expect(resumed.training.optimizer).toEqual(first.training.optimizer);
    // the optimizer, its regularisation and clipping come back with the file
    await resumed.fit(data.x, labels, { epochs: 2, batchSize: 32, sampleWeight, onBatchEnd: (b) => void losses.push(b.loss) });
    expect(losses).toEqual(straight.losses);
    expect(resumed.getWeights()).toEqual(straight.weights);
  });
});
