// Whole-network parity: 100 training steps of every optimizer, from the same initial weights on
// the same batches, give the reference's loss curve within 1e-3 relative on every backend, both
// through trainStep and through trainEpoch (which gathers shuffled rows itself).
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

function problem(spec: NetSpec) {
  const random = new Random(99);
  const inputs = spec.sizes[0]!;
  const outputs = spec.sizes[spec.sizes.length - 1]!;
  const x = randomArray(random, ROWS * inputs);
  const y = spec.loss === Loss.cross_entropy ? randomOneHot(random, ROWS, outputs) : randomArray(random, ROWS * outputs, 0, 1);
  const initial = randomArray(random, spec.sizes.slice(1).reduce((sum, units, l) => sum + (spec.sizes[l]! + 1) * units, 0), -0.5, 0.5);
  const order = random.shuffle(Uint32Array.from({ length: ROWS }, (_, i) => i));
  return { x, y, initial, order, inputs, outputs };
}

/** loss of each of STEPS steps, batches taken in `order` (wrapping around) */
function stepCurve(backend: Backend, spec: NetSpec, opt: OptimizerParams): Float64Array {
  const { x, y, initial, order, inputs, outputs } = problem(spec);
  const engine = backend.createEngine(spec);
  engine.writeParams(initial);
  engine.setOptimizer(opt.kind);
  engine.reserve(BATCH);
  const xb = new Float32Array(BATCH * inputs);
  const yb = new Float32Array(BATCH * outputs);
  const stats = new Float64Array(STATS_PER_BATCH);
  const curve = new Float64Array(STEPS);
  for (let step = 0; step < STEPS; step++) {
    for (let r = 0; r < BATCH; r++) {
      const row = order[(step * BATCH + r) % ROWS]!;
      xb.set(x.subarray(row * inputs, (row + 1) * inputs), r * inputs);
      yb.set(y.subarray(row * outputs, (row + 1) * outputs), r * outputs);
    }
    engine.trainStep(xb, yb, BATCH, opt, step + 1, stats);
    curve[step] = stats[STAT_LOSS]!;
  }
  return curve;
}

/** loss of every batch of as many epochs as make STEPS batches */
async function epochCurve(backend: Backend, spec: NetSpec, opt: OptimizerParams): Promise<Float64Array> {
  const { x, y, initial, order } = problem(spec);
  const engine = backend.createEngine(spec);
  engine.writeParams(initial);
  engine.setOptimizer(opt.kind);
  const data = engine.bindData(x, y, ROWS);
  const perEpoch = Math.ceil(ROWS / BATCH);
  const curve: number[] = [];
  const stats = new Float64Array(perEpoch * STATS_PER_BATCH);
  while (curve.length < STEPS) {
    const done = await engine.trainEpoch(data, order, BATCH, opt, curve.length + 1, stats);
    expect(done).toBe(perEpoch);
    for (let b = 0; b < done; b++) curve.push(stats[b * STATS_PER_BATCH + STAT_LOSS]!);
  }
  data.release();
  return Float64Array.from(curve.slice(0, STEPS));
}

function worstRelative(actual: Float64Array, expected: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.abs(expected[i]!));
  return worst;
}

describe.each(await backendsUnderTest())('$name backend: 100-step trajectories', (backend) => {
  for (const [network, spec] of Object.entries(NETWORKS)) {
    for (const [name, opt] of Object.entries(OPTIMIZERS)) {
      it(`${name} on ${network}: trainStep and trainEpoch follow the reference`, async () => {
        const expected = stepCurve(reference, spec, opt);
        expect(expected[STEPS - 1]!).toBeLessThan(expected[0]!); // the problem does train
        expect(worstRelative(stepCurve(backend, spec, opt), expected)).toBeLessThanOrEqual(1e-3);
        expect(worstRelative(await epochCurve(backend, spec, opt), await epochCurve(reference, spec, opt))).toBeLessThanOrEqual(1e-3);
      });
    }
  }
});
