// dispose(), on every backend: afterwards every call throws a DisposedError, a second dispose is
// a no-op, `using` disposes at the end of its scope, dispose during a fit is a BusyError; on wasm
// the memory goes back to the allocator at once, so creating, training and disposing networks
// in a loop (no garbage collection in between) keeps linear memory flat.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBackend } from '../../src/backend/registry.js';
import type { WasmBackend } from '../../src/backend/wasm/backend.js';
import { BusyError, DisposedError, Network } from '../../src/index.js';
import { Random } from '../../src/util/prng.js';
import { BACKENDS, classifier, outcome, problem, tally } from './setup.js';

const count = tally('dispose');
const dir = mkdtempSync(join(tmpdir(), 'mlpx-dispose-'));

describe.each(BACKENDS)('%s backend: dispose', (backend) => {
  it('makes every later call throw a DisposedError; disposing twice is harmless', async () => {
    const { x, y, labels } = problem();
    const net = await classifier(backend);
    await net.fit(x, y, { epochs: 1 });
    net.dispose();
    net.dispose();
    const calls: (() => unknown)[] = [
      () => net.predict(x), () => net.evaluate(x, labels), () => net.fit(x, y), () => net.getWeights(),
      () => net.setWeights(new Float32Array(net.parameterCount)), () => net.layerWeights(0), () => net.toBuffer(),
      () => net.save(join(dir, `${backend}.mlpx`)),
    ];
    for (const call of calls) {
      const error = await outcome(call);
      count(error);
      expect(error, String(call)).toBeInstanceOf(DisposedError);
    }
    expect(String(net)).toMatch(/parameters/);
  });

  it('is refused while a fit runs, and works once it settles', async () => {
    const { x, y } = problem();
    const net = await classifier(backend);
    const running = net.fit(x, y, { epochs: 2 });
    const error = await outcome(() => net.dispose());
    count(error);
    expect(error).toBeInstanceOf(BusyError);
    await running;
    net.dispose();
    expect(() => net.predict(x)).toThrow(DisposedError);
  });

  it('`using` disposes at the end of the scope', async () => {
    const { x } = problem();
    let escaped: Network;
    {
      using net = await classifier(backend);
      escaped = net;
      expect(net.predict(x).length).toBe(x.length / 2);
    }
    expect(() => escaped.predict(x)).toThrow(DisposedError);
  });
});

describe.runIf(BACKENDS.includes('wasm'))('wasm backend: disposed networks give their memory back', () => {
  it('training and disposing 784-512-10 networks in a loop keeps linear memory flat', async () => {
    const { mem } = (await loadBackend('wasm') as WasmBackend).runtime;
    const random = new Random(4);
    const x = Float32Array.from({ length: 64 * 784 }, () => random.uniform(0, 1));
    const labels = Uint8Array.from({ length: 64 }, () => random.int(10));
    const cycle = async (seed: number): Promise<void> => {
      const net = await Network.create({ inputs: 784, layers: [{ units: 512, activation: 'relu' }, { units: 10, activation: 'softmax' }], loss: 'cross_entropy', backend: 'wasm', seed });
      await net.fit(x, labels, { epochs: 1, batchSize: 32 });
      net.predict(x);
      net.dispose();
    };
    await cycle(0);
    const inUse = mem.bytesInUse;
    const size = mem.byteLength;
    // ~7 MB each: 320 networks kept until garbage collection would need 2.2 GB, more than wasm has
    for (let i = 1; i <= 320; i++) await cycle(i);
    expect(mem.bytesInUse).toBe(inUse);
    expect(mem.byteLength).toBe(size);
  });
});
