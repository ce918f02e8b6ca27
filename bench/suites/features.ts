// The training features in the bench.
// - train: what each feature adds to a native training step of 784-128-10 at batch 128 (SGD, one
//   thread): plain training and each feature are contenders of one case, timed back to back in
//   every round, and each feature's ratio is to the plain row of the same rounds.
// - mnist: 784-512-512-10 on real MNIST with dropout and a warm-up-then-cosine schedule, beside
//   the same network and schedule without dropout: test accuracy after the recipe's epochs, the
//   training time, and the epoch and time at which test accuracy first reaches 98.5%.
import { createJsBackend } from '../../src/backend/js/index.js';
import type { OptimizerParams } from '../../src/backend/kernels.js';
import type { NetSpec } from '../../src/backend/layout.js';
import { loadMnist, Network } from '../../src/index.js';
import { classifierSpec, shapeName, trainCase, validationLosses, type TrainCase } from '../cases.js';
import { measuredRow, runCase, type CaseInfo, type Contender, type TimingOptions } from '../harness.js';
import { log } from '../log.js';
import { MlpxTrain, selectThreads, type MlpxTarget } from '../peers/mlpx.js';
import type { Peers } from '../peers/index.js';
import type { Row } from '../results.js';
import { mnistDir } from './mnist.js';

interface Feature { name: string; spec?: Partial<NetSpec>; opt?: Partial<OptimizerParams> }

/** Each feature as a user turns it on; dropout on the hidden layer. */
export const FEATURES: readonly Feature[] = [
  { name: 'dropout 0.2', spec: { dropout: [0.2, 0], seed: 1 } },
  { name: 'l2 1e-4', opt: { l2: 1e-4 } },
  { name: 'weight decay 1e-4', opt: { weightDecay: 1e-4 } },
  { name: 'clip norm 1', opt: { clipNorm: 1 } },
];

/** The case with a feature on; its validation losses are the reference backend's with the same feature. */
function withFeature(c: TrainCase, feature: Feature): TrainCase {
  const variant = { ...c, spec: { ...c.spec, ...feature.spec }, opt: { ...c.opt, ...feature.opt } };
  return { ...variant, referenceLosses: validationLosses(createJsBackend().createEngine(variant.spec), variant) };
}

/** An mlpx contender training with one feature on, named after it ("native + dropout 0.2"). */
class FeatureTrain implements Contender<TrainCase> {
  readonly impl = 'mlpx';
  readonly backend: string;
  readonly threads: number;
  readonly #plain: MlpxTrain;
  constructor(target: MlpxTarget, readonly feature: Feature) {
    this.#plain = new MlpxTrain(target);
    this.backend = `${target.name} + ${feature.name}`;
    this.threads = target.threads;
  }
  prepare(c: TrainCase) {
    return this.#plain.prepare(withFeature(c, this.feature));
  }
}

/** The train suite's feature rows: ratios to `mlpx native 1t`, the plain row of the same case. */
export async function featureCostRows(peers: Peers, timing: TimingOptions, quick: boolean): Promise<Row[]> {
  const native = peers.mlpx.find((t) => t.name === 'native' && t.threads === 1);
  if (native === undefined) {
    log('note: the training features are timed on the native backend, which is not measured here');
    return [];
  }
  const spec = classifierSpec([784, 128, 10]);
  const c = trainCase(spec, 128, 'sgd', 128 * (quick ? 8 : 16));
  const info: CaseInfo = { suite: 'train', shape: shapeName(spec), batch: 128, optimizer: 'sgd, each training feature', metric: 'samples_per_s', work: c.samplesPerCall };
  return runCase(info, c, [new MlpxTrain(native), ...FEATURES.map((f) => new FeatureTrain(native, f))], timing);
}

/** The MNIST comparison: the recipe with dropout, and without. */
export const MNIST_DROPOUT = {
  hidden: [512, 512], dropout: 0.3, batch: 128, epochs: 20, lr: 1e-3, warmupSteps: 500, target: 0.985,
} as const;

type MnistMetric = 'test_accuracy' | 'train_seconds' | 'epochs_to_98.5' | 'seconds_to_98.5';

/** One run: test accuracy after each epoch and the training seconds so far. */
async function mnistRun(data: Awaited<ReturnType<typeof loadMnist>>, dropout: number, target: MlpxTarget, seed: number): Promise<{ accuracy: number; seconds: number }[]> {
  const r = MNIST_DROPOUT;
  const net = await Network.create({
    inputs: 784, loss: 'cross_entropy', seed, backend: 'native', threads: target.threads,
    layers: [...r.hidden.map((units) => ({ units, activation: 'relu' as const, ...(dropout > 0 ? { dropout } : {}) })), { units: 10, activation: 'softmax' }],
  });
  const epochs: { accuracy: number; seconds: number }[] = [];
  let seconds = 0;
  await net.fit(data.train.x, data.train.labels, {
    epochs: r.epochs, batchSize: r.batch, optimizer: { type: 'adam', lr: r.lr }, lrSchedule: { type: 'cosine', warmupSteps: r.warmupSteps },
    onEpochEnd: (record) => {
      seconds += record.seconds;
      const accuracy = net.evaluate(data.test.x, data.test.labels).accuracy!;
      epochs.push({ accuracy, seconds });
      log(`  mnist ${dropout > 0 ? `dropout ${dropout}` : 'no dropout'}, seed ${seed}: epoch ${record.epoch} test accuracy ${(100 * accuracy).toFixed(2)}% after ${seconds.toFixed(1)} s of training`);
    },
  });
  net.dispose();
  return epochs;
}

export async function mnistDropoutRows(peers: Peers, quick: boolean): Promise<Row[]> {
  const dir = mnistDir();
  const target = peers.mlpx.filter((t) => t.name === 'native').sort((a, b) => b.threads - a.threads)[0];
  if (dir === undefined || target === undefined) {
    log(`note: the MNIST dropout comparison needs ${dir === undefined ? 'the MNIST files' : 'the native backend'}: skipped`);
    return [];
  }
  await selectThreads(target);
  const data = await loadMnist(dir);
  const r = MNIST_DROPOUT;
  const runs = quick ? 1 : 2;
  log(`mnist: 784-${r.hidden.join('-')}-10 with dropout ${r.dropout} and without, Adam ${r.lr}, ${r.warmupSteps} warm-up updates then cosine, batch ${r.batch}, ${r.epochs} epochs, ${runs} run(s) each`);
  const rows: Row[] = [];
  for (const dropout of [r.dropout, 0]) {
    const values: Record<MnistMetric, number[]> = { test_accuracy: [], train_seconds: [], 'epochs_to_98.5': [], 'seconds_to_98.5': [] };
    for (let run = 1; run <= runs; run++) {
      const epochs = await mnistRun(data, dropout, target, run);
      values.test_accuracy.push(100 * epochs.at(-1)!.accuracy);
      values.train_seconds.push(epochs.at(-1)!.seconds);
      const reached = epochs.findIndex((e) => e.accuracy >= r.target);
      if (reached >= 0) {
        values['epochs_to_98.5'].push(reached + 1);
        values['seconds_to_98.5'].push(epochs[reached]!.seconds);
      }
    }
    const shape = `784-${r.hidden.join('-')}-10${dropout > 0 ? `, dropout ${dropout}` : ', no dropout'}`;
    for (const [metric, measured] of Object.entries(values) as [MnistMetric, number[]][]) {
      if (measured.length === runs) {
        const info: CaseInfo = { suite: 'mnist', shape, batch: r.batch, optimizer: `adam, ${r.warmupSteps}-update warm-up then cosine, ${r.epochs} epochs`, metric, work: 0 };
        rows.push(measuredRow(info, { impl: 'mlpx', backend: 'native', threads: target.threads }, measured));
      } else {
        log(`note: ${shape} reached ${100 * r.target}% test accuracy in ${measured.length} of ${runs} runs: no ${metric} row`);
      }
    }
  }
  return rows;
}
