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
      grads.forEach((g, i) => {
        kernels.sgd_update(out.sgd, g, count, 0.1);
        kernels.momentum_update(out.momentum, g, velocity, count, 0.1, 0.9);
        kernels.rmsprop_update(out.rmsprop, g, sq, count, 0.01, 0.9, 1e-8);
        kernels.adam_update(out.adam, g, m, v, count, 0.001, 0.9, 0.999, 1e-8, i + 1);
      });
      return { ...out, velocity, sq, m, v };
    };
    const actual = run(backend.kernels);
    const expected = run(reference.kernels);
    for (const key of Object.keys(actual) as (keyof typeof actual)[]) {
      expect(toleranceRatio(actual[key], expected[key], 1e-7, 1e-5), key).toBeLessThanOrEqual(1);
    }
    const actualSum = backend.kernels.sum_squares(params, count);
    const expectedSum = reference.kernels.sum_squares(params, count);
    expect(Math.abs(actualSum - expectedSum)).toBeLessThanOrEqual(1e-5 * expectedSum);
  });
});
