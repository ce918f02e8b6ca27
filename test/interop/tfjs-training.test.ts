// Training steps against TensorFlow.js where the definitions match, step by step from the same
// weights on the same batches: L2 through tf.regularizers.l2 (mlpx's l2: λ is ½λ‖W‖², so
// l2({ l2: λ / 2 })), and clipping by global norm (TF.js's gradients scaled by min(1, c / ‖g‖)
// before the optimizer applies them), with SGD and with Nesterov momentum (TF's useNesterov).
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATS_PER_BATCH } from '../../src/backend/engine.js';
import { Activation, Loss, Optimizer, type OptimizerParams } from '../../src/backend/kernels.js';
import { paramLayout, type NetSpec } from '../../src/backend/layout.js';
import { Random } from '../../src/util/prng.js';
import { backendsUnderTest, reference } from '../helpers/backends.js';
import { randomArray, randomOneHot } from '../helpers/random.js';

const SPEC: NetSpec = { sizes: [6, 10, 3], activations: [Activation.tanh, Activation.softmax], loss: Loss.cross_entropy };
const ROWS = 16;
const STEPS = 25;
const layout = paramLayout(SPEC.sizes);

const random = new Random(21);
const initial = randomArray(random, layout.count, -0.5, 0.5);
const batches = Array.from({ length: STEPS }, () => ({ x: randomArray(random, ROWS * 6), y: randomOneHot(random, ROWS, 3) }));

interface Case { name: string; opt: OptimizerParams; tfOptimizer: () => tf.Optimizer; regularize: number; clipNorm: number }
const CASES: Case[] = [
  { name: 'SGD with l2 = 0.1', opt: { kind: Optimizer.sgd, lr: 0.2, beta1: 0, beta2: 0, eps: 0, l2: 0.1 }, tfOptimizer: () => tf.train.sgd(0.2), regularize: 0.1, clipNorm: 0 },
  { name: 'SGD clipped to norm 0.25', opt: { kind: Optimizer.sgd, lr: 0.5, beta1: 0, beta2: 0, eps: 0, clipNorm: 0.25 }, tfOptimizer: () => tf.train.sgd(0.5), regularize: 0, clipNorm: 0.25 },
  {
    name: 'Nesterov momentum clipped to norm 0.3, with l2 = 0.05',
    opt: { kind: Optimizer.momentum, lr: 0.1, beta1: 0.9, beta2: 0, eps: 0, nesterov: 1, clipNorm: 0.3, l2: 0.05 },
    tfOptimizer: () => tf.train.momentum(0.1, 0.9, true), regularize: 0.05, clipNorm: 0.3,
  },
];

/** mlpx's parameters after each step (trainStep on `backend`'s engine). */
function mlpxTrajectory(backend: typeof reference, opt: OptimizerParams): Float32Array[] {
  const engine = backend.createEngine(SPEC);
  engine.writeParams(initial);
  engine.reserve(ROWS);
  const stats = new Float64Array(STATS_PER_BATCH);
  return batches.map(({ x, y }, i) => {
    engine.trainStep(x, y, ROWS, opt, i + 1, stats);
    return engine.readParams();
  });
}

/**
 * TF.js's parameters after each step, in mlpx's layout. Clipping, when asked, needs mlpx's
 * definition: the loss gradient's norm, the l2 penalty's gradient added after (as the optimizer
 * loop adds it), so the penalty is differentiated separately.
 */
function tfTrajectory(c: Case): Float32Array[] {
  const slice = (begin: number, end: number, shape: number[]) => tf.variable(tf.tensor(initial.slice(begin, end), shape));
  const [l1, l2] = layout.layers;
  const vars = [
    slice(l1!.weightOffset, l1!.biasOffset, [6, 10]), slice(l1!.biasOffset, l1!.biasOffset + 10, [10]),
    slice(l2!.weightOffset, l2!.biasOffset, [10, 3]), slice(l2!.biasOffset, l2!.biasOffset + 3, [3]),
  ];
  const optimizer = c.tfOptimizer();
  const regularizer = tf.regularizers.l2({ l2: c.regularize / 2 });
  const trajectory = batches.map(({ x, y }) => {
    tf.tidy(() => {
      const xs = tf.tensor2d(x, [ROWS, 6]), ys = tf.tensor2d(y, [ROWS, 3]);
      const dataLoss = () => tf.losses.softmaxCrossEntropy(ys, tf.tanh(xs.matMul(vars[0]!).add(vars[1]!)).matMul(vars[2]!).add(vars[3]!)) as tf.Scalar;
      const { grads } = tf.variableGrads(dataLoss, vars);
      let gradients = vars.map((v) => grads[v.name]!);
      if (c.clipNorm > 0) {
        const norm = Math.sqrt(gradients.reduce((sum, g) => sum + g.square().sum().dataSync()[0]!, 0));
        if (norm > c.clipNorm) gradients = gradients.map((g) => g.mul(c.clipNorm / norm));
      }
      if (c.regularize > 0) {
        const penalty = tf.variableGrads(() => regularizer.apply(vars[0]!).add(regularizer.apply(vars[2]!)) as tf.Scalar, [vars[0]!, vars[2]!]).grads;
        gradients = gradients.map((g, i) => (i % 2 === 0 ? g.add(penalty[vars[i]!.name]!) : g));
      }
      optimizer.applyGradients(Object.fromEntries(vars.map((v, i) => [v.name, gradients[i]!])));
    });
    const params = new Float32Array(layout.count);
    layout.layers.forEach((slot, l) => {
      params.set(vars[2 * l]!.dataSync(), slot.weightOffset);
      params.set(vars[2 * l + 1]!.dataSync(), slot.biasOffset);
    });
    return params;
  });
  vars.forEach((v) => v.dispose());
  optimizer.dispose();
  return trajectory;
}

function worstDifference(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((params, s) => params.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[s]![i]!)))));
  return worst;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => tf.disposeVariables());

describe.each([reference, ...(await backendsUnderTest())])('$name backend against TensorFlow.js (cpu)', (backend) => {
  it.each(CASES)('$name: the same weights after every one of 25 steps', (c) => {
    const expected = tfTrajectory(c);
    const actual = mlpxTrajectory(backend, c.opt);
    const plain = mlpxTrajectory(reference, { ...c.opt, l2: 0, clipNorm: 0 });
    const worst = worstDifference(actual, expected);
    console.log(`[tfjs] ${backend.name}, ${c.name}: largest weight difference over ${STEPS} steps ${worst.toExponential(2)} (the feature itself moves them by ${worstDifference(plain, expected).toExponential(2)})`);
    expect(worst).toBeLessThan(1e-6);
    expect(worstDifference(plain, expected)).toBeGreaterThan(1e-3); // the feature matters at this scale
  });
});
