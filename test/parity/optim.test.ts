// Optimizer parity: two consecutive updates of every optimizer over one flat vector, plain and
// with each part of the gradient transform (clip-by-norm factor, clip by value, l2, l1, decoupled
// weight decay) and Nesterov momentum; Σx² and the weight penalty.
import { describe, expect, it } from 'vitest';
import type { Kernels } from '../../src/backend/kernels.js';
import { Random } from '../../src/util/prng.js';
import { backendsUnderTest, reference } from '../helpers/backends.js';
import { randomArray, toleranceRatio } from '../helpers/random.js';

const COUNTS = [1, 3, 7, 8, 17, 1001, 101_770];

/** gradScale, clipValue, l2, l1, weightDecay */
type Transform = [number, number, number, number, number];
const TRANSFORMS: Record<string, Transform> = {
  plain: [1, 0, 0, 0, 0],
  'clip-by-norm factor': [0.37, 0, 0, 0, 0],
  'clip by value': [1, 0.3, 0, 0, 0],
  l2: [1, 0, 0.05, 0, 0],
  l1: [1, 0, 0, 0.01, 0],
  'weight decay': [1, 0, 0, 0, 0.1],
  everything: [0.8, 0.5, 0.01, 0.002, 0.05],
};

function run(kernels: Kernels, params: Float32Array, grads: Float32Array[], count: number, t: Transform, nesterov: number) {
  const out = { sgd: params.slice(), momentum: params.slice(), rmsprop: params.slice(), adam: params.slice() };
  const velocity = new Float32Array(count);
  const sq = new Float32Array(count);
  const [m, v] = [new Float32Array(count), new Float32Array(count)];
  const finite: boolean[] = [];
  grads.forEach((g, i) => {
    finite.push(kernels.sgd_update(out.sgd, g, count, 0.1, ...t));
    finite.push(kernels.momentum_update(out.momentum, g, velocity, count, 0.1, 0.9, nesterov, ...t));
    finite.push(kernels.rmsprop_update(out.rmsprop, g, sq, count, 0.01, 0.9, 1e-8, ...t));
    finite.push(kernels.adam_update(out.adam, g, m, v, count, 0.001, 0.9, 0.999, 1e-8, i + 1, ...t));
  });
  return { arrays: { ...out, velocity, sq, m, v }, finite };
}

describe.each(await backendsUnderTest())('$name backend: optim', (backend) => {
  describe.each(Object.entries(TRANSFORMS))('%s', (_, transform) => {
    it.each(COUNTS)('sgd, momentum (Nesterov too), rmsprop and adam (2 steps) over %i parameters', (count) => {
      const random = new Random(count);
      const params = randomArray(random, count);
      const grads = [randomArray(random, count), randomArray(random, count)];
      for (const nesterov of [0, 1]) {
        const actual = run(backend.kernels, params, grads, count, transform, nesterov);
        const expected = run(reference.kernels, params, grads, count, transform, nesterov);
        for (const key of Object.keys(actual.arrays) as (keyof typeof actual.arrays)[]) {
          expect(toleranceRatio(actual.arrays[key], expected.arrays[key], 1e-7, 1e-5), `${key}, nesterov ${nesterov}`).toBeLessThanOrEqual(1);
        }
        expect(actual.finite.every(Boolean)).toBe(true);
      }
    });
  });

  it.each(COUNTS)('Σx² and the weight penalty over %i values', (count) => {
    const x = randomArray(new Random(count), count);
    const actualSum = backend.kernels.sum_squares(x, count);
    const expectedSum = reference.kernels.sum_squares(x, count);
    expect(Math.abs(actualSum - expectedSum)).toBeLessThanOrEqual(1e-5 * expectedSum);
    const actualPenalty = backend.kernels.weight_penalty(x, count, 0.01, 0.003);
    const expectedPenalty = reference.kernels.weight_penalty(x, count, 0.01, 0.003);
    expect(Math.abs(actualPenalty - expectedPenalty)).toBeLessThanOrEqual(1e-6 * expectedPenalty);
  });
});

// Optimizer state that decays below float32's smallest normal (a unit without gradient) is stored
// as 0, in the SIMD body and the scalar tail; state just above it, and all state of a unit with a
// gradient, is kept.
describe.each([reference, ...(await backendsUnderTest())])('$name backend: optimizer state below the smallest normal float', (backend) => {
  it.each(COUNTS)('is stored as 0 and the rest is kept (%i parameters)', (count) => {
    const k = backend.kernels;
    const SMALLEST_NORMAL = 2 ** -126;
    // even positions get no gradient and state that one step's decay takes below the smallest normal;
    // odd positions keep state 1e-30 with no gradient, or get a gradient
    const grads = Float32Array.from({ length: count }, (_, i) => (i % 4 === 3 ? 0.5 : 0));
    const state = (value: number) => Float32Array.from({ length: count }, (_, i) => (i % 2 === 0 ? value : 1e-30));
    // one assertion per array: an expect per value made this test take minutes under emulation
    const check = (name: string, after: Float32Array) => {
      const wrong = after.findIndex((value, i) => (i % 2 === 0 ? !Object.is(value, 0) : !(Math.abs(value) >= SMALLEST_NORMAL)));
      expect(wrong, `${name}: ${after[wrong]} at ${wrong}`).toBe(-1);
    };
    const params = () => new Float32Array(count).fill(0.25);
    const velocity = state(1.2e-38);
    k.momentum_update(params(), grads, velocity, count, 0.1, 0.9, 0, 1, 0, 0, 0, 0);
    check('momentum velocity', velocity);
    const squares = state(1.2e-38);
    k.rmsprop_update(params(), grads, squares, count, 0.01, 0.9, 1e-8, 1, 0, 0, 0, 0);
    check('rmsprop squares', squares);
    const [m, v] = [state(1.2e-38), state(1.176e-38)];
    k.adam_update(params(), grads, m, v, count, 0.001, 0.9, 0.999, 1e-8, 3, 1, 0, 0, 0, 0);
    check('adam m', m);
    check('adam v', v);
    const [mT, vT] = [state(1.2e-38), state(1.176e-38)];
    k.adam_update(params(), grads, mT, vT, count, 0.001, 0.9, 0.999, 1e-8, 3, 0.8, 0.5, 0, 0, 0.01);
    check('adam m with the transform', mT);
    check('adam v with the transform', vT);
  });
});

// Every update checks, inside its own loop, that the parameters it wrote are finite: an overflow
// anywhere (the SIMD body, the scalar tail, any thread's chunk, with or without the transform) is
// reported, on every backend. (The state needs no check: a non-finite velocity or Adam m makes θ
// non-finite, and training steps never apply a gradient whose g² could overflow the second moments.)
describe.each([reference, ...(await backendsUnderTest())])('$name backend: optim finite check', (backend) => {
  it.each(COUNTS)('reports a parameter that became non-finite at any position (%i parameters)', (count) => {
    const k = backend.kernels;
    // the plain loops and the transforming ones (a transform that leaves the other positions finite)
    for (const t of [TRANSFORMS.plain!, [0.8, 0.5, 0, 0, 0] as Transform]) {
      for (const position of new Set([0, count >> 1, count - 1])) {
        // θ = −3e38 everywhere and g = 2 at one position: that θ overflows to −∞ with lr 1e38
        const params = () => new Float32Array(count).fill(-3e38);
        const grads = new Float32Array(count);
        grads[position] = 2;
        const state = () => new Float32Array(count);
        const where = `at ${position}, transform ${t.join(' ')}`;
        expect(k.sgd_update(params(), grads, count, 1e38, ...t), `sgd ${where}`).toBe(false);
        expect(k.momentum_update(params(), grads, state(), count, 1e38, 0.9, 0, ...t), `momentum ${where}`).toBe(false);
        expect(k.rmsprop_update(params(), grads, state(), count, 1e38, 0.9, 1e-8, ...t), `rmsprop ${where}`).toBe(false);
        expect(k.adam_update(params(), grads, state(), state(), count, 1e38, 0.9, 0.999, 1e-8, 1, ...t), `adam ${where}`).toBe(false);
        const nan = new Float32Array(count);
        nan[position] = Number.NaN;
        expect(k.sgd_update(new Float32Array(count), nan, count, 0.1, ...t), `sgd NaN ${where}`).toBe(false);
        expect(k.adam_update(new Float32Array(count), nan, state(), state(), count, 0.1, 0.9, 0.999, 1e-8, 1, ...t), `adam NaN ${where}`).toBe(false);
      }
    }
  });
});
