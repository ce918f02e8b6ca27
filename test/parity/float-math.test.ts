// sigmoid and tanh evaluate e^x and tanh x in float with one algorithm in C++ and AssemblyScript
// (native/elementwise_loops.inc, assembly/float_math.ts). Against float64 they stay within 3 ulp
// (measured: tanh 1.3, sigmoid 2.4) over every range, special values come out exact, the scalar
// code (a row's last n mod 4 or 8 or 16 elements) gives the vector code's bits, and every backend
// but the reference computes the same bits.
import { describe, expect, it } from 'vitest';
import { Activation } from '../../src/backend/kernels.js';
import { backendsUnderTest } from '../helpers/backends.js';

const backends = await backendsUnderTest();
const Z = inputs();

/** A linear sweep over the range that matters, magnitudes from 1e-38 to 1e2 of both signs, and each side of tanh's switch at 0.625. */
function inputs(): Float32Array {
  const values: number[] = [];
  for (let i = 0; i <= 200_000; i++) values.push(-30 + (60 * i) / 200_000);
  for (let e = -38; e <= 2; e += 0.002) values.push(10 ** e, -(10 ** e));
  const bits = new Uint32Array(1), float = new Float32Array(bits.buffer);
  float[0] = 0.625;
  for (let d = -200; d <= 200; d++) {
    const step = new Uint32Array([bits[0]! + d]);
    const x = new Float32Array(step.buffer)[0]!;
    values.push(x, -x);
  }
  return Float32Array.from(values);
}

/** The distance from x to the next float away from zero. */
function ulp(x: number): number {
  const float = new Float32Array([Math.abs(x)]);
  const bits = new Uint32Array(float.buffer);
  const low = float[0]!;
  bits[0]! += 1;
  return float[0]! - low;
}

const EXACT = { sigmoid: (z: number) => 1 / (1 + Math.exp(-z)), tanh: Math.tanh };
const SPECIAL: Record<keyof typeof EXACT, [z: number, expected: number][]> = {
  sigmoid: [[0, 0.5], [-0, 0.5], [Infinity, 1], [-Infinity, 0], [NaN, NaN], [-200, 0], [200, 1]],
  tanh: [[0, 0], [-0, -0], [Infinity, 1], [-Infinity, -1], [NaN, NaN], [1e-45, 1e-45], [-1e-45, -1e-45], [20, 1], [-20, -1]],
};

function forward(backend: (typeof backends)[number], z: Float32Array, name: keyof typeof EXACT): Float32Array {
  const a = new Float32Array(z.length);
  backend.kernels.activation_forward(a, z, 1, z.length, Activation[name]);
  return a;
}

describe.each(backends)('$name backend: float exp and tanh', (backend) => {
  for (const name of ['sigmoid', 'tanh'] as const) {
    it(`${name} is within 3 ulp of float64 over ${Z.length} inputs`, () => {
      const a = forward(backend, Z, name);
      let worst = 0, worstAt = 0;
      for (let i = 0; i < Z.length; i++) {
        const exact = EXACT[name](Z[i]!);
        // below the smallest normal float, errors count in units of it: exp_float gives 0 where
        // e^x is under about 2^-125
        const unit = Math.abs(exact) < 2 ** -126 ? 2 ** -126 : ulp(exact);
        const error = Math.abs(a[i]! - exact) / unit;
        if (Number.isNaN(error) || error > worst) [worst, worstAt] = [Number.isNaN(error) ? Infinity : error, Z[i]!];
      }
      expect(worst, `worst at z = ${worstAt}`).toBeLessThanOrEqual(3);
    });

    it(`${name} of special values, alone and among others`, () => {
      const cases = SPECIAL[name];
      const a = forward(backend, Float32Array.from(cases.map(([z]) => z)), name);
      cases.forEach(([z, expected], i) => {
        expect(a[i], `${name}(${z})`).toBe(Math.fround(expected));
        expect(forward(backend, Float32Array.of(z), name)[0], `${name}(${z}) alone`).toBe(Math.fround(expected));
      });
    });

    it(`${name}: one element at a time gives the bits of the whole array`, () => {
      const whole = new Uint32Array(forward(backend, Z, name).buffer);
      for (let i = 0; i < Z.length; i += 97) {
        const alone = new Uint32Array(forward(backend, Z.subarray(i, i + 1), name).buffer)[0];
        expect(alone, `${name}(${Z[i]})`).toBe(whole[i]);
      }
    });
  }
});

describe('sigmoid and tanh bits across backends', () => {
  it.runIf(backends.length >= 2)(`are the same on ${backends.map((b) => b.name).join(', ')}`, () => {
    for (const name of ['sigmoid', 'tanh'] as const) {
      const [first, ...others] = backends.map((backend) => new Uint32Array(forward(backend, Z, name).buffer));
      others.forEach((bits, b) => {
        const differ = bits.findIndex((word, i) => word !== first![i]);
        expect(differ, `${name}: ${backends[b + 1]!.name} differs from ${backends[0]!.name} at z = ${Z[differ]}`).toBe(-1);
      });
    }
  });
});
