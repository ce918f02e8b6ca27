// Training throughput, samples/s in steady state: data is generated up front and already in
// each contender's preferred form (bound engine data, batch tensors, numpy arrays), so only
// training is timed. One timed call trains over samplesPerCall rows.
import { Activation } from '../../src/backend/kernels.js';
import { classifierSpec, sigmoidSpec, shapeName, trainCase, VALIDATION_STEPS, type OptimizerName } from '../cases.js';
import { runCase, type TimingOptions } from '../harness.js';
import { trainContenders, type Peers } from '../peers/index.js';
import type { Row } from '../results.js';
import { featureCostRows } from './features.js';

const MNIST_MLP = [784, 128, 10];

export const TRAIN_CASES: readonly { sizes: number[]; batch: number; optimizer: OptimizerName; sigmoid?: true; tanh?: true }[] = [
  { sizes: MNIST_MLP, batch: 32, optimizer: 'sgd' },
  { sizes: MNIST_MLP, batch: 32, optimizer: 'adam' },
  { sizes: MNIST_MLP, batch: 128, optimizer: 'sgd' },
  { sizes: MNIST_MLP, batch: 128, optimizer: 'adam' },
  { sizes: [784, 512, 256, 10], batch: 128, optimizer: 'sgd' },
  // tanh hidden layers: the activation costs more than ReLU's, so its vector code shows here
  { sizes: MNIST_MLP, batch: 128, optimizer: 'sgd', tanh: true },
  // the 2-D playground's network, trained on a whole data set per batch: tall and narrow, so that
  // a second thread pays only where the cores share a die (elsewhere the steps stay on one)
  { sizes: [2, 32, 32, 2], batch: 1000, optimizer: 'adam' },
  // the playground's default network and batch size: steps of a few microseconds, so what a call
  // costs beside its 16 steps (handing it to a thread, reporting progress) shows here
  { sizes: [2, 4, 2, 2], batch: 10, optimizer: 'adam', tanh: true },
  // brain.js's network (sigmoid, per-sample updates), with mlpx on the same work
  { sizes: MNIST_MLP, batch: 1, optimizer: 'sgd', sigmoid: true },
];

export async function trainSuite(peers: Peers, timing: TimingOptions, quick: boolean, record: (rows: Row[]) => void): Promise<void> {
  const contenders = trainContenders(peers);
  for (const t of TRAIN_CASES) {
    const spec = t.sigmoid ? sigmoidSpec(t.sizes) : classifierSpec(t.sizes, t.tanh ? Activation.tanh : Activation.relu);
    const samplesPerCall = t.batch === 1 ? 64 : t.batch * Math.max(VALIDATION_STEPS, quick ? 8 : 16);
    const c = trainCase(spec, t.batch, t.optimizer, samplesPerCall);
    const info = { suite: 'train' as const, shape: shapeName(spec), batch: t.batch, optimizer: t.optimizer, metric: 'samples_per_s' as const, work: samplesPerCall };
    record(await runCase(info, c, contenders, timing));
  }
  record(await featureCostRows(peers, timing, quick));
}
