// Real MNIST (from MLPX_DATA): 784-128-10 ReLU/softmax with Adam. The reference backend trains on
// the first 20,000 images for 2 epochs (≥ 95%); native and wasm on all 60,000 for 3 (≥ 97.5%).
// Adam at 0.003 with per-epoch cosine annealing, batch 32 (the CLI's defaults).
import { describe, expect, it } from 'vitest';
import { loadMnist, Network } from '../../src/index.js';
import { loadableBackendNames } from '../helpers/backends.js';
import { HAVE_MNIST, MNIST_DIR } from '../helpers/mnist.js';

const TARGETS = { js: { rows: 20_000, epochs: 2, accuracy: 0.95 }, native: { rows: 60_000, epochs: 3, accuracy: 0.975 }, wasm: { rows: 60_000, epochs: 3, accuracy: 0.975 } };

describe.runIf(HAVE_MNIST)('real MNIST', async () => {
  const mnist = HAVE_MNIST ? await loadMnist(MNIST_DIR) : null;
  it.each(await loadableBackendNames())('%s backend reaches its test-accuracy target', async (backend) => {
    const target = TARGETS[backend];
    const { train, test } = mnist!;
    expect(train.rows).toBe(60_000);
    expect(test.rows).toBe(10_000);
    const net = await Network.create({ inputs: 784, layers: [{ units: 128, activation: 'relu' }, { units: 10, activation: 'softmax' }], loss: 'cross_entropy', seed: 1, backend });
    await net.fit(train.x.subarray(0, target.rows * 784), train.labels.subarray(0, target.rows), { epochs: target.epochs, batchSize: 32, optimizer: { type: 'adam', lr: 0.003 }, lrSchedule: 'cosine' });
    const { accuracy } = net.evaluate(test.x, test.labels);
    console.log(`[mnist] ${backend}: ${target.rows} rows × ${target.epochs} epochs → test accuracy ${(accuracy! * 100).toFixed(2)}%`);
    expect(accuracy).toBeGreaterThanOrEqual(target.accuracy);
  }, 300_000);
});
