// trainEpoch takes its batches' rows from the bound data set through the shuffled order (the
// native backend reads them in place, without a gathered copy). That must be exactly the same
// arithmetic as trainStep on a gathered copy of the same rows: identical weights, bit for bit,
// on shapes with partial GEMM tiles (rows, inputs and units that are not multiples of the tile).
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/engine.js';
import { STATS_PER_BATCH } from '../../src/backend/engine.js';
import { Activation, Loss, Optimizer, type OptimizerParams } from '../../src/backend/kernels.js';
import type { NetSpec } from '../../src/backend/layout.js';
import { Random } from '../../src/util/prng.js';
import { backendsUnderTest, reference } from '../helpers/backends.js';
import { randomArray, randomOneHot } from '../helpers/random.js';

const ROWS = 301;
const BATCH = 23;
const SPEC: NetSpec = {
  sizes: [67, 41, 17, 5], activations: [Activation.relu, Activation.tanh, Activation.softmax], loss: Loss.cross_entropy,
};
const OPT: OptimizerParams = { kind: Optimizer.adam, lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

function problem() {
  const random = new Random(5);
  const inputs = SPEC.sizes[0]!, outputs = SPEC.sizes[SPEC.sizes.length - 1]!;
  const x = randomArray(random, ROWS * inputs);
  const y = randomOneHot(random, ROWS, outputs);
  const initial = randomArray(random, SPEC.sizes.slice(1).reduce((sum, units, l) => sum + (SPEC.sizes[l]! + 1) * units, 0), -0.3, 0.3);
  const order = random.shuffle(Uint32Array.from({ length: ROWS }, (_, i) => i));
  return { x, y, initial, order, inputs, outputs };
}

async function epochWeights(backend: Backend): Promise<Float32Array> {
  const { x, y, initial, order } = problem();
  const engine = backend.createEngine(SPEC);
  engine.writeParams(initial);
  engine.setOptimizer(OPT.kind);
  const data = engine.bindData(x, y, ROWS);
  const batches = Math.ceil(ROWS / BATCH);
  const stats = new Float64Array(batches * STATS_PER_BATCH);
  for (let epoch = 0; epoch < 2; epoch++) expect(await engine.trainEpoch(data, order, BATCH, OPT, epoch * batches + 1, stats)).toBe(batches);
  data.release();
  return engine.readParams();
}

function gatheredStepWeights(backend: Backend): Float32Array {
  const { x, y, initial, order, inputs, outputs } = problem();
  const engine = backend.createEngine(SPEC);
  engine.writeParams(initial);
  engine.setOptimizer(OPT.kind);
  engine.reserve(BATCH);
  const stats = new Float64Array(STATS_PER_BATCH);
  const batches = Math.ceil(ROWS / BATCH);
  for (let step = 0; step < 2 * batches; step++) {
    const start = (step % batches) * BATCH;
    const rows = Math.min(BATCH, ROWS - start);
    const xb = new Float32Array(rows * inputs);
    const yb = new Float32Array(rows * outputs);
    for (let r = 0; r < rows; r++) {
      const row = order[start + r]!;
      xb.set(x.subarray(row * inputs, (row + 1) * inputs), r * inputs);
      yb.set(y.subarray(row * outputs, (row + 1) * outputs), r * outputs);
    }
    engine.trainStep(xb, yb, rows, OPT, step + 1, stats);
  }
  return engine.readParams();
}

describe.each([reference, ...(await backendsUnderTest())])('$name backend: trainEpoch rows', (backend) => {
  it('shuffled rows read by trainEpoch train exactly like trainStep on gathered copies', async () => {
    const fromEpoch = await epochWeights(backend);
    const fromSteps = gatheredStepWeights(backend);
    expect(fromEpoch.some((w, i) => w !== problem().initial[i])).toBe(true); // training moved the weights
    expect(fromEpoch).toEqual(fromSteps);
  });
});
