// An update that makes a weight or an optimizer state non-finite must never leave a "successful"
// fit with NaN weights, on any backend: the step checks what it wrote, the fit stops with a
// NonFiniteError at that batch, and the network is put back as it was at the start of that
// epoch — weights, optimizer state and update count — a snapshot known to be finite.
import { describe, expect, it } from 'vitest';
import { FormatError, Network, NonFiniteError } from '../../src/index.js';
import { buildModel, splitModel } from '../fuzz/model-files.js';
import { BACKENDS, outcome, tally } from './setup.js';

const count = tally('non-finite training');
// x = 0, y = 0 (zero gradient) then x = 1, y = 10: with lr 3e38 (finite as a float32) the second
// batch's update, lr · g ≈ 3e38 · 20, overflows, while its loss and gradient are finite
const x = Float32Array.of(0, 0, 0, 0, 1, 1, 1, 1);
const y = Float32Array.of(0, 0, 0, 0, 10, 10, 10, 10);
const linear = (backend: string) => Network.create({ inputs: 1, layers: [{ units: 1, activation: 'linear' }], loss: 'mse', seed: 4, backend: backend as 'js' });
const HUGE = 3e38;

describe.each(BACKENDS)('%s backend: non-finite updates', (backend) => {
  it('an update that overflows on the last batch rejects the fit and restores the epoch start', async () => {
    const net = await linear(backend);
    const initial = net.getWeights();
    const error = await outcome(() => net.fit(x, y, { epochs: 1, batchSize: 4, shuffle: false, optimizer: { type: 'sgd', lr: HUGE } }));
    count(error);
    expect(error).toBeInstanceOf(NonFiniteError);
    expect((error as NonFiniteError).batch).toBe(2);
    expect((error as Error).message).toMatch(/epoch 1, batch 2: the optimizer update made a weight or its optimizer state non-finite.*put back as it was at the start of epoch 1/);
    expect(net.getWeights()).toEqual(initial);
    expect(net.training.step).toBe(0);
    expect(net.predict(x).every(Number.isFinite)).toBe(true);
  });

  it('restores the weights, optimizer state and update count of the failing epoch\'s start', async () => {
    // momentum: its velocity overflows too; epoch 1 trains normally, epoch 2's rate makes its
    // first update (x = 1, y = 10 first this time) overflow
    const [xr, yr] = [x.slice().reverse(), y.slice().reverse()];
    const optimizer = { type: 'momentum' as const, lr: 0.01 };
    const reference = await linear(backend);
    await reference.fit(xr, yr, { epochs: 1, batchSize: 4, shuffle: false, optimizer });
    const net = await linear(backend);
    const error = await outcome(() => net.fit(xr, yr, { epochs: 2, batchSize: 4, shuffle: false, optimizer, lrSchedule: (epoch, lr) => (epoch === 1 ? lr : HUGE) }));
    count(error);
    expect(error).toBeInstanceOf(NonFiniteError);
    expect((error as NonFiniteError).epoch).toBe(2);
    expect(net.training).toEqual(reference.training);
    expect(net.toBuffer()).toEqual(reference.toBuffer()); // weights and velocity included
    // and training goes on from there
    await net.fit(xr, yr, { epochs: 1, batchSize: 4, shuffle: false });
    expect(net.getWeights().every(Number.isFinite)).toBe(true);
  });

  it('a gradient beyond float32\'s range is not applied (its g² would overflow Adam\'s second moment)', async () => {
    const net = await linear(backend);
    const initial = net.getWeights();
    // ŷ − y ≈ 5e9 and x = 1e10: g ≈ 1e20 (finite), ‖g‖² ≈ 1e40 (beyond float32), the loss ≈ 2.5e19 (finite)
    const error = await outcome(() => net.fit(Float32Array.of(1e10), Float32Array.of(0), { epochs: 1, optimizer: 'adam' }));
    count(error);
    expect(error).toBeInstanceOf(NonFiniteError);
    expect((error as Error).message).toMatch(/batch 1: the gradient's squared norm .* is beyond float32's range.*update was skipped/);
    expect(net.getWeights()).toEqual(initial);
    expect(net.training.step).toBe(0);
  });

  it('a non-finite loss skips the update: the weights of the last finite update stay', async () => {
    const net = await linear(backend);
    const huge = Float32Array.of(0.5, 0.5, 0.5, 0.5, 3e38, 3e38, 3e38, 3e38); // (w·x − y)² overflows on batch 2
    const error = await outcome(() => net.fit(huge, y, { epochs: 1, batchSize: 4, shuffle: false, optimizer: { type: 'sgd', lr: 0.1 } }));
    count(error);
    expect(error).toBeInstanceOf(NonFiniteError);
    expect((error as Error).message).toMatch(/batch 2: .*update was skipped/);
    expect(net.training.step).toBe(1);
    expect(net.getWeights().every(Number.isFinite)).toBe(true);
  });
});

describe.each(BACKENDS)('%s backend: non-finite models', (backend) => {
  it('a model whose weights or optimizer state are not finite is refused on load', async () => {
    const net = await linear(backend);
    await net.fit(x, y, { epochs: 1, optimizer: 'adam' });
    const { header, payload } = splitModel(net.toBuffer());
    const values = new Float32Array(payload.buffer.slice(0));
    // the payload is the parameters, then the optimizer state: poison one of each in turn
    for (const [at, value] of [[0, Number.NaN], [net.parameterCount + 1, Infinity]] as const) {
      const poisoned = values.slice();
      poisoned[at] = value;
      const bytes = buildModel(header, new Uint8Array(poisoned.buffer), { version: formatVersion(net.toBuffer()) });
      const error = await outcome(() => Network.fromBuffer(bytes, { backend: backend as 'js' }));
      count(error);
      expect(error).toBeInstanceOf(FormatError);
      expect((error as Error).message).toMatch(new RegExp(`is ${value}`));
    }
  });
});

/** The format version a model file was written with (bytes 4–7). */
function formatVersion(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
}
