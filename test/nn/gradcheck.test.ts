// Backpropagation against central finite differences, in float64, for every hidden activation
// with every loss (and each output activation the loss is defined for), on several shapes
// including 1-unit layers.
import { describe, expect, it } from 'vitest';
import { Activation, Loss, type ActivationName, type LossName } from '../../src/backend/kernels.js';
import { gradientCheckSpec } from '../../src/nn/gradcheck.js';
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

  it('detects a wrong gradient (the check can fail)', () => {
    const spec = { sizes: [2, 3, 1], activations: [Activation.tanh, Activation.linear], loss: Loss.mse };
    const random = new Random(5);
    const result = gradientCheckSpec(spec, randomArray(random, 13), randomArray(random, ROWS * 2), randomArray(random, ROWS), ROWS);
    result.analytic[0] = result.analytic[0]! * 1.01 + 1e-3;
    const error = Math.abs(result.analytic[0]! - result.numeric[0]!) / Math.max(Math.abs(result.analytic[0]!), Math.abs(result.numeric[0]!));
    expect(error).toBeGreaterThan(1e-5);
  });
});
