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

// The gradient a training step applies, against the loss that step reports: with the l2 and l1
// penalties, row weights, a fixed dropout mask, and soft cross-entropy targets whose rows do not
// sum to 1.
describe('gradient check of the training step (float64, central differences)', () => {
  const setup = (sizes: number[], hidden: ActivationName, output: ActivationName, loss: LossName, seed: number) => {
    const random = new Random(seed);
    const layers = sizes.length - 1;
    const spec = {
      sizes,
      activations: Array.from({ length: layers }, (_, l) => Activation[l === layers - 1 ? output : hidden]),
      loss: Loss[loss],
      dropout: Array.from({ length: layers }, (_, l) => (l === layers - 1 ? 0 : 0.4)),
      seed,
    };
    const count = sizes.slice(1).reduce((sum, units, l) => sum + (sizes[l]! + 1) * units, 0);
    const params = randomArray(random, count, -1, 1);
    const x = randomArray(random, ROWS * sizes[0]!, -1, 1);
    const outputs = sizes[layers]!;
    // soft targets in [0, 1]: cross-entropy rows summing to anything
    const y = randomArray(random, ROWS * outputs, loss === 'mse' ? -1 : 0, 1);
    const weights = randomArray(random, ROWS, 0, 2);
    return { spec, params, x, y, weights };
  };
  const CASES: [ActivationName, ActivationName, LossName][] = [
    ['relu', 'softmax', 'cross_entropy'], ['tanh', 'softmax', 'cross_entropy'], ['sigmoid', 'sigmoid', 'binary_cross_entropy'],
    ['leaky_relu', 'linear', 'mse'], ['linear', 'sigmoid', 'cross_entropy'],
  ];

  it.each(CASES)('%s hidden, %s output, %s: l2, l1, row weights and soft targets', (hidden, output, loss) => {
    for (const sizes of [[3, 4, 2], [4, 5, 1, 3]]) {
      const { spec, params, x, y, weights } = setup(sizes, hidden, output, loss, sizes.length * 31 + sizes[1]!);
      for (const options of [{ l2: 0.3 }, { l1: 0.05 }, { sampleWeight: weights }, { l2: 0.1, l1: 0.02, sampleWeight: weights }]) {
        const result = gradientCheckSpec(spec, params, x, y, ROWS, options);
        expect(result.maxRelativeError, `${sizes.join('-')} ${Object.keys(options).join('+')}: parameter ${result.worstIndex}`).toBeLessThan(1e-5);
      }
    }
  });

  it.each(CASES)('%s hidden, %s output, %s: dropout with a fixed mask (and everything else)', (hidden, output, loss) => {
    for (const sizes of [[3, 6, 2], [4, 7, 5, 3]]) {
      const { spec, params, x, y, weights } = setup(sizes, hidden, output, loss, sizes.length * 17 + sizes[1]!);
      for (const dropoutStep of [1, 12]) {
        const result = gradientCheckSpec(spec, params, x, y, ROWS, { dropoutStep, l2: 0.1, sampleWeight: weights });
        expect(result.maxRelativeError, `${sizes.join('-')} step ${dropoutStep}: parameter ${result.worstIndex}`).toBeLessThan(1e-5);
      }
    }
  });

  it('detects a dropout backward pass that uses another mask, and an output error that assumes targets sum to 1', () => {
    const { spec, params, x, y } = setup([3, 6, 2], 'relu', 'softmax', 'cross_entropy', 4);
    const wrongMask: Kernels = {
      ...jsKernels,
      dropout_backward: (dz, da, z, m, n, act, rate, seed, step, layer) => jsKernels.dropout_backward(dz, da, z, m, n, act, rate, seed, step + 1, layer),
    };
    expect(compareGradients(new ComposedEngine(spec, wrongMask, Float64Array), params, x, y, ROWS, { dropoutStep: 3 }).maxRelativeError).toBeGreaterThan(1e-2);
    const normalised: Kernels = {
      ...jsKernels,
      output_delta_fused: (dz, p, t, w, m, n) => jsKernels.output_delta_fused(dz, p, t, w, m, n, Activation.sigmoid), // p − y, as if Σy = 1
    };
    const noDropout = { ...spec, dropout: undefined };
    expect(compareGradients(new ComposedEngine(noDropout, normalised, Float64Array), params, x, y, ROWS).maxRelativeError).toBeGreaterThan(1e-2);
    expect(compareGradients(new ComposedEngine(noDropout, jsKernels, Float64Array), params, x, y, ROWS).maxRelativeError).toBeLessThan(1e-5);
  });

  it('refuses training options it cannot use', () => {
    const { spec, params, x, y } = setup([3, 4, 2], 'relu', 'softmax', 'cross_entropy', 8);
    expect(() => gradientCheckSpec(spec, params, x, y, ROWS, { l2: -1 })).toThrow(/l2/);
    expect(() => gradientCheckSpec(spec, params, x, y, ROWS, { sampleWeight: [1, 2] })).toThrow(/5 weights, one per row/);
    expect(() => gradientCheckSpec(spec, params, x, y, ROWS, { dropoutStep: 1.5 })).toThrow(/dropoutStep/);
  });
});
