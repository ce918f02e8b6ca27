// Armijo backtracking on full-batch gradient descent: the loss never increases, each iteration
// reports its step size and evaluation count, and it needs fewer iterations than a fixed step to
// reach the same loss.
import { describe, expect, it } from 'vitest';
import { Network } from '../../src/nn/network.js';
import { spiralsData, squaresData } from '../../src/data/generators.js';
import { loadableBackendNames } from '../helpers/backends.js';

const problem = squaresData(200, 2);
const make = (backend: string) => Network.create({ inputs: 1, layers: [{ units: 8, activation: 'tanh' }, { units: 1, activation: 'linear' }], loss: 'half_sse', init: 'uniform', seed: 4, backend: backend as 'js' });

describe.each(await loadableBackendNames())('%s backend: Armijo line search', (backend) => {
  it('never increases the loss and reports step sizes and evaluations', async () => {
    const net = await make(backend);
    let previous = net.evaluate(problem.x, problem.y).loss;
    const history = await net.fit(problem.x, problem.y, { epochs: 60, optimizer: { type: 'armijo', sigma: 1e-4, alpha: 0.5 } });
    for (const record of history.epochs) {
      expect(record.loss).toBeLessThanOrEqual(previous);
      expect(record.evaluations).toBeGreaterThanOrEqual(2);
      expect(record.stepSize).toBeGreaterThan(0);
      expect(record.gradientNorm).toBeGreaterThan(0);
      previous = record.loss;
    }
  });

  it('reaches a fixed-step run’s loss in fewer iterations', async () => {
    const fixed = await make(backend);
    const fixedHistory = await fixed.fit(problem.x, problem.y, { epochs: 200, batchSize: problem.rows, optimizer: { type: 'sgd', lr: 0.05 } });
    const target = fixedHistory.epochs.at(-1)!.loss;
    const armijo = await make(backend);
    const armijoHistory = await armijo.fit(problem.x, problem.y, { epochs: 200, optimizer: 'armijo', onEpochEnd: (r) => r.loss > target });
    const iterations = armijoHistory.epochs.length;
    expect(armijoHistory.epochs.at(-1)!.loss).toBeLessThanOrEqual(target);
    expect(iterations).toBeLessThan(200 / 2);
  });

  it('stops when the gradient norm is below the tolerance', async () => {
    const net = await Network.create({ inputs: 2, layers: [{ units: 2, activation: 'softmax' }], loss: 'cross_entropy', seed: 1, backend: backend as 'js' });
    const spirals = spiralsData(20, 1);
    const history = await net.fit(spirals.x, spirals.y, { epochs: 500, optimizer: { type: 'armijo', tolerance: 1e-3 } });
    expect(history.converged).toBe(true);
    expect(history.epochs.length).toBeLessThan(500);
    expect(history.epochs.at(-1)!.gradientNorm).toBeLessThan(1e-3);
  });
});
