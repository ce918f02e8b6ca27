// Time to accuracy on real MNIST: the documented recipe (MNIST_RECIPE, the command
// recipeCommand() prints), run through the public API exactly as `mlpx train` runs it, and
// TensorFlow.js on the same recipe. The clock covers the training epochs only, as `mlpx train`'s
// trainSeconds does: not loading the files, not the test-set check after each epoch. A run's
// time to 97% and 98% is the training time up to the end of the first epoch whose test accuracy
// reaches it. Accuracy is computed here from each contender's predictions (argmax against the
// labels), never taken from the contender's own count. Run r uses seed r: mlpx's initialisation
// and shuffles, and tfjs starts from the same initial weights.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { loadMnist, Network } from '../../src/index.js';
import { oneHot, permutation } from '../data.js';
import { errorRow, measuredRow, type CaseInfo } from '../harness.js';
import { log } from '../log.js';
import { MNIST_RECIPE, recipeCommand } from '../recipe.js';
import type { Peers } from '../peers/index.js';
import { selectThreads } from '../peers/mlpx.js';
import { buildModel } from '../peers/tfjs.js';
import { classifierSpec } from '../cases.js';
import type { Row } from '../results.js';

export const MNIST_SIZES = [784, ...MNIST_RECIPE.hidden, 10];
const TARGETS = [0.97, 0.98] as const;
const METRICS = { 0.97: 'seconds_to_97', 0.98: 'seconds_to_98' } as const;

interface Mnist { trainX: Float32Array; trainLabels: Uint8Array; testX: Float32Array; testLabels: Uint8Array; trainRows: number; testRows: number }

export function mnistDir(): string | undefined {
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const candidates = [
    ...(process.env.MLPX_DATA ? [path.join(process.env.MLPX_DATA, 'mnist'), process.env.MLPX_DATA] : []),
    path.join(repo, '..', 'shared', 'data', 'mnist'),
  ];
  return candidates.find((dir) => existsSync(path.join(dir, 'train-images-idx3-ubyte.gz')) || existsSync(path.join(dir, 'train-images-idx3-ubyte')));
}

/** The learning rate of the recipe's schedule in a 1-based epoch (Network.fit's cosine schedule). */
function recipeRate(epoch: number): number {
  return MNIST_RECIPE.lr * 0.5 * (1 + Math.cos((Math.PI * (epoch - 0.5)) / MNIST_RECIPE.epochs));
}

/** Predicts the test rows; the caller counts. */
type Predict = (x: Float32Array, rows: number) => Float32Array;

function accuracy(predict: Predict, data: Mnist): number {
  const chunk = 1000;
  let correct = 0;
  for (let start = 0; start < data.testRows; start += chunk) {
    const rows = Math.min(chunk, data.testRows - start);
    const p = predict(data.testX.subarray(start * 784, (start + rows) * 784), rows);
    for (let r = 0; r < rows; r++) {
      let best = 0;
      for (let c = 1; c < 10; c++) if (p[r * 10 + c]! > p[r * 10 + best]!) best = c;
      if (best === data.testLabels[start + r]) correct++;
    }
  }
  return correct / data.testRows;
}

/**
 * One run of the recipe. `epochEnd` gets the training seconds so far and the test accuracy after
 * each epoch, and returns true to stop (the time cap).
 */
type EpochEnd = (seconds: number, accuracy: number) => boolean;
interface MnistContender { impl: 'mlpx' | 'tfjs'; backend: string; threads: number; run(seed: number, data: Mnist, epochEnd: EpochEnd): Promise<void> }

async function recipeNetwork(seed: number, backend: 'native' | 'wasm', threads?: number): Promise<Network> {
  return Network.create({
    inputs: 784,
    layers: [...MNIST_RECIPE.hidden.map((units) => ({ units, activation: 'relu' as const })), { units: 10, activation: 'softmax' as const }],
    loss: 'cross_entropy', seed, backend, ...(threads === undefined ? {} : { threads }),
  });
}

function mlpxContender(target: Peers['mlpx'][number]): MnistContender {
  const backend = target.name as 'native' | 'wasm';
  return {
    impl: 'mlpx', backend, threads: target.threads,
    async run(seed, data, epochEnd) {
      await selectThreads(target); // workers running before the clock starts
      const net = await recipeNetwork(seed, backend, target.threads);
      let seconds = 0;
      await net.fit(data.trainX, data.trainLabels, {
        epochs: MNIST_RECIPE.epochs, batchSize: MNIST_RECIPE.batch, optimizer: { type: MNIST_RECIPE.optimizer, lr: MNIST_RECIPE.lr },
        lrSchedule: MNIST_RECIPE.schedule,
        // record.seconds is the epoch's training time, taken before this callback runs
        onEpochEnd: (record) => !epochEnd((seconds += record.seconds), accuracy((x, rows) => net.predict(x), data)),
      });
    },
  };
}

function tfjsContender(backend: 'cpu' | 'wasm', threads: number): MnistContender {
  return {
    impl: 'tfjs', backend, threads,
    async run(seed, data, epochEnd) {
      await tf.setBackend(backend);
      // the same initial weights as mlpx's run with this seed
      const model = buildModel(classifierSpec(MNIST_SIZES), (await recipeNetwork(seed, 'wasm')).getWeights());
      const optimizer = tf.train.adam(recipeRate(1), 0.9, 0.999, 1e-8); // Network.fit's Adam defaults
      const trainY = oneHot(data.trainLabels, 10);
      const batch = MNIST_RECIPE.batch;
      const batchX = new Float32Array(batch * 784);
      const batchY = new Float32Array(batch * 10);
      const predict: Predict = (xs, rows) => {
        const t = tf.tidy(() => model.apply(tf.tensor2d(xs, [rows, 784])) as tf.Tensor);
        const out = t.dataSync() as Float32Array;
        t.dispose();
        return out;
      };
      let seconds = 0;
      try {
        for (let epoch = 1; epoch <= MNIST_RECIPE.epochs; epoch++) {
          // the schedule's rate for this epoch (tfjs keeps it in a protected field)
          (optimizer as unknown as { learningRate: number }).learningRate = recipeRate(epoch);
          const started = performance.now();
          // Batches are gathered on the JS side and handed over as small tensors: on the wasm
          // backend, tf.gather/slice of 64 rows out of the 60k-row tensor measured 50–200 ms each.
          const order = permutation(data.trainRows, 1000 * seed + epoch);
          for (let start = 0; start < data.trainRows; start += batch) {
            const rows = Math.min(batch, data.trainRows - start);
            for (let r = 0; r < rows; r++) {
              const row = order[start + r]!;
              batchX.set(data.trainX.subarray(row * 784, (row + 1) * 784), r * 784);
              batchY.set(trainY.subarray(row * 10, (row + 1) * 10), r * 10);
            }
            const xb = tf.tensor2d(batchX.subarray(0, rows * 784), [rows, 784]);
            const yb = tf.tensor2d(batchY.subarray(0, rows * 10), [rows, 10]);
            optimizer.minimize(() => tf.losses.softmaxCrossEntropy(yb, model.apply(xb) as tf.Tensor) as tf.Scalar);
            tf.dispose([xb, yb]);
            if (start % (batch * 100) === 0) log(`  tfjs ${backend} seed ${seed}: epoch ${epoch}, batch ${start / batch}`, true);
          }
          seconds += (performance.now() - started) / 1000;
          if (epochEnd(seconds, accuracy(predict, data))) break;
        }
      } finally {
        model.dispose();
        optimizer.dispose();
      }
    },
  };
}

export interface MnistOptions { runs: number; capSeconds: number }

/** Training seconds to each target in one run (undefined where the run did not reach it). */
async function oneRun(who: MnistContender, data: Mnist, seed: number, opts: MnistOptions): Promise<(number | undefined)[]> {
  const reached: (number | undefined)[] = TARGETS.map(() => undefined);
  const what = `  ${who.impl} ${who.backend} ${who.threads}t seed ${seed}`;
  let epoch = 0;
  await who.run(seed, data, (seconds, acc) => {
    epoch++;
    TARGETS.forEach((target, i) => { if (reached[i] === undefined && acc >= target) reached[i] = seconds; });
    log(`${what}: epoch ${epoch} test accuracy ${(acc * 100).toFixed(2)}% after ${seconds.toFixed(2)} s of training`);
    const capped = seconds > opts.capSeconds;
    if (capped) log(`${what}: stopped at the ${opts.capSeconds} s cap`);
    return capped;
  });
  return reached;
}

export async function mnistSuite(peers: Peers, opts: MnistOptions): Promise<Row[]> {
  const dir = mnistDir();
  if (dir === undefined) {
    log('note: mnist suite skipped: no MNIST files in $MLPX_DATA/mnist or ../shared/data/mnist');
    return [];
  }
  log(`mnist: loading ${dir}`);
  const m = await loadMnist(dir);
  const data: Mnist = { trainX: m.train.x, trainLabels: m.train.labels, trainRows: m.train.rows, testX: m.test.x, testLabels: m.test.labels, testRows: m.test.rows };
  const contenders: MnistContender[] = [
    // all cores per mlpx backend: the configuration a user gets by default
    ...peers.mlpx.filter((t) => t.name !== 'js' && !peers.mlpx.some((o) => o.name === t.name && o.threads > t.threads)).map(mlpxContender),
    ...peers.tfjs.filter((b) => b.name === 'wasm').map((b) => tfjsContender(b.name, b.threads)),
  ];
  log('note: mnist leaves out mlpx js (the reference loops take minutes per 60k-sample epoch) and tfjs cpu (~50× slower than tfjs wasm)');
  log(`mnist: the recipe \`${recipeCommand(dir)}\`, seeds 1–${opts.runs}, ≤ ${opts.capSeconds} s of training per run`);
  const times = contenders.map(() => TARGETS.map((): number[] => []));
  const failed = new Map<MnistContender, string>();
  for (let run = 0; run < opts.runs; run++) {
    for (let i = 0; i < contenders.length; i++) {
      const index = (i + run) % contenders.length;
      const who = contenders[index]!;
      if (failed.has(who)) continue;
      try {
        const reached = await oneRun(who, data, run + 1, opts);
        reached.forEach((seconds, t) => { if (seconds !== undefined) times[index]![t]!.push(seconds); });
      } catch (error) {
        failed.set(who, (error as Error).message);
      }
    }
  }
  const rows: Row[] = [];
  contenders.forEach((who, index) => {
    TARGETS.forEach((target, t) => {
      const info: CaseInfo = { suite: 'mnist', shape: MNIST_SIZES.join('-'), batch: MNIST_RECIPE.batch, optimizer: `${MNIST_RECIPE.optimizer} ${MNIST_RECIPE.schedule}`, metric: METRICS[target], work: 0 };
      const error = failed.get(who);
      const values = times[index]![t]!;
      if (error !== undefined) rows.push(errorRow(info, who, error));
      else if (values.length === opts.runs) rows.push(measuredRow(info, who, values));
      else log(`note: ${who.impl} ${who.backend} ${who.threads}t reached ${target * 100}% in ${values.length} of ${opts.runs} runs: no row`);
    });
  });
  return rows;
}
