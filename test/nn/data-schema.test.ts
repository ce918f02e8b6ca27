// Standardisation and names that travel with a model: fit's standardize option, predict on raw
// features, the version-2 file format (and version-1 files written before it), and refusal of
// impossible schemas from users and from crafted files alike.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeStandardization, Network, spiralsData } from '../../src/index.js';
import { standardize } from '../../src/data/standardize.js';
import { splitRows } from '../../src/nn/data.js';
import { FormatError, InvalidArgumentError } from '../../src/util/errors.js';
import { buildModel, splitModel } from '../fuzz/model-files.js';

const fixtures = resolve(import.meta.dirname, '../fixtures');
const layers = [{ units: 6, activation: 'tanh' as const }, { units: 2, activation: 'softmax' as const }];
const create = () => Network.create({ inputs: 2, layers, loss: 'cross_entropy', seed: 3, backend: 'js' });
// spirals shifted and scaled far from zero mean / unit variance
const raw = spiralsData(40, 5);
const shifted = Float32Array.from(raw.x, (v, i) => (i % 2 === 0 ? 50 + 8 * v : -3 + 0.01 * v));

describe('standardisation', () => {
  it('fit({ standardize: true }) takes mean and std from the training rows only, and predict takes raw features', async () => {
    const net = await create();
    await net.fit(shifted, raw.y, { epochs: 2, standardize: true, validationSplit: 0.25 });
    // validationSplit holds out a seeded shuffle of the rows: the statistics come from the others
    const { train } = splitRows(raw.rows, 0.25, net.seed);
    const expected = computeStandardization(shifted, 2, train);
    expect(expected).not.toEqual(computeStandardization(shifted, 2));
    const stats = net.dataSchema.standardization!;
    expect(stats.mean).toEqual(expected.mean);
    expect(stats.std).toEqual(expected.std);
    expect(Math.abs(stats.mean[0]! - 50)).toBeLessThan(2);

    const plain = await create();
    plain.setWeights(net.getWeights());
    expect(net.predict(shifted)).toEqual(plain.predict(standardize(shifted, stats)));
    expect(net.evaluate(shifted, raw.y)).toEqual(plain.evaluate(standardize(shifted, stats), raw.y));
  });

  it('keeps the first standardisation when training continues, and computes population std with constant columns → 1', async () => {
    const net = await create();
    await net.fit(shifted, raw.y, { epochs: 1, standardize: true });
    const first = net.dataSchema.standardization!;
    await net.fit(Float32Array.from(shifted, (v) => v * 2), raw.y, { epochs: 1, standardize: true });
    expect(net.dataSchema.standardization).toEqual(first);
    const stats = computeStandardization(Float32Array.from([1, 5, 3, 5]), 2);
    expect(Array.from(stats.mean)).toEqual([2, 5]);
    expect(Array.from(stats.std)).toEqual([1, 1]); // column 1 is constant
  });

  it('standardises training on standardised rows: the same weights as training a plain network on them', async () => {
    const net = await create();
    await net.fit(shifted, raw.y, { epochs: 3, standardize: true, shuffle: false });
    const plain = await create();
    await plain.fit(standardize(shifted, net.dataSchema.standardization!), raw.y, { epochs: 3, shuffle: false });
    expect(net.getWeights()).toEqual(plain.getWeights());
  });
});

describe('setDataSchema refuses impossible schemas, naming the field', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['mean of the wrong length', { standardization: { mean: [0], std: [1, 1] } }, /standardization\.mean/],
    ['zero std', { standardization: { mean: [0, 0], std: [1, 0] } }, /standardization\.std\[1\]/],
    ['std that is 0 in float32', { standardization: { mean: [0, 0], std: [1, 1e-50] } }, /standardization\.std\[1\]/],
    ['NaN mean', { standardization: { mean: [Number.NaN, 0], std: [1, 1] } }, /standardization\.mean\[0\] but received NaN/],
    ['duplicate class names', { classes: ['a', 'a'] }, /schema\.classes: 'a' appears twice/],
    ['too few class names', { classes: ['a'] }, /2 class names for schema\.classes/],
    ['a non-string class', { classes: ['a', 7] }, /schema\.classes\[1\]/],
    ['feature names of the wrong count', { features: ['x'] }, /2 input names for schema\.features/],
    ['the target among the features', { features: ['x', 'y'], target: 'y' }, /'y' is also an input column/],
    ['an unknown field', { mean: [0, 0] }, /unknown field 'mean'/],
  ];
  it.each(cases)('%s', async (_name, schema, message) => {
    const net = await create();
    expect(() => net.setDataSchema(schema as never)).toThrow(InvalidArgumentError);
    expect(() => net.setDataSchema(schema as never)).toThrow(message);
  });

  it('class names need a classifier', async () => {
    const net = await Network.create({ inputs: 2, layers: [{ units: 1, activation: 'linear' }], loss: 'mse', backend: 'js' });
    expect(() => net.setDataSchema({ classes: ['a', 'b'] })).toThrow(/class names need a classifier/);
  });
});

describe('model files', () => {
  it('load version-1 files written before the schema existed', async () => {
    const expected = JSON.parse(readFileSync(resolve(fixtures, 'model-v1.json'), 'utf8'));
    const bytes = readFileSync(resolve(fixtures, 'model-v1.mlpx'));
    expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true)).toBe(1);
    const net = await Network.fromBuffer(bytes, { backend: 'js' });
    expect(net.training).toMatchObject({ epochsTrained: expected.epochsTrained, step: expected.step });
    expect(Array.from(net.predict(Float32Array.from(expected.x)))).toEqual(expected.predictions);
    expect(net.dataSchema).toEqual({ standardization: null, features: null, target: null, classes: null });
    await net.fit(Float32Array.from(expected.x), new Int32Array([0, 1, 0, 1]), { epochs: 1 }); // resumes with its saved Adam state
  });

  it('load version-2 files written before dropout, regularisation and clipping were stored', async () => {
    const expected = JSON.parse(readFileSync(resolve(fixtures, 'model-v2.json'), 'utf8'));
    const bytes = readFileSync(resolve(fixtures, 'model-v2.mlpx'));
    expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true)).toBe(2);
    const net = await Network.fromBuffer(bytes, { backend: 'js' });
    expect(net.training).toMatchObject({ epochsTrained: expected.epochsTrained, step: expected.step, optimizer: expected.optimizer });
    expect(Array.from(net.predict(Float32Array.from(expected.x)))).toEqual(expected.predictions);
    expect(JSON.parse(JSON.stringify({ ...net.dataSchema, standardization: { mean: Array.from(net.dataSchema.standardization!.mean), std: Array.from(net.dataSchema.standardization!.std) } }))).toEqual(expected.dataSchema);
    expect(net.architecture.layers.every((layer) => layer.dropout === undefined)).toBe(true);
    await net.fit(Float32Array.from(expected.x), new Int32Array([0, 1, 0, 1]), { epochs: 1 }); // resumes with its saved momentum
    expect(net.training.step).toBe(expected.step + 1);
    expect(new DataView(net.toBuffer().buffer).getUint32(4, true)).toBe(3);
  });

  it('round-trip standardisation, column names and class names', async () => {
    const net = await create();
    await net.fit(shifted, raw.y, { epochs: 1, standardize: true });
    net.setDataSchema({ features: ['x', 'y'], target: 'arm', classes: ['left', 'right'] });
    const back = await Network.fromBuffer(net.toBuffer(), { backend: 'js' });
    expect(back.dataSchema).toEqual(net.dataSchema);
    expect(back.predict(shifted)).toEqual(net.predict(shifted));
    expect(new DataView(net.toBuffer().buffer).getUint32(4, true)).toBe(3);
  });

  it('with impossible schemas are refused before anything is allocated, naming the file and the field', async () => {
    const net = await create();
    await net.fit(shifted, raw.y, { epochs: 1, standardize: true });
    net.setDataSchema({ classes: ['left', 'right'] });
    const { header, payload } = splitModel(net.toBuffer());
    const data = header.data as Record<string, unknown>;
    const stats = data.standardization as { mean: number[]; std: number[] };
    const edit = (changes: Record<string, unknown>) => buildModel({ ...header, data: { ...data, ...changes } }, payload, { version: 2 });
    const cases: [string, Uint8Array, RegExp][] = [
      ['no data field', buildModel({ ...header, data: undefined }, payload, { version: 2 }), /invalid header \(Expected \{ standardization\?, features\?, target\?, classes\? \} for data but received undefined\)/],
      ['null in the mean', edit({ standardization: { ...stats, mean: [stats.mean[0], null] } }), /data\.standardization\.mean\[1\] but received null/],
      ['negative std', edit({ standardization: { ...stats, std: [-1, 1] } }), /data\.standardization\.std\[0\] but received -1/],
      ['a million means for two inputs', edit({ standardization: { ...stats, mean: new Array(1e6).fill(0) } }), /Expected 2 numbers \(one per input\) for data\.standardization\.mean but received Array\(1000000\)/],
      ['duplicate class names', edit({ classes: ['left', 'left'] }), /data\.classes: 'left' appears twice/],
      ['three class names for two outputs', edit({ classes: ['a', 'b', 'c'] }), /Expected 2 class names for data\.classes but received Array\(3\)/],
      ['an empty target name', edit({ target: '' }), /data\.target but received '' \(string\)/],
    ];
    for (const [name, bytes, message] of cases) {
      const error = await Network.fromBuffer(bytes, { backend: 'js' }, 'crafted.mlpx').catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(FormatError);
      expect((error as Error).message, name).toMatch(/^crafted\.mlpx: invalid header/);
      expect((error as Error).message, name).toMatch(message);
    }
    // the same header as version 1 ignores `data` entirely (version-1 files never had it)
    const v1 = await Network.fromBuffer(buildModel({ ...header, data: 'anything' }, payload, { version: 1 }), { backend: 'js' });
    expect(v1.dataSchema.standardization).toBeNull();
  });
});
