// One seed makes initialisation, shuffling and training reproducible; another seed differs.
import { describe, expect, it } from 'vitest';
import { Network } from '../../src/nn/network.js';
import { spiralsData } from '../../src/data/generators.js';
import { loadableBackendNames } from '../helpers/backends.js';

const data = spiralsData(100, 1);

async function run(seed: number, backend: string) {
  const net = await Network.create({ inputs: 2, layers: [{ units: 16, activation: 'relu' }, { units: 2, activation: 'softmax' }], loss: 'cross_entropy', seed, backend: backend as 'js' });
  const initial = net.getWeights();
  const curve: number[] = [];
  await net.fit(data.x, data.y, { epochs: 5, batchSize: 8, optimizer: 'adam', onBatchEnd: (b) => curve.push(b.loss) });
  return { initial, final: net.getWeights(), curve };
}

describe.each(await loadableBackendNames())('%s backend: determinism', (backend) => {
  it('the same seed gives identical weights and an identical loss curve', async () => {
    const a = await run(42, backend);
    const b = await run(42, backend);
    expect(b.initial).toEqual(a.initial);
    expect(b.curve).toEqual(a.curve);
    expect(b.final).toEqual(a.final);
    expect(a.curve.length).toBe(5 * Math.ceil(200 / 8));
  });

  it('a different seed gives different weights', async () => {
    const a = await run(42, backend);
    const c = await run(43, backend);
    expect(c.initial).not.toEqual(a.initial);
    expect(c.final).not.toEqual(a.final);
  });
});
