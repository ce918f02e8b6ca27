// The element-wise loops are compiled once per kernel path (native/elementwise_loops.inc) with no
// FMA contraction and no reordering, so every path must give the portable path's exact bits. The
// GEMM paths round differently by design; their parity with the reference is in test/parity.
import { afterAll, describe, expect, it } from 'vitest';
import { Activation, Loss } from '../../src/backend/kernels.js';
import { Random } from '../../src/util/prng.js';
import { randomArray, randomOneHot } from '../helpers/random.js';
import { addon } from './addon.js';
import { firstDifference } from './bits.js';

// Odd sizes, so every vector loop has a tail (37 × 10: softmax's blocks of 16 rows, then 5 alone),
// and one above the pool's split threshold.
const SIZES: [m: number, n: number][] = [[1, 1], [7, 13], [37, 10], [61, 129], [1031, 1031]];
/** the gradient transform's arguments (gradScale, clipValue, l2, l1, weightDecay): off, then all on */
const TRANSFORMS: [number, number, number, number, number][] = [[1, 0, 0, 0, 0], [0.7, 0.4, 0.01, 0.002, 0.05]];

type Outputs = Record<string, Float32Array | Float64Array>;

function run(path: string, m: number, n: number): Outputs {
  if (!addon!.setKernelPath(path)) throw new Error(`${path} unavailable`);
  const random = new Random(m * 31 + n);
  const count = m * n;
  const z = randomArray(random, count, -4, 4);
  const da = randomArray(random, count);
  const p = randomArray(random, count, 0, 1);
  const y = randomOneHot(random, m, n);
  const out: Outputs = {};
  const weights = randomArray(random, m, 0, 2);
  const soft = randomArray(random, count, 0, 1);
  for (const [name, act] of Object.entries(Activation)) {
    const a = new Float32Array(count);
    addon!.activation_forward(a, z, m, n, act);
    const dz = new Float32Array(count);
    addon!.activation_backward(dz, da, z, a, m, n, act);
    out[`${name} forward`] = a;
    out[`${name} backward`] = dz;
    if (act === Activation.softmax) continue; // no dropout on softmax
    const dropped = new Float32Array(count);
    addon!.dropout_forward(dropped, z, m, n, act, 0.3, 5, 9, 1);
    out[`${name} dropout forward`] = dropped;
    const droppedBack = new Float32Array(count);
    addon!.dropout_backward(droppedBack, da, z, m, n, act, 0.3, 5, 9, 1);
    out[`${name} dropout backward`] = droppedBack;
  }
  for (const [name, loss] of Object.entries(Loss)) {
    for (const w of [null, weights]) {
      const dp = new Float32Array(count);
      addon!.loss_backward(dp, p, y, w, m, n, loss);
      out[`${name} loss backward${w === null ? '' : ', weighted'}`] = dp;
    }
  }
  for (const act of [Activation.softmax, Activation.sigmoid]) {
    for (const [targets, t] of [['one-hot', y], ['soft', soft]] as const) {
      const dz = (out[`output delta ${act} ${targets}`] = new Float32Array(count));
      addon!.output_delta_fused(dz, p, t, weights, m, n, act);
    }
  }
  out['bias grad'] = new Float32Array(n);
  addon!.bias_grad(out['bias grad'], da, m, n);
  const grads = randomArray(random, count);
  const params = randomArray(random, count);
  const state = randomArray(random, count, 0, 1);
  const second = randomArray(random, count, 0, 1);
  // plain, then with every part of the gradient transform, then Nesterov
  for (const t of TRANSFORMS) {
    addon!.sgd_update(params, grads, count, 0.05, ...t);
    addon!.momentum_update(params, grads, state, count, 0.05, 0.9, 0, ...t);
    addon!.momentum_update(params, grads, state, count, 0.05, 0.9, 1, ...t);
    addon!.rmsprop_update(params, grads, second, count, 0.01, 0.9, 1e-7, ...t);
    for (let step = 1; step <= 3; step++) addon!.adam_update(params, grads, state, second, count, 1e-3, 0.9, 0.999, 1e-7, step, ...t);
  }
  Object.assign(out, {
    params,
    state,
    second,
    penalty: Float64Array.of(addon!.weight_penalty(params, count, 0.01, 0.003)),
    squares: Float64Array.of(addon!.sum_squares(grads, count)),
  });
  return out;
}

describe.skipIf(addon === undefined)('native: element-wise loops on every kernel path', () => {
  const initial = addon?.kernelPath() ?? 'portable';
  afterAll(() => void addon!.setKernelPath(initial));
  const others = (addon?.kernelPaths() ?? []).filter((path) => path !== 'portable');
  if (addon !== undefined && others.length === 0) console.warn('[native] element-wise path identity: this CPU runs only the portable path');

  it.each(SIZES)(`${others.join(', ')} give the portable path's bits at m=%i n=%i`, (m, n) => {
    const expected = run('portable', m, n);
    for (const path of others) {
      const actual = run(path, m, n);
      for (const [name, values] of Object.entries(expected)) {
        expect(firstDifference(actual[name]!, values), `${path}: ${name}`).toBe(-1);
      }
    }
  });

  // sum_squares has its own loop, without penalty_sums' Σ|x|, but adds the squares in its order
  it.each(SIZES)("Σx² is the weight penalty's Σw², bit for bit, on every path at m=%i n=%i", (m, n) => {
    const x = randomArray(new Random(m * 17 + n), m * n);
    for (const path of ['portable', ...others]) {
      addon!.setKernelPath(path);
      // ½·l2 = 1 and l1 = 0 leave the penalty's Σw² alone
      expect(addon!.sum_squares(x, m * n), path).toBe(addon!.weight_penalty(x, m * n, 2, 0));
    }
  });
});
