// Transferring (detaching) the caller's arrays while a fit runs — training data, targets,
// validation data — then collecting them must change nothing: every backend trains on its own
// copy, so the fit ends bit-identical to an undisturbed one. (The native epoch worker used to
// read the caller's rows in place: this crashed the process.)
import { describe, expect, it } from 'vitest';
import { BACKENDS, classifier, gc, problem } from './setup.js';

function detach(array: Float32Array): void {
  structuredClone(array.buffer, { transfer: [array.buffer] });
}

describe.each(BACKENDS)('%s backend: detached buffers', (backend) => {
  it('data transferred away mid-fit and collected does not change the result', async () => {
    const { x, y } = problem(5);
    const validation = problem(6);
    const options = { epochs: 3, batchSize: 4, optimizer: 'adam' as const };
    const undisturbed = await classifier(backend);
    const expected = await undisturbed.fit(x.slice(), y.slice(), { ...options, validationData: [validation.x.slice(), validation.y.slice()] });

    const net = await classifier(backend);
    const [tx, ty, vx, vy] = [x.slice(), y.slice(), validation.x.slice(), validation.y.slice()];
    const history = await net.fit(tx, ty, {
      ...options, validationData: [vx, vy],
      onBatchEnd: (b) => {
        if (b.epoch !== 1 || b.batch !== 2) return;
        for (const array of [tx, ty, vx, vy]) detach(array);
        gc();
      },
    });
    expect(tx.length).toBe(0); // really detached
    expect(history.epochs.length).toBe(3);
    expect(net.getWeights()).toEqual(undisturbed.getWeights());
    expect(history.epochs.map((e) => [e.loss, e.valLoss])).toEqual(expected.epochs.map((e) => [e.loss, e.valLoss]));
  });

  it('detached arrays passed in are refused with an error, not read', async () => {
    const { x, y } = problem(7);
    const net = await classifier(backend);
    detach(x);
    await expect(net.fit(x, y)).rejects.toThrow(/x is empty/);
    expect(() => net.predict(x)).toThrow(/x is empty/);
  });
});
