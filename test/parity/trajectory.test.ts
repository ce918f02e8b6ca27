// Whole-network parity: 100 training steps of every optimizer, from the same initial weights on
// the same batches, give the reference's loss curve within 1e-3 relative on every backend, both
// through trainStep and through trainEpoch (which gathers shuffled rows itself) — plain, and with
// every training feature at once: dropout on the hidden layers, row weights, soft targets, a rate
// per batch, l2, l1, weight decay, clipping by norm and by value, Nesterov momentum.
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/engine.js';
import { STAT_LOSS, STATS_PER_BATCH } from '../../src/backend/engine.js';
import { Activation, Loss, Optimizer, type OptimizerParams } from '../../src/backend/kernels.js';
import type { NetSpec } from '../../src/backend/layout.js';
import { Random } from '../../src/util/prng.js';
import { backendsUnderTest, reference } from '../helpers/backends.js';
import { randomArray, randomOneHot } from '../helpers/random.js';

const STEPS = 100;
const BATCH = 16;
const ROWS = 200; // not a multiple of BATCH: the epoch's last batch is short

const NETWORKS: Record<string, NetSpec> = {
  'relu/tanh/softmax + cross-entropy': {
    sizes: [13, 16, 7, 4], activations: [Activation.relu, Activation.tanh, Activation.softmax], loss: Loss.cross_entropy,
  },
  'leaky_relu/sigmoid + mse': {
    sizes: [5, 9, 3], activations: [Activation.leaky_relu, Activation.sigmoid], loss: Loss.mse,
  },
};

const OPTIMIZERS: Record<string, OptimizerParams> = {
  sgd: { kind: Optimizer.sgd, lr: 0.1, beta1: 0, beta2: 0, eps: 0 },
  momentum: { kind: Optimizer.momentum, lr: 0.05, beta1: 0.9, beta2: 0, eps: 0 },
  rmsprop: { kind: Optimizer.rmsprop, lr: 0.005, beta1: 0.9, beta2: 0, eps: 1e-8 },
  adam: { kind: Optimizer.adam, lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
};
/** the gradient transform, all at once; clipNorm small enough that most steps clip */
const TRANSFORM = { l2: 1e-3, l1: 1e-4, weightDecay: 0.02, clipNorm: 0.3, clipValue: 0.05, nesterov: 1 };

interface Variant { features: boolean }

function problem(spec: NetSpec, { features }: Variant) {
  const random = new Random(99);
  const inputs = spec.sizes[0]!;
  const outputs = spec.sizes[spec.sizes.length - 1]!;
  const x = randomArray(random, ROWS * inputs);
  const y = spec.loss === Loss.cross_entropy && !features ? randomOneHot(random, ROWS, outputs) : randomArray(random, ROWS * outputs, 0, 1);
  const initial = randomArray(random, spec.sizes.slice(1).reduce((sum, units, l) => sum + (spec.sizes[l]! + 1) * units, 0), -0.5, 0.5);
  const order = random.shuffle(Uint32Array.from({ length: ROWS }, (_, i) => i));
  const weights = features ? randomArray(random, ROWS, 0, 2) : undefined;
  return { x, y, initial, order, inputs, outputs, weights };
}

/** The spec and optimizer of a variant: with features, dropout on every hidden layer and the whole transform. */
function configure(spec: NetSpec, opt: OptimizerParams, { features }: Variant): [NetSpec, OptimizerParams] {
  if (!features) return [spec, opt];
  const L = spec.activations.length;
  return [{ ...spec, dropout: spec.activations.map((_, l) => (l < L - 1 ? 0.25 : 0)), seed: 5 }, { ...opt, ...TRANSFORM }];
}

/** The rate of update t (1-based) with features: a warm-up over the first 10 updates. */
const rateAt = (opt: OptimizerParams, t: number) => Math.fround(opt.lr * Math.min(1, t / 10));

/** loss of each of STEPS steps, batches taken in `order` (wrapping around) */
function stepCurve(backend: Backend, network: NetSpec, optimizer: OptimizerParams, variant: Variant): Float64Array {
  const [spec, opt] = configure(network, optimizer, variant);
  const { x, y, initial, order, inputs, outputs, weights } = problem(spec, variant);
  const engine = backend.createEngine(spec);
  engine.writeParams(initial);
  engine.setOptimizer(opt.kind);
  engine.reserve(BATCH);
  const xb = new Float32Array(BATCH * inputs);
  const yb = new Float32Array(BATCH * outputs);
  const wb = new Float32Array(BATCH);
  const stats = new Float64Array(STATS_PER_BATCH);
  const curve = new Float64Array(STEPS);
  for (let step = 0; step < STEPS; step++) {
    for (let r = 0; r < BATCH; r++) {
      const row = order[(step * BATCH + r) % ROWS]!;
      xb.set(x.subarray(row * inputs, (row + 1) * inputs), r * inputs);
      yb.set(y.subarray(row * outputs, (row + 1) * outputs), r * outputs);
      wb[r] = weights?.[row] ?? 1;
    }
    const rate = variant.features ? rateAt(opt, step + 1) : opt.lr;
    engine.trainStep(xb, yb, BATCH, { ...opt, lr: rate }, step + 1, stats, weights === undefined ? undefined : wb);
    curve[step] = stats[STAT_LOSS]!;
  }
  return curve;
}

/** loss of every batch of as many epochs as make STEPS batches */
async function epochCurve(backend: Backend, network: NetSpec, optimizer: OptimizerParams, variant: Variant): Promise<Float64Array> {
  const [spec, opt] = configure(network, optimizer, variant);
  const { x, y, initial, order, weights } = problem(spec, variant);
  const engine = backend.createEngine(spec);
  engine.writeParams(initial);
  engine.setOptimizer(opt.kind);
  const data = engine.bindData(x, y, ROWS, weights);
  const perEpoch = Math.ceil(ROWS / BATCH);
  const curve: number[] = [];
  const stats = new Float64Array(perEpoch * STATS_PER_BATCH);
  while (curve.length < STEPS) {
    const first = curve.length + 1;
    const rates = variant.features ? Float32Array.from({ length: perEpoch }, (_, i) => rateAt(opt, first + i)) : undefined;
    const done = await engine.trainEpoch(data, order, BATCH, opt, first, stats, undefined, rates);
    expect(done).toBe(perEpoch);
    for (let b = 0; b < done; b++) curve.push(stats[b * STATS_PER_BATCH + STAT_LOSS]!);
  }
  data.release();
  return Float64Array.from(curve.slice(0, STEPS));
}

const mean = (values: Float64Array): number => values.reduce((sum, v) => sum + v, 0) / values.length;

function worstRelative(actual: Float64Array, expected: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.abs(expected[i]!));
  return worst;
}

describe.each(await backendsUnderTest())('$name backend: 100-step trajectories', (backend) => {
  for (const [network, spec] of Object.entries(NETWORKS)) {
    for (const [name, opt] of Object.entries(OPTIMIZERS)) {
      for (const variant of [{ features: false }, { features: true }]) {
        it(`${name} on ${network}${variant.features ? ', every training feature' : ''}: trainStep and trainEpoch follow the reference`, async () => {
          const expected = stepCurve(reference, spec, opt, variant);
          expect(mean(expected.subarray(STEPS - 10))).toBeLessThan(mean(expected.subarray(0, 10))); // the problem does train
          expect(worstRelative(stepCurve(backend, spec, opt, variant), expected)).toBeLessThanOrEqual(1e-3);
          expect(worstRelative(await epochCurve(backend, spec, opt, variant), await epochCurve(reference, spec, opt, variant))).toBeLessThanOrEqual(1e-3);
        });
      }
    }
  }
});
