// Sizes the backends cannot index, and networks or fits that cannot fit in memory, are refused
// with one InvalidArgumentError before anything is allocated, on every backend: layer sizes up
// to 2^31 − 1, at most 2^31 − 1 parameters, and at most the backend's memory limit (wasm: its
// 2 GiB of linear memory; native and js: half the machine's physical memory). What a batch takes
// is counted whole: on native, also its room in the process's buffer of K-block products; and what a
// network holds: on native, also the copy of the weights predict packs.
import { describe, expect, it } from 'vitest';
import { Activation, Loss } from '../../src/backend/kernels.js';
import { engineBytes, packSpec, workspaceBytes, type NetSpec } from '../../src/backend/layout.js';
import { loadBackend } from '../../src/backend/registry.js';
import { InvalidArgumentError, MlpxError, Network, type NetworkOptions } from '../../src/index.js';
import { mebibytes } from '../../src/nn/fit.js';
import { BACKENDS, outcome, tally } from './setup.js';

const count = tally('sizes and memory');
const net = (inputs: number, units: number, backend: string): NetworkOptions => ({
  inputs, layers: [{ units, activation: 'relu' }, { units: 1, activation: 'linear' }], loss: 'mse', backend: backend as 'js',
});
/** What a refusal says the backend's engine holds: only native keeps a packed copy of the weights. */
const holds = (backend: string) => '4 bytes per parameter for the weights, the gradients and two floats of optimizer state' +
  (backend === 'native' ? ', and the copy of the weights predict packs' : '');
/** the NetSpec of net(inputs, units) */
const spec = (inputs: number, units: number): NetSpec => ({
  sizes: [inputs, units, 1], activations: [Activation.relu, Activation.linear], loss: Loss.mse,
});

describe.each(BACKENDS)('%s backend: limits', (backend) => {
  it('refuses sizes and parameter counts beyond 2^31 − 1 at once, naming the size', async () => {
    const cases: [NetworkOptions, RegExp][] = [
      [net(2 ** 32 + 4, 4, backend), /\[1, 2147483647\] for inputs but received 4294967300/],
      [net(2 ** 31, 4, backend), /for inputs but received 2147483648/],
      [net(4, 2 ** 31, backend), /for layers\[0\]\.units/],
      [net(65_536, 65_536, backend), /4295098369 parameters; the backends hold at most 2147483647/],
    ];
    for (const [options, message] of cases) {
      const started = performance.now();
      const error = await outcome(() => Network.create(options));
      count(error);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toMatch(message);
      expect(performance.now() - started).toBeLessThan(2000);
    }
  });

  it('refuses a network that cannot fit in memory, stating the limit', async () => {
    const b = await loadBackend(backend as 'js');
    // 2 × 10^9 parameters: 32 GB to train, more than any backend here allows
    const error = await outcome(() => Network.create(net(199_999, 10_000, backend)));
    count(error);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(new RegExp(`needs about ${backend === 'native' ? '38\\d\\d\\d' : '305\\d\\d'}\\.\\d MiB .* allows one network ${(b.memoryLimit / 2 ** 20).toFixed(1)} MiB`));
    const need = b.engineBytes(spec(199_999, 10_000)) + b.workspaceBytes(spec(199_999, 10_000), 1);
    expect((error as Error).message).toContain(`needs about ${mebibytes(need)} to train (${holds(backend)}); `);
  });

  it('refuses a fit whose batch workspace would exceed the limit, before allocating or changing anything', async () => {
    const wide = await Network.create(net(8, 200_000, backend));
    const before = wide.toBuffer();
    const x = new Float32Array(5000 * 8).fill(0.5);
    const error = await outcome(() => wide.fit(x, new Float32Array(5000), { batchSize: 5000 })); // ~16 GB of activations
    count(error);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/a 5000-row batch .* Use a smaller batchSize/);
    const b = await loadBackend(backend as 'js');
    const need = b.engineBytes(spec(8, 200_000)) + b.workspaceBytes(spec(8, 200_000), 5000) + 4 * (x.length + 5000 + 2 * 5000);
    expect((error as Error).message).toContain(`needs about ${mebibytes(need)} (${holds(backend)}, the workspace of a 5000-row batch`);
    expect(Buffer.compare(wide.toBuffer(), before)).toBe(0);
    wide.dispose();
  });

  it("counts a network's parameters, gradients and optimizer state and, on native, the copy of the weights predict packs", async () => {
    const b = await loadBackend(backend as 'js');
    // 128 units fill whole micro-panels on every kernel path (8, 16 or 32 columns); the 1-unit output
    // layer is narrower than one and predict reads it in place
    const packed = backend === 'native' ? 4 * 784 * 128 : 0;
    expect(b.engineBytes(spec(784, 128))).toBe(engineBytes(spec(784, 128)) + packed);
  });

  it("counts a batch's workspace and, on native, its room for a split layer's K-block products", async () => {
    const b = await loadBackend(backend as 'js');
    // every layer of 8-16-1 has one K block: nothing to keep apart
    expect(b.workspaceBytes(spec(8, 16), 64)).toBe(workspaceBytes(spec(8, 16), 64));
    const beyond = (rows: number) => b.workspaceBytes(spec(4096, 64), rows) - workspaceBytes(spec(4096, 64), rows);
    if (backend !== 'native') {
      expect(beyond(16)).toBe(0);
      return;
    }
    // 4096 inputs are several K blocks: every block but the first keeps a rows × 64 product apart
    const perBlock = 4 * 16 * 64;
    expect(beyond(16)).toBeGreaterThanOrEqual(perBlock);
    expect(beyond(16) % perBlock).toBe(0);
    expect(beyond(32)).toBe(2 * beyond(16));
    expect(beyond(1 << 20)).toBe(2 ** 24); // the buffer holds at most 16 MiB
  });

  it('engines refuse what they cannot index with an MlpxError', async () => {
    const b = await loadBackend(backend as 'js');
    const spec = { sizes: [2 ** 31, 2], activations: [Activation.linear], loss: Loss.mse };
    expect(() => packSpec(spec)).toThrow(InvalidArgumentError);
    const error = await outcome(() => b.createEngine(spec));
    count(error);
    expect(error).toBeInstanceOf(MlpxError);
  });
});
