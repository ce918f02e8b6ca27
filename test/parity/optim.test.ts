// Optimizer parity: two consecutive updates of every optimizer over one flat vector, plus Σx².
import { describe, expect, it } from 'vitest';
import { Random } from '../../src/util/prng.js';
import { backendsUnderTest, reference } from '../helpers/backends.js';
import { randomArray, toleranceRatio } from '../helpers/random.js';

const COUNTS = [1, 3, 7, 8, 17, 1001, 101_770];

describe.each(await backendsUnderTest())('$name backend: optim', (backend) => {
  it.each(COUNTS)('sgd, momentum, rmsprop and adam (2 steps) over %i parameters', (count) => {
    const random = new Random(count);
    const params = randomArray(random, count);
    const grads = [randomArray(random, count), randomArray(random, count)];
    const run = (kernels: typeof reference.kernels) => {
      const out = { sgd: params.slice(), momentum: params.slice(), rmsprop: params.slice(), adam: params.slice() };
      const velocity = new Float32Array(count);
      const sq = new Float32Array(count);
      const [m, v] = [new Float32Array(count), new Float32Array(count)];
      const finite = { sgd: [] as boolean[], momentum: [] as boolean[], rmsprop: [] as boolean[], adam: [] as boolean[] };
      grads.forEach((g, i) => {
        finite.sgd.push(kernels.sgd_update(out.sgd, g, count, 0.1));
        finite.momentum.push(kernels.momentum_update(out.momentum, g, velocity, count, 0.1, 0.9));
        finite.rmsprop.push(kernels.rmsprop_update(out.rmsprop, g, sq, count, 0.01, 0.9, 1e-8));
        finite.adam.push(kernels.adam_update(out.adam, g, m, v, count, 0.001, 0.9, 0.999, 1e-8, i + 1));
      });
      return { arrays: { ...out, velocity, sq, m, v }, finite };
    };
    const { arrays: actual } = run(backend.kernels);
    const { arrays: expected } = run(reference.kernels);
    for (const key of Object.keys(actual) as (keyof typeof actual)[]) {
      expect(toleranceRatio(actual[key], expected[key], 1e-7, 1e-5), key).toBeLessThanOrEqual(1);
    }
    const { finite } = run(backend.kernels);
    for (const key of ['sgd', 'momentum', 'rmsprop', 'adam'] as const) expect(finite[key], key).toEqual([true, true]);
    const actualSum = backend.kernels.sum_squares(params, count);
    const expectedSum = reference.kernels.sum_squares(params, count);
    expect(Math.abs(actualSum - expectedSum)).toBeLessThanOrEqual(1e-5 * expectedSum);
  });
});

// Every update checks, inside its own loop, that the parameters it wrote are finite: an overflow
// anywhere (the SIMD body, the scalar tail, any thread's chunk) is reported, on every backend.
// (The state needs no check: a non-finite velocity or Adam m makes θ non-finite, and training
// steps never apply a gradient whose g² could overflow the second moments.)
describe.each([reference, ...(await backendsUnderTest())])('$name backend: optim finite check', (backend) => {
  it.each(COUNTS)('reports a parameter that became non-finite at any position (%i parameters)', (count) => {
    const k = backend.kernels;
    for (const position of new Set([0, count >> 1, count - 1])) {
      // θ = −3e38 everywhere and g = 2 at one position: that θ overflows to −∞ with lr 1e38
      const params = () => new Float32Array(count).fill(-3e38);
      const grads = new Float32Array(count);
      grads[position] = 2;
      const state = () => new Float32Array(count);
      expect(k.sgd_update(params(), grads, count, 1e38), `sgd at ${position}`).toBe(false);
      expect(k.momentum_update(params(), grads, state(), count, 1e38, 0.9), `momentum at ${position}`).toBe(false);
      expect(k.rmsprop_update(params(), grads, state(), count, 1e38, 0.9, 1e-8), `rmsprop at ${position}`).toBe(false);
      expect(k.adam_update(params(), grads, state(), state(), count, 1e38, 0.9, 0.999, 1e-8, 1), `adam at ${position}`).toBe(false);
      const nan = new Float32Array(count);
      nan[position] = Number.NaN;
      expect(k.sgd_update(new Float32Array(count), nan, count, 0.1), `sgd NaN at ${position}`).toBe(false);
      expect(k.adam_update(new Float32Array(count), nan, state(), state(), count, 0.1, 0.9, 0.999, 1e-8, 1), `adam NaN at ${position}`).toBe(false);
    }
  });
});
