// One rule on every backend while a fit runs: a second fit, setWeights, toBuffer, save and
// dispose throw a BusyError before touching anything (even a second fit with bad options), and
// the running fit ends exactly as it would have undisturbed; predict, evaluate and getWeights
// work on a snapshot: the weights at the start of the fit, then at the end of each epoch.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BusyError, type FitOptions, type Network } from '../../src/index.js';
import { BACKENDS, classifier, INPUTS, outcome, problem, tally } from './setup.js';

const count = tally('calls during a fit');
const dir = mkdtempSync(join(tmpdir(), 'mlpx-misuse-'));
const OPTIONS: FitOptions = { epochs: 3, batchSize: 8, optimizer: 'adam' };
/** where the first layer's biases start in the parameter vector (its weights are INPUTS × 10) */
const INPUT_WEIGHTS = INPUTS * 10;

/** Every call that changes the network; each must fail with a BusyError. */
function changingCalls(net: Network, x: Float32Array, y: Float32Array): (() => unknown)[] {
  return [
    () => net.fit(x, y, OPTIONS),
    () => net.fit(x, y, { batchSize: 0 }),
    () => net.fit(x, y, { optimizer: 'sgd', epochs: 1 }),
    () => net.fit(x, y, { optimizer: { type: 'adam', beta1: 1 } }),
    () => net.fit(x.subarray(1), y),
    () => net.setWeights(new Float32Array(net.parameterCount)),
    () => net.setWeights(new Float32Array(1)),
    () => net.toBuffer(),
    () => net.save(join(dir, `${Math.random()}.mlpx`)),
    () => net.dispose(),
  ];
}

async function expectAllBusy(calls: (() => unknown)[]): Promise<void> {
  for (const call of calls) {
    const error = await outcome(call);
    count(error);
    expect(error, String(call)).toBeInstanceOf(BusyError);
  }
}

describe.each(BACKENDS)('%s backend: calls during a fit', (backend) => {
  it('refuses every call that would change the network, and the fit ends as if undisturbed', async () => {
    const { x, y } = problem();
    const undisturbed = await classifier(backend);
    await undisturbed.fit(x, y, OPTIONS);

    const net = await classifier(backend);
    const attempts: Promise<void>[] = [];
    const running = net.fit(x, y, {
      ...OPTIONS,
      onBatchEnd: (b) => { if (b.batch === 2) attempts.push(expectAllBusy(changingCalls(net, x, y))); },
      onEpochEnd: () => expectAllBusy(changingCalls(net, x, y)),
    });
    await expectAllBusy(changingCalls(net, x, y)); // right after the fit started
    const history = await running;
    await Promise.all(attempts);
    expect(history.epochs.length).toBe(3);
    expect(net.training.step).toBe(undisturbed.training.step);
    expect(net.toBuffer()).toEqual(undisturbed.toBuffer());
    // settled: the network is free again
    await net.fit(x, y, { epochs: 1 });
    net.setWeights(net.getWeights());
    net.dispose();
    undisturbed.dispose();
  });

  it('serves predict, evaluate and getWeights from the fit start, then from each finished epoch', async () => {
    const { x, y } = problem(2);
    const net = await classifier(backend);
    const start = { weights: net.getWeights(), outputs: net.predict(x), loss: net.evaluate(x, y).loss };
    const byEpoch: { epoch: number; weights: Float32Array; outputs: Float32Array }[] = [];
    const atEpochEnd: { weights: Float32Array; outputs: Float32Array }[] = [];
    const running = net.fit(x, y, {
      ...OPTIONS,
      onBatchEnd: (b) => byEpoch.push({ epoch: b.epoch, weights: net.getWeights(), outputs: net.predict(x) }),
      onEpochEnd: () => void atEpochEnd.push({ weights: net.getWeights(), outputs: net.predict(x) }),
    });
    expect(net.getWeights()).toEqual(start.weights);
    expect(net.predict(x)).toEqual(start.outputs);
    expect(net.evaluate(x, y).loss).toBe(start.loss);
    expect(net.layerWeights(0).biases).toEqual(start.weights.subarray(INPUT_WEIGHTS, INPUT_WEIGHTS + 10));
    await running;
    expect(atEpochEnd.length).toBe(3);
    for (const seen of byEpoch) {
      const expected = seen.epoch === 1 ? start : atEpochEnd[seen.epoch - 2]!;
      expect(seen.weights).toEqual(expected.weights);
      expect(seen.outputs).toEqual(expected.outputs);
    }
    expect(atEpochEnd[2]!.weights).toEqual(net.getWeights());
    expect(atEpochEnd[2]!.outputs).toEqual(net.predict(x));
    expect(atEpochEnd[0]!.weights).not.toEqual(start.weights);
    net.dispose();
  });
});
