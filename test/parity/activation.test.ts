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

  // ReLU, leaky ReLU and linear involve no rounding: their outputs must be the reference's exactly,
  // for infinities, NaN and −0 too (a product with a zero slope would turn ±∞ into NaN), in the
  // vector body and the scalar tail alike
  it.each(['relu', 'leaky_relu', 'linear'] as const)('%s of ±∞, NaN and ±0 is exactly the reference\'s', (name) => {
    const special = [Infinity, -Infinity, NaN, 0, -0, 2, -2]; // ±2: the slope's product is exact in float32 and float64
    const z = Float32Array.from(special.flatMap((v) => special.map(() => v))); // each value beside every gradient
    const da = Float32Array.from(special.flatMap(() => special));
    const run = (kernels: typeof reference.kernels) => {
      const a = new Float32Array(z.length);
      const dz = new Float32Array(z.length);
      kernels.activation_forward(a, z, 1, z.length, Activation[name]);
      kernels.activation_backward(dz, da, z, a, 1, z.length, Activation[name]);
      return { a, dz };
    };
    const actual = run(backend.kernels);
    const expected = run(reference.kernels);
    for (let i = 0; i < z.length; i++) {
      expect(actual.a[i], `${name}(${z[i]})`).toBe(expected.a[i]);
      expect(actual.dz[i], `${name}'(${z[i]}) · ${da[i]}`).toBe(expected.dz[i]);
    }
  });

  // Narrow rows are taken several at a time, a row per vector lane, the rest one by one: every
  // row must get the values it gets alone, ±∞ and NaN among its inputs too
  it.each([1, 2, 10, 32, 33])('softmax gives each row of a 37-row batch the bits it gets alone, n=%i', (n) => {
    const m = 37;
    const random = new Random(n);
    const z = randomArray(random, m * n, -30, 30);
    const specials = [Infinity, -Infinity, NaN, 1e30, -1e30, 0, -0];
    for (let r = 0; r < m; r += 3) z[r * n + (r % n)] = specials[(r / 3) % specials.length]!;
    z.fill(-Infinity, 5 * n, 6 * n); // a row of −∞ only
    const a = new Float32Array(m * n);
    backend.kernels.activation_forward(a, z, m, n, Activation.softmax);
    for (let r = 0; r < m; r++) {
      const alone = new Float32Array(n);
      backend.kernels.activation_forward(alone, z.subarray(r * n, (r + 1) * n), 1, n, Activation.softmax);
      // Object.is per element: bits, except a NaN's, whose payload WebAssembly leaves open
      expect(Array.from(a.subarray(r * n, (r + 1) * n)), `row ${r}`).toEqual(Array.from(alone));
    }
  });
});
