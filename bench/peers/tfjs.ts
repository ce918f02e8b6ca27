// TensorFlow.js contenders: the cpu backend (plain JS) and the wasm backend (XNNPACK, SIMD).
// Training uses an optimizer.minimize loop over pre-made batch tensors: it measured faster
// than model.fit here (~6,200 vs ~4,800 samples/s for 784-128-10 batch 128 on wasm), and fit's
// per-batch callbacks and slicing are overhead a tight user loop avoids. Both backends run
// ops eagerly and synchronously in Node, so a call's work is done when it returns.
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { Contender, Runner } from '../harness.js';
import { VALIDATION_STEPS, classifierHidden, isClassifier, type GemmCase, type InferCase, type TrainCase } from '../cases.js';
import { paramLayout, type NetSpec } from '../../src/backend/layout.js';
import { checkClose, checkGemm, checkLosses } from '../validate.js';
import { gatherRows } from '../data.js';
import { log } from '../log.js';

export type TfBackend = 'cpu' | 'wasm';

/** Register and initialise both backends; returns those that work, with their thread counts. */
export async function tfjsBackends(): Promise<{ name: TfBackend; threads: number }[]> {
  const require = createRequire(import.meta.url);
  setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep);
  const found: { name: TfBackend; threads: number }[] = [];
  for (const name of ['cpu', 'wasm'] as const) {
    try {
      if (!(await tf.setBackend(name))) throw new Error('setBackend returned false');
      await tf.ready();
      const threads = name === 'wasm' ? getThreadsCount() : 1;
      found.push({ name, threads });
    } catch (error) {
      log(`note: tfjs ${name} backend not measured: ${(error as Error).message}`);
    }
  }
  if (found.some((b) => b.name === 'wasm')) {
    const simd = tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    log(`tfjs wasm: SIMD ${String(await simd)}, multithreading ${String(await threads)} (in Node it runs ${getThreadsCount()} thread)`);
  }
  log('note: @tensorflow/tfjs-node not measured: it downloads libtensorflow at install time, which this offline setup cannot do');
  return found;
}

abstract class TfContender<C> implements Contender<C> {
  readonly impl = 'tfjs';
  readonly threads: number;
  constructor(readonly backend: TfBackend, threads: number) {
    this.threads = threads;
  }
  protected select = async (): Promise<void> => {
    if (tf.getBackend() !== this.backend) await tf.setBackend(this.backend);
  };
  abstract prepare(c: C): Promise<Runner>;
}

export class TfGemm extends TfContender<GemmCase> {
  skip(c: GemmCase): string | undefined {
    // the cpu backend runs ~0.6 GFLOP/s: 1024³ alone would take a minute of rounds
    return this.backend === 'cpu' && c.m * c.k * c.n > 512 ** 3 ? 'plain-JS backend: up to 512³' : undefined;
  }
  async prepare({ m, k, n, a, b }: GemmCase): Promise<Runner> {
    await this.select();
    const ta = tf.tensor2d(a, [m, k]);
    const tb = tf.tensor2d(b, [k, n]);
    const tc = tf.matMul(ta, tb);
    const out = tc.dataSync() as Float32Array;
    tc.dispose();
    checkGemm(out, a, b, m, k, n);
    return {
      select: this.select,
      run: () => tf.matMul(ta, tb).dispose(),
      dispose: () => { ta.dispose(); tb.dispose(); },
    };
  }
}

/** Dense layers with the case's weights (a classifier's); the last layer emits logits (softmax is in the loss / predict). */
export function buildModel(spec: NetSpec, params: Float32Array): tf.Sequential {
  const layout = paramLayout(spec.sizes);
  const hidden = classifierHidden(spec);
  if (hidden === undefined) throw new Error(`tfjs: ${spec.sizes.join('-')} is not a softmax classifier with ReLU or tanh hidden layers`);
  const model = tf.sequential();
  layout.layers.forEach((slot, l) => {
    const last = l === layout.layers.length - 1;
    model.add(tf.layers.dense({ units: slot.units, activation: last ? 'linear' : hidden, ...(l === 0 ? { inputShape: [slot.inputs] } : {}) }));
  });
  layout.layers.forEach((slot, l) => {
    const w = tf.tensor2d(params.subarray(slot.weightOffset, slot.biasOffset), [slot.inputs, slot.units]);
    const b = tf.tensor1d(params.subarray(slot.biasOffset, slot.biasOffset + slot.units));
    model.layers[l]!.setWeights([w, b]);
    w.dispose();
    b.dispose();
  });
  return model;
}

function optimizerFor(c: TrainCase): tf.Optimizer {
  return c.optimizer === 'sgd' ? tf.train.sgd(c.opt.lr) : tf.train.adam(c.opt.lr, c.opt.beta1, c.opt.beta2, c.opt.eps);
}

const notClassifier = 'runs the softmax classifier cases (ReLU or tanh hidden layers) only';

export class TfTrain extends TfContender<TrainCase> {
  skip(c: TrainCase): string | undefined {
    return isClassifier(c.spec) ? undefined : notClassifier;
  }
  async prepare(c: TrainCase): Promise<Runner> {
    await this.select();
    const { inputs, classes } = c.data;
    const model = buildModel(c.spec, c.params);
    const optimizer = optimizerFor(c);
    // Validation batches in stored order; the timed batches in the case's shuffled order,
    // gathered into tensors before timing starts.
    const sequential = (s: number) => Array.from({ length: c.batch }, (_, r) => s * c.batch + r);
    const shuffled = (s: number) => Array.from(c.order.subarray(s * c.batch, (s + 1) * c.batch));
    const batchOf = (rows: number[]) => ({
      x: tf.tensor2d(gatherRows(c.data.x, inputs, rows), [rows.length, inputs]),
      y: tf.tensor2d(gatherRows(c.data.y, classes, rows), [rows.length, classes]),
    });
    const lossOf = (b: { x: tf.Tensor2D; y: tf.Tensor2D }) => () => tf.losses.softmaxCrossEntropy(b.y, model.apply(b.x) as tf.Tensor) as tf.Scalar;
    const validation = Array.from({ length: VALIDATION_STEPS }, (_, s) => batchOf(sequential(s)));
    const losses: number[] = [];
    for (const b of validation) {
      const loss = optimizer.minimize(lossOf(b), true)!;
      losses.push(loss.dataSync()[0]!);
      loss.dispose();
    }
    checkLosses(losses, c.referenceLosses, 1e-3, `tfjs ${this.backend} losses of ${VALIDATION_STEPS} steps`);
    const timed = Array.from({ length: Math.ceil(c.samplesPerCall / c.batch) }, (_, s) => batchOf(shuffled(s)));
    const steps = timed.map(lossOf);
    return {
      select: this.select,
      run: () => { for (const step of steps) optimizer.minimize(step, false); },
      dispose: () => { tf.dispose([...validation, ...timed].flatMap((b) => [b.x, b.y])); model.dispose(); optimizer.dispose(); },
    };
  }
}

export class TfInfer extends TfContender<InferCase> {
  skip(c: InferCase): string | undefined {
    return isClassifier(c.spec) ? undefined : notClassifier;
  }
  async prepare(c: InferCase): Promise<Runner> {
    await this.select();
    const model = buildModel(c.spec, c.params);
    const x = tf.tensor2d(c.x, [c.batch, c.spec.sizes[0]!]);
    // model.apply, not predict: predict splits into batches of 32. The result is read back: a
    // caller wants the numbers, and that is part of the latency.
    const predict = (): Float32Array => {
      const p = tf.tidy(() => tf.softmax(model.apply(x) as tf.Tensor2D));
      const out = p.dataSync() as Float32Array;
      p.dispose();
      return out;
    };
    checkClose(predict(), c.reference, 1e-6, 1e-4, `tfjs ${this.backend} predict`);
    return { select: this.select, run: predict, dispose: () => { x.dispose(); model.dispose(); } };
  }
}
