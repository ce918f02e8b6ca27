// Bad input gets a typed error whose message names the argument and what was received.
import { describe, expect, it } from 'vitest';
import { Network, NonFiniteError } from '../../src/index.js';
import { DataError, InvalidArgumentError } from '../../src/util/errors.js';
import { loadableBackendNames } from '../helpers/backends.js';

const layers = [{ units: 4, activation: 'relu' as const }, { units: 3, activation: 'softmax' as const }];
const x = Float32Array.from({ length: 10 * 5 }, (_, i) => Math.sin(i));
const labels = Uint8Array.from({ length: 10 }, (_, i) => i % 3);

describe.each(await loadableBackendNames())('%s backend: bad input', (backend) => {
  const make = () => Network.create({ inputs: 5, layers, loss: 'cross_entropy', backend });

  it('rejects bad architecture options', async () => {
    await expect(Network.create({ inputs: 0, layers, loss: 'mse', backend })).rejects.toThrow(/Expected an integer ≥ 1 for inputs but received 0 \(number\)/);
    await expect(Network.create({ inputs: 5, layers: [], loss: 'mse', backend })).rejects.toThrow(InvalidArgumentError);
    await expect(Network.create({ inputs: 5, layers: [{ units: 3, activation: 'swish' as 'relu' }], loss: 'mse', backend })).rejects.toThrow(/layers\[0\]\.activation but received 'swish'/);
    await expect(Network.create({ inputs: 5, layers, loss: 'hinge' as 'mse', backend })).rejects.toThrow(/for loss but received 'hinge'/);
    await expect(Network.create({ inputs: 5, layers: [{ units: 2.5, activation: 'relu' }, layers[1]!], loss: 'mse', backend })).rejects.toThrow(/layers\[0\]\.units/);
    await expect(Network.create({ inputs: 5, layers: [{ units: 3, activation: 'softmax' }, layers[1]!], loss: 'mse', backend })).rejects.toThrow(/softmax is only supported on the output layer/);
    await expect(Network.create({ inputs: 5, layers: [{ units: 3, activaton: 'tanh' } as never, layers[1]!], loss: 'mse', backend })).rejects.toThrow(/Unknown option 'activaton' in layers\[0\]/);
    await expect(Network.create({ inputs: 5, layers, loss: 'mse', seed: 2 ** 53, backend })).rejects.toThrow(/integer in \[0, 2\^53\) for seed/);
  });

  it('rejects dropout rates outside [0, 1) and dropout on the output layer', async () => {
    for (const rate of [1, 1.5, -0.1, Number.NaN, '0.5']) {
      await expect(Network.create({ inputs: 5, layers: [{ ...layers[0]!, dropout: rate as number }, layers[1]!], loss: 'cross_entropy', backend }), String(rate))
        .rejects.toThrow(/rate in \[0, 1\) for layers\[0\]\.dropout/);
    }
    await expect(Network.create({ inputs: 5, layers: [layers[0]!, { ...layers[1]!, dropout: 0.2 }], loss: 'cross_entropy', backend })).rejects.toThrow(/layers\[1\]\.dropout: only hidden layers drop/);
    const dropping = await Network.create({ inputs: 5, layers: [{ ...layers[0]!, dropout: 0.5 }, layers[1]!], loss: 'cross_entropy', backend });
    await expect(dropping.fit(x, labels, { optimizer: 'armijo' })).rejects.toThrow(/A network with dropout layers needs a gradient optimizer/);
    expect(String(dropping)).toMatch(/5 → 4 relu \(dropout 0\.5\) → 3 softmax/);
  });

  it('rejects wrong array types, lengths, non-finite values, bad labels and empty data', async () => {
    const net = await make();
    await expect(net.fit(Array.from(x) as unknown as Float32Array, labels)).rejects.toThrow(/Float32Array .* for x but received Array\(50\)/);
    await expect(net.fit(new Float64Array(50) as unknown as Float32Array, labels)).rejects.toThrow(/received Float64Array\(50\)/);
    await expect(net.fit(x.subarray(0, 49), labels)).rejects.toThrow(/multiple of 5/);
    const withNaN = x.slice();
    withNaN[3 * 5 + 2] = Number.NaN;
    await expect(net.fit(withNaN, labels)).rejects.toThrow(/x has a non-finite value NaN at row 3, column 2/);
    const withInf = x.slice();
    withInf[7] = Infinity;
    await expect(net.fit(withInf, labels)).rejects.toThrow(DataError);
    await expect(net.fit(x, Uint8Array.of(0, 1, 2, 3, 0, 1, 2, 0, 1, 2))).rejects.toThrow(/y\[3\] is 3: labels must be in 0..2/);
    await expect(net.fit(x, labels.subarray(0, 9))).rejects.toThrow(/10 class labels/);
    await expect(net.fit(x, new Float32Array(29))).rejects.toThrow(/10 × 3 = 30 targets/);
    await expect(net.fit(new Float32Array(0), new Uint8Array(0))).rejects.toThrow(/x is empty/);
    expect(() => net.predict(new Float32Array(7))).toThrow(/multiple of 5/);
    expect(() => net.evaluate(x, Int32Array.of(0, 1, 2, -1, 0, 1, 2, 0, 1, 2))).toThrow(/y\[3\] is -1/);
  });

  it('rejects bad training options', async () => {
    const net = await make();
    await expect(net.fit(x, labels, { batchSize: 0 })).rejects.toThrow(/integer ≥ 1 for batchSize but received 0/);
    await expect(net.fit(x, labels, { epochs: 1.5 })).rejects.toThrow(/for epochs/);
    await expect(net.fit(x, labels, { optimizer: { type: 'sgd', lr: 0 } })).rejects.toThrow(/finite and > 0 for optimizer.lr but received 0/);
    await expect(net.fit(x, labels, { optimizer: { type: 'adam', lr: -1 } })).rejects.toThrow(/optimizer.lr/);
    await expect(net.fit(x, labels, { optimizer: 'lbfgs' as 'sgd' })).rejects.toThrow(/optimizer.type but received 'lbfgs'/);
    await expect(net.fit(x, labels, { validationSplit: 1.2 })).rejects.toThrow(/validationSplit/);
    await expect(net.fit(x, labels, { earlyStopping: { patience: 1, monitor: 'val_loss' } })).rejects.toThrow(/no validation data/);
  });

  it('stops on a non-finite loss, naming epoch, batch and layer, and keeps finite weights', async () => {
    const net = await Network.create({ inputs: 5, layers: [{ units: 4, activation: 'linear' }, { units: 3, activation: 'linear' }], loss: 'mse', backend, seed: 2 });
    net.setWeights(new Float32Array(net.parameterCount).fill(1));
    const huge = x.map(() => 3e38); // finite inputs whose weighted sums (5 × 3e38) overflow float32
    const targets = new Float32Array(30);
    const error = await net.fit(huge, targets, { epochs: 3, batchSize: 4, optimizer: { type: 'sgd', lr: 10 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteError);
    const nonFinite = error as NonFiniteError;
    expect(nonFinite.message).toMatch(/epoch \d+, batch \d+/);
    expect(nonFinite.epoch).toBeGreaterThanOrEqual(1);
    expect(nonFinite.batch).toBeGreaterThanOrEqual(1);
    expect(nonFinite.layer).not.toBeNull();
    expect(nonFinite.message).toMatch(new RegExp(`layer ${nonFinite.layer} `));
    expect(net.getWeights().every(Number.isFinite)).toBe(true);
  });
});
