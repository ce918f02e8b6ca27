// Save/load: round trips, resumption, atomic writes, and rejection of damaged, foreign or crafted files.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Network } from '../../src/index.js';
import { spiralsData } from '../../src/data/generators.js';
import { resolveOptimizer } from '../../src/nn/optimizers.js';
import { decodeNetwork, encodeNetwork } from '../../src/nn/serialize.js';
import { DataError, FileError, FormatError, InvalidArgumentError } from '../../src/util/errors.js';
import { loadableBackendNames } from '../helpers/backends.js';
import { buildModel, splitModel } from '../fuzz/model-files.js';
import { wasmBackend } from '../wasm/backend.js';

const data = spiralsData(60, 2);
const backends = await loadableBackendNames();
const dir = mkdtempSync(join(tmpdir(), 'mlpx-serialize-'));
const create = (backend: string) => Network.create({ inputs: 2, layers: [{ units: 12, activation: 'tanh' }, { units: 2, activation: 'softmax' }], loss: 'cross_entropy', seed: 9, backend: backend as 'js' });

describe.each(backends)('%s backend: save and load', (backend) => {
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
      ['future version', (() => { const b = Uint8Array.from(good); b[4] = 99; return b; })(), /version 99 is not supported \(this mlpx reads versions 1, 2, 3\)/],
    ];
    for (const [name, bytes, message] of cases) {
      const file = join(dir, `${name.replace(/ /g, '-')}.mlpx`);
      writeFileSync(file, bytes);
      await expect(Network.load(file), name).rejects.toThrow(FormatError);
      await expect(Network.load(file), name).rejects.toThrow(message);
      await expect(Network.load(file), name).rejects.toThrow(file);
    }
  });

  it('a failed save leaves neither a partial file nor a temporary one, and names the file', async () => {
    const net = await create('js');
    const missing = join(dir, 'no-such-folder', 'model.mlpx');
    await expect(net.save(missing)).rejects.toThrow(FileError);
    await expect(net.save(missing)).rejects.toThrow(`could not save ${missing} (folder ${join(dir, 'no-such-folder')} does not exist)`);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await expect(Network.load(join(dir, 'absent.mlpx'))).rejects.toThrow(FileError);
    await expect(Network.load(join(dir, 'absent.mlpx'))).rejects.toThrow(join(dir, 'absent.mlpx'));
  });

  it('refuses arguments that are not bytes or paths with an InvalidArgumentError', async () => {
    for (const bytes of [null, undefined, 'MLPX', [77, 76, 80, 88], new Float32Array(8), new ArrayBuffer(32)]) {
      await expect(Network.fromBuffer(bytes as unknown as Uint8Array)).rejects.toThrow(InvalidArgumentError);
    }
    const net = await create('js');
    for (const path of [null, 7, '']) {
      await expect(net.save(path as string)).rejects.toThrow(InvalidArgumentError);
      await expect(Network.load(path as string)).rejects.toThrow(InvalidArgumentError);
    }
  });

  it('refuses to encode non-finite parameters (a file that could not be loaded back)', async () => {
    const net = await create('js');
    const saved = decodeNetwork(net.toBuffer(), 'buffer');
    saved.params[3] = Number.NaN;
    expect(() => encodeNetwork(saved)).toThrow(DataError);
    expect(() => encodeNetwork(saved)).toThrow(/parameter 3 is NaN/);
  });
});

describe('model files with a valid checksum but impossible contents', () => {
  const good = async () => {
    const net = await create('js');
    await net.fit(data.x, data.y, { epochs: 1, batchSize: 10, optimizer: 'adam' });
    return splitModel(net.toBuffer());
  };

  it('are refused before the backend allocates: each with a FormatError naming the file and the field', async () => {
    const { header, payload } = await good();
    const arch = header.architecture as { inputs: number; layers: { units: number; activation: string }[]; loss: string };
    const params = header.paramCount as number;
    const edit = (changes: Record<string, unknown>, body = payload) => buildModel({ ...header, ...changes }, body);
    const edit3 = (changes: Record<string, unknown>) => buildModel({ ...header, ...changes }, payload, { version: 3 });
    const cases: [string, Uint8Array, RegExp][] = [
      ['500 layers of 1000 units in 17 KB', edit({ architecture: { ...arch, layers: [...Array.from({ length: 500 }, () => ({ units: 1000, activation: 'relu' })), arch.layers[1]] } }), /header declares 62 parameters but its architecture \(2 inputs, 501 layers\) has 499504002$/],
      ['parameter count that fits the payload but not the architecture', edit({ paramCount: params + 1, stateCount: 2 * params - 1 }), /header declares 63 parameters but its architecture \(2 inputs, 2 layers\) has 62$/],
      ['optimizer state of the wrong size', edit({ paramCount: params, stateCount: params }, payload.subarray(0, 8 * params)), /62 optimizer state values do not fit 62 parameters and optimizer adam/],
      ['header that is JSON null', buildModel('null', payload), /corrupt header \(not a JSON object\)/],
      ['header that is an array', buildModel('[1, 2]', payload), /corrupt header \(not a JSON object\)/],
      ['negative array length', edit({ paramCount: -62 }), /corrupt header \(array lengths\)/],
      ['no architecture', edit({ architecture: null }), /invalid header \(Expected \{ inputs, layers, loss \} for architecture but received null\)/],
      ['unknown activation', edit({ architecture: { ...arch, layers: [arch.layers[0], { units: 2, activation: 'swish' }] } }), /invalid header \(.*layers\[1\]\.activation.*'swish'/],
      ['unknown loss', edit({ architecture: { ...arch, loss: 'hinge' } }), /invalid header \(.*for loss but received 'hinge'/],
      ['softmax in a hidden layer', edit({ architecture: { ...arch, layers: [{ units: 12, activation: 'softmax' }, arch.layers[1]] } }), /softmax is only supported on the output layer/],
      ['fractional units', edit({ architecture: { ...arch, inputs: 2.5 } }), /invalid header \(.*inputs/],
      ['unknown init', edit({ init: 'orthogonal' }), /invalid header \(.*for init/],
      ['negative seed', edit({ seed: -1 }), /invalid header \(.*for seed but received -1/],
      ['negative step', edit({ step: -1 }), /invalid header \(Expected an integer in \[0, 2\^53\) for step but received -1/],
      ['fractional epochs', edit({ epochsTrained: 1.5 }), /invalid header \(.*for epochsTrained but received 1\.5/],
      ['missing optimizer', edit({ optimizer: undefined }), /invalid header \(.*for optimizer but received undefined/],
      ['unknown optimizer', edit({ optimizer: { type: 'lbfgs' } }), /invalid header \(.*optimizer\.type/],
      ['Adam beta1 out of range', edit({ optimizer: { type: 'adam', lr: 0.001, beta1: 2, beta2: 0.999, eps: 1e-8 } }), /invalid header \(.*optimizer\.beta1 but received 2/],
      ['negative learning rate', edit({ optimizer: { type: 'adam', lr: -1, beta1: 0.9, beta2: 0.999, eps: 1e-8 } }), /invalid header \(.*optimizer\.lr/],
      ['NaN parameter', edit({}, (() => { const p = payload.slice(); new DataView(p.buffer).setFloat32(20, Number.NaN, true); return p; })()), /parameter 5 is NaN/],
      ['infinite optimizer state', edit({}, (() => { const p = payload.slice(); new DataView(p.buffer).setFloat32(4 * (params + 7), -Infinity, true); return p; })()), /optimizer state value 7 is -Infinity/],
      ['header length past the end', buildModel(header, payload, { headerLength: 1 << 30 }), /truncated \(header of 1073741824 bytes/],
      ['dropout 1 in a hidden layer', edit3({ architecture: { ...arch, layers: [{ ...arch.layers[0], dropout: 1 }, arch.layers[1]] } }), /invalid header \(.*layers\[0\]\.dropout but received 1/],
      ['dropout on the output layer', edit3({ architecture: { ...arch, layers: [arch.layers[0], { ...arch.layers[1], dropout: 0.5 }] } }), /only hidden layers drop/],
      ['a misspelt layer field', edit3({ architecture: { ...arch, layers: [{ ...arch.layers[0], dropuot: 0.5 }, arch.layers[1]] } }), /Unknown option 'dropuot' in layers\[0\]/],
      ['negative l2', edit3({ optimizer: { type: 'adam', lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, l2: -1 } }), /invalid header \(.*optimizer\.l2/],
      ['clipNorm 0', edit3({ optimizer: { type: 'adam', lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, clipNorm: 0 } }), /invalid header \(.*optimizer\.clipNorm/],
      ['a seed of 2^53', edit3({ seed: 2 ** 53 }), /invalid header \(.*for seed/],
      ['dropout in a version 2 file', buildModel({ ...header, architecture: { ...arch, layers: [{ ...arch.layers[0], dropout: 0.5 }, arch.layers[1]] } }, payload, { version: 2 }), /'dropout' is a version 3 field, in a version 2 file/],
      ['weight decay in a version 1 file', edit({ optimizer: { type: 'adam', lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 } }), /'weightDecay' is a version 3 field, in a version 1 file/],
    ];
    for (const [name, bytes, message] of cases) {
      const path = join(dir, `crafted-${name.replace(/\W+/g, '-')}.mlpx`);
      writeFileSync(path, bytes);
      const error = await Network.load(path, { backend: 'js' }).catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(FormatError);
      expect((error as Error).message, name).toMatch(message);
      expect((error as Error).message, name).toContain(path);
    }
  });

  it('refuse exactly the optimizer settings that the library refuses from a user', async () => {
    const { header, payload } = await good();
    const adam = { type: 'adam', lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
    const settings: Record<string, unknown>[] = [
      adam, { ...adam, lr: 1e300 }, { ...adam, lr: 1e-300 }, { ...adam, beta1: 1 }, { ...adam, beta2: -0.5 }, { ...adam, eps: 1e-320 }, { ...adam, eps: 0 },
      { type: 'random', scale: 0.05, episodes: 1e9 }, { type: 'random', scale: 0.05, episodes: 0 }, { type: 'random', scale: 1e300, episodes: 1 },
      { type: 'armijo', sigma: 1e-4, alpha: 0.5, initialStep: 1, maxBacktracks: 1e9, tolerance: 1e-6 }, { type: 'armijo', sigma: 1, alpha: 0.5, initialStep: 1, maxBacktracks: 4, tolerance: 1e-6 },
    ];
    for (const optimizer of settings) {
      const refusedByLibrary = (() => {
        try {
          resolveOptimizer(optimizer);
          return false;
        } catch (error) {
          return error instanceof InvalidArgumentError;
        }
      })();
      const loading = Network.fromBuffer(buildModel({ ...header, optimizer }, payload), { backend: 'js' }, 'optimizer.mlpx');
      const name = JSON.stringify(optimizer);
      if (refusedByLibrary) await expect(loading, name).rejects.toThrow(/^optimizer\.mlpx: invalid header \(.*optimizer\./);
      else await expect(loading, name).resolves.toBeInstanceOf(Network);
    }
  });

  it.runIf(backends.includes('wasm'))('a small file declaring a huge network does not grow wasm memory', async () => {
    const { header, payload } = await good();
    const arch = header.architecture as { layers: unknown[] };
    const huge = buildModel({ ...header, architecture: { ...arch, layers: [...Array.from({ length: 500 }, () => ({ units: 1000, activation: 'relu' })), arch.layers[1]] } }, payload);
    await Network.create({ inputs: 2, layers: [{ units: 2, activation: 'softmax' }], loss: 'cross_entropy', backend: 'wasm' }); // loads the module
    const memory = (await wasmBackend()).runtime.mem;
    const before = memory.byteLength;
    await expect(Network.fromBuffer(huge, { backend: 'wasm' })).rejects.toThrow(FormatError);
    expect(memory.byteLength).toBe(before);
  });
});
