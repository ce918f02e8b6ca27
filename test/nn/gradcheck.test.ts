// Backpropagation against central finite differences, in float64, for every hidden activation
// with every loss (and each output activation the loss is defined for), on several shapes
// including 1-unit layers.
import { describe, expect, it } from 'vitest';
import { Activation, Loss, type ActivationName, type LossName } from '../../src/backend/kernels.js';
import { ComposedEngine } from '../../src/backend/composed.js';
import { jsKernels } from '../../src/backend/js/index.js';
import type { Kernels } from '../../src/backend/kernels.js';
import { compareGradients, gradientCheckSpec } from '../../src/nn/gradcheck.js';
import { InvalidArgumentError } from '../../src/util/errors.js';
import { Random } from '../../src/util/prng.js';
import { randomArray, randomOneHot } from '../helpers/random.js';

const HIDDEN: ActivationName[] = ['linear', 'sigmoid', 'tanh', 'relu', 'leaky_relu'];
/** output activations each loss is defined for (the log losses need outputs in (0, 1)) */
const OUTPUTS: Record<LossName, ActivationName[]> = {
  sse: ['linear', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'softmax'],
  half_sse: ['linear', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'softmax'],
  mse: ['linear', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'softmax'],
  cross_entropy: ['softmax', 'sigmoid'],
  binary_cross_entropy: ['sigmoid', 'softmax'],
};
const SHAPES = [[3, 4, 2], [1, 1, 1], [2, 1, 3], [4, 5, 1, 3]];
const ROWS = 5;

function targets(random: Random, loss: LossName, outputs: number): Float32Array {
  if (loss === 'cross_entropy') return randomOneHot(random, ROWS, outputs);
  return randomArray(random, ROWS * outputs, loss === 'binary_cross_entropy' ? 0 : -1, 1);
}

describe('gradient check (float64, central differences)', () => {
  for (const loss of Object.keys(OUTPUTS) as LossName[]) {
    for (const output of OUTPUTS[loss]) {
      it.each(HIDDEN)(`%s hidden layers, ${output} output, ${loss}`, (hidden) => {
        for (const sizes of SHAPES) {
          const random = new Random(sizes.length * 1000 + sizes[0]! * 10 + sizes[1]!);
          const layers = sizes.length - 1;
          const spec = {
            sizes,
            activations: Array.from({ length: layers }, (_, l) => Activation[l === layers - 1 ? output : hidden]),
            loss: Loss[loss],
          };
          const count = sizes.slice(1).reduce((sum, units, l) => sum + (sizes[l]! + 1) * units, 0);
          const params = randomArray(random, count, -1, 1);
          const x = randomArray(random, ROWS * sizes[0]!, -1, 1);
          const result = gradientCheckSpec(spec, params, x, targets(random, loss, sizes[layers]!), ROWS);
          expect(result.maxRelativeError, `sizes ${sizes.join('-')}: parameter ${result.worstIndex} analytic ${result.analytic[result.worstIndex]} numeric ${result.numeric[result.worstIndex]}`).toBeLessThan(1e-5);
        }
      });
    }
  }

  it('detects a wrong gradient: backpropagation through a kernel with a 1% error fails the check', () => {
    const spec = { sizes: [2, 3, 1], activations: [Activation.tanh, Activation.linear], loss: Loss.mse };
    const random = new Random(5);
    const params = randomArray(random, 13), x = randomArray(random, ROWS * 2), y = randomArray(random, ROWS);
    // tanh' scaled by 1.01: the hidden layer's weight gradients come out 1% too large
    const skewed: Kernels = {
      ...jsKernels,
      activation_backward: (dz, da, z, a, m, n, act) => {
        jsKernels.activation_backward(dz, da, z, a, m, n, act);
        if (act === Activation.tanh) for (let i = 0; i < m * n; i++) dz[i] = dz[i]! * 1.01;
      },
    };
    const wrong = compareGradients(new ComposedEngine(spec, skewed, Float64Array), params, x, y, ROWS);
    expect(wrong.maxRelativeError).toBeGreaterThan(5e-3);
    expect(wrong.worstIndex).toBeLessThan(9); // a first-layer parameter (W1 is 2 × 3, b1 3)
    const right = compareGradients(new ComposedEngine(spec, jsKernels, Float64Array), params, x, y, ROWS);
    expect(right.maxRelativeError).toBeLessThan(1e-5);
  });

  it('refuses a step or floor that would make any gradient pass, and never passes a non-finite one', () => {
    const spec = { sizes: [2, 3, 1], activations: [Activation.tanh, Activation.linear], loss: Loss.mse };
    const random = new Random(6);
    const params = randomArray(random, 13), x = randomArray(random, ROWS * 2), y = randomArray(random, ROWS);
    for (const epsilon of [0, -1e-5, Number.NaN, Infinity]) {
      expect(() => gradientCheckSpec(spec, params, x, y, ROWS, { epsilon }), String(epsilon)).toThrow(InvalidArgumentError);
    }
    for (const floor of [0, Number.NaN]) expect(() => gradientCheckSpec(spec, params, x, y, ROWS, { floor })).toThrow(/floor/);
    expect(() => gradientCheckSpec(spec, params, x, y, ROWS, { eps: 1e-3 } as object)).toThrow(/Unknown option 'eps'/);
    const broken = params.slice();
    broken[0] = Number.NaN;
    expect(gradientCheckSpec(spec, broken, x, y, ROWS).maxRelativeError).toBe(Infinity);
  });
});
