// Activation parity: every activation, forward and backward, over a range of inputs that
// includes large magnitudes (softmax stability, sigmoid/tanh saturation).
import { describe, expect, it } from 'vitest';
import { Activation, type ActivationName } from '../../src/backend/kernels.js';
import { Random } from '../../src/util/prng.js';
import { backendsUnderTest, reference } from '../helpers/backends.js';
import { randomArray, toleranceRatio } from '../helpers/random.js';

const SHAPES: [m: number, n: number][] = [[1, 1], [1, 10], [7, 3], [33, 17], [128, 10], [5, 1000]];
const NAMES = Object.keys(Activation) as ActivationName[];

describe.each(await backendsUnderTest())('$name backend: activation', (backend) => {
  for (const name of NAMES) {
    it.each(SHAPES)(`${name} forward/backward m=%i n=%i`, (m, n) => {
      const random = new Random(m * 31 + n);
      const z = randomArray(random, m * n, -30, 30);
      for (let i = 0; i < z.length; i += 5) z[i] = random.uniform(-2, 2); // also the interesting region
      const da = randomArray(random, m * n);
      const act = Activation[name];
      const run = (kernels: typeof reference.kernels) => {
        const a = new Float32Array(m * n);
        const dz = new Float32Array(m * n);
        kernels.activation_forward(a, z, m, n, act);
        kernels.activation_backward(dz, da, z, a, m, n, act);
        return { a, dz };
      };
      const actual = run(backend.kernels);
      const expected = run(reference.kernels);
      expect(toleranceRatio(actual.a, expected.a, 1e-6, 1e-5), 'forward').toBeLessThanOrEqual(1);
      expect(toleranceRatio(actual.dz, expected.dz, 1e-6, 1e-4), 'backward').toBeLessThanOrEqual(1);
    });
  }
});
