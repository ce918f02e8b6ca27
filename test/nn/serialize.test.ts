// Save/load: round trips, resumption, atomic writes, and rejection of damaged or foreign files.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Network } from '../../src/index.js';
import { spiralsData } from '../../src/data/generators.js';
import { FormatError } from '../../src/util/errors.js';
import { loadableBackendNames } from '../helpers/backends.js';

const data = spiralsData(60, 2);
const dir = mkdtempSync(join(tmpdir(), 'mlpx-serialize-'));
const create = (backend: string) => Network.create({ inputs: 2, layers: [{ units: 12, activation: 'tanh' }, { units: 2, activation: 'softmax' }], loss: 'cross_entropy', seed: 9, backend: backend as 'js' });

describe.each(await loadableBackendNames())('%s backend: save and load', (backend) => {
  it('round-trips to identical predictions, through a file and a buffer', async () => {
    const net = await create(backend);
    await net.fit(data.x, data.y, { epochs: 3, batchSize: 10 });
    const path = join(dir, `${backend}-roundtrip.mlpx`);
    await net.save(path);
    const fromFile = await Network.load(path, { backend });
    const fromBuffer = await Network.fromBuffer(net.toBuffer(), { backend });
    expect(fromFile.predict(data.x)).toEqual(net.predict(data.x));
    expect(fromBuffer.getWeights()).toEqual(net.getWeights());
    expect(fromFile.architecture).toEqual(net.architecture);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]); // the temporary file was renamed
  });

  it('resumed training continues the same loss curve (weights, optimizer state, step, shuffling)', async () => {
    const straight = await create(backend);
    const straightCurve: number[] = [];
    await straight.fit(data.x, data.y, { epochs: 4, batchSize: 10, optimizer: 'adam', onBatchEnd: (b) => straightCurve.push(b.loss) });

    const first = await create(backend);
    const resumedCurve: number[] = [];
    await first.fit(data.x, data.y, { epochs: 2, batchSize: 10, optimizer: 'adam', onBatchEnd: (b) => resumedCurve.push(b.loss) });
    const path = join(dir, `${backend}-resume.mlpx`);
    await first.save(path);
    const resumed = await Network.load(path, { backend });
    await resumed.fit(data.x, data.y, { epochs: 2, batchSize: 10, onBatchEnd: (b) => resumedCurve.push(b.loss) });
    expect(resumedCurve).toEqual(straightCurve);
    expect(resumed.getWeights()).toEqual(straight.getWeights());
  });
});

describe('damaged and foreign model files', () => {
  it('rejects truncated, corrupted, foreign and future-version files with a FormatError naming the file', async () => {
    const net = await create('js');
    const path = join(dir, 'good.mlpx');
    await net.save(path);
    const good = readFileSync(path);
    const cases: [string, Uint8Array, RegExp][] = [
      ['truncated', good.subarray(0, good.length - 10), /truncated/],
      ['header only', good.subarray(0, 20), /truncated/],
      ['flipped bit', (() => { const b = Uint8Array.from(good); b[b.length - 20]! ^= 0x10; return b; })(), /checksum/],
      ['foreign', new TextEncoder().encode('{"not": "a model"}'), /not an mlpx model/],
      ['empty', new Uint8Array(0), /not an mlpx model/],
      ['future version', (() => { const b = Uint8Array.from(good); b[4] = 99; return b; })(), /version 99/],
    ];
    for (const [name, bytes, message] of cases) {
      const file = join(dir, `${name.replace(/ /g, '-')}.mlpx`);
      writeFileSync(file, bytes);
      await expect(Network.load(file), name).rejects.toThrow(FormatError);
      await expect(Network.load(file), name).rejects.toThrow(message);
      await expect(Network.load(file), name).rejects.toThrow(file);
    }
  });

  it('a failed save leaves neither a partial file nor a temporary one', async () => {
    const net = await create('js');
    const missing = join(dir, 'no-such-folder', 'model.mlpx');
    await expect(net.save(missing)).rejects.toThrow(/ENOENT/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
