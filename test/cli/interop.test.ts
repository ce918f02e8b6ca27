// The pipeline commands end to end, run as a user runs them: train on a CSV, predict to a CSV,
// evaluate (--json), export to ONNX (checked in ONNX Runtime) and TF.js, import both back; bad
// input exits 1 with one line; a million-row CSV trains.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { Network, parseCsv } from '../../src/index.js';
import { Random } from '../../src/util/prng.js';
import { worstRelativeError } from '../interop/compare.js';
import { HAVE_MNIST, MNIST_DIR } from '../helpers/mnist.js';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'mlpx-cli-interop-'));
const at = (name: string) => join(dir, name);

function mlpx(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!);

/** Three classes (names with a comma and a quote) separated by the sign of two of four offset features. */
function classesCsv(rows: number, seed: number): string {
  const random = new Random(seed);
  const names = ['"setosa, wild"', 'versicolor', '"the ""big"" one"'];
  const lines = ['sepal,petal,width,noise,species'];
  for (let r = 0; r < rows; r++) {
    const a = random.uniform(-1, 1);
    const b = random.uniform(-1, 1);
    const label = a > 0 ? 0 : b > 0 ? 1 : 2;
    lines.push(`${(100 + 10 * a).toFixed(4)},${(0.01 * b).toFixed(6)},${random.uniform(0, 5).toFixed(3)},${random.normal().toFixed(3)},${names[label]}`);
  }
  return lines.join('\r\n') + '\r\n';
}

describe('mlpx CLI: CSV → train → predict / evaluate → export → import', () => {
  const csv = at('iris-like.csv');
  writeFileSync(csv, classesCsv(400, 1));
  const model = at('model.mlpx');

  it('train --csv --target --json trains a classifier on standardised features and saves names and statistics', async () => {
    const run = mlpx('train', '--csv', csv, '--target', 'species', '--hidden', '16', '--epochs', '40', '--batch', '16', '--lr', '0.01', '--backend', 'js', '--save', model, '--json');
    expect(run.code, run.stderr).toBe(0);
    const summary = lastJson(run.stdout);
    expect(summary).toMatchObject({ trainRows: 320, testRows: 80, epochs: 40 });
    expect(summary.testAccuracy).toBeGreaterThanOrEqual(0.9);
    const net = await Network.load(model, { backend: 'js' });
    const schema = net.dataSchema;
    expect(schema.features).toEqual(['sepal', 'petal', 'width', 'noise']);
    expect(schema.target).toBe('species');
    expect(schema.classes).toEqual(['setosa, wild', 'the "big" one', 'versicolor']);
    expect(Math.abs(schema.standardization!.mean[0]! - 100)).toBeLessThan(2);
    expect(schema.standardization!.std[1]!).toBeLessThan(0.01);
  });

  it('predict --out writes class names and probabilities atomically, equal to the library\'s predictions', async () => {
    const out = at('predictions.csv');
    const run = mlpx('predict', '--model', model, '--csv', csv, '--out', out, '--backend', 'js');
    expect(run.code, run.stderr).toBe(0);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const written = await parseCsv(readFileSync(out, 'utf8'), { target: 'class' });
    expect(written.features).toEqual(['p(setosa, wild)', 'p(the "big" one)', 'p(versicolor)']);
    expect(written.rows).toBe(400);
    const net = await Network.load(model, { backend: 'js' });
    const table = await parseCsv(readFileSync(csv, 'utf8'), { target: 'species' });
    expect(worstRelativeError(written.x, net.predict(table.x))).toBeLessThanOrEqual(1e-8);
    // the class column is the most probable class, by name
    const named = written.classes!;
    for (let r = 0; r < 400; r++) {
      const p = written.x.subarray(3 * r, 3 * r + 3);
      expect(named[written.y![r]!]).toBe(net.dataSchema.classes![p.indexOf(Math.max(...p))]);
    }
    const toStdout = mlpx('predict', '--model', model, '--csv', csv, '--backend', 'js');
    expect(toStdout.stdout).toBe(readFileSync(out, 'utf8'));
  });

  it('evaluate --json prints loss and accuracy as the library computes them', async () => {
    const run = mlpx('evaluate', '--model', model, '--csv', csv, '--backend', 'js', '--json');
    expect(run.code, run.stderr).toBe(0);
    const result = lastJson(run.stdout);
    const net = await Network.load(model, { backend: 'js' });
    const table = await parseCsv(readFileSync(csv, 'utf8'), { target: 'species' });
    const labels = Int32Array.from(table.y!, (i) => net.dataSchema.classes!.indexOf(table.classes![i]!));
    expect(result).toMatchObject({ rows: 400, lossFunction: 'cross_entropy', ...net.evaluate(table.x, labels) });
    const human = mlpx('evaluate', '--model', model, '--csv', csv, '--backend', 'js');
    expect(human.stdout).toMatch(/iris-like\.csv: 400 rows, cross_entropy loss [\d.]+, accuracy [\d.]+%/);
  });

  it('export --format onnx runs in ONNX Runtime on the raw features with the same probabilities', async () => {
    const onnx = at('model.onnx');
    const run = mlpx('export', '--model', model, '--format', 'onnx', '--out', onnx);
    expect(run.code, run.stderr).toBe(0);
    const table = await parseCsv(readFileSync(csv, 'utf8'), { target: 'species' });
    const session = await ort.InferenceSession.create(onnx);
    const result = await session.run({ input: new ort.Tensor('float32', table.x, [400, 4]) });
    const net = await Network.load(model, { backend: 'js' });
    expect(worstRelativeError(result.output!.data as Float32Array, net.predict(table.x))).toBeLessThanOrEqual(1e-5);
  });

  it('export --format tfjs writes model.json and weights.bin; import of both formats predicts the same', async () => {
    const folder = at('tfjs-model');
    expect(mlpx('export', '--model', model, '--format', 'tfjs', '--out', folder).code).toBe(0);
    expect(readdirSync(folder).sort()).toEqual(['model.json', 'weights.bin']);
    const original = mlpx('predict', '--model', model, '--csv', csv, '--backend', 'js').stdout;
    for (const [format, input] of [['onnx', at('model.onnx')], ['tfjs', folder], ['tfjs', join(folder, 'model.json')]] as const) {
      const imported = at(`imported-${format}.mlpx`);
      const run = mlpx('import', '--format', format, '--in', input, '--out', imported);
      expect(run.code, run.stderr).toBe(0);
      const predicted = await parseCsv(mlpx('predict', '--model', imported, '--csv', csv, '--backend', 'js').stdout, { target: 'class' });
      const expected = await parseCsv(original, { target: 'class' });
      expect(predicted.features).toEqual(expected.features);
      expect(worstRelativeError(predicted.x, expected.x), format).toBeLessThanOrEqual(1e-5);
    }
  });

  it('regression: a numeric target, predictions under the target\'s name; .npy input and targets', async () => {
    const random = new Random(4);
    const rows = Array.from({ length: 200 }, () => [random.uniform(-1, 1), random.uniform(-1, 1)]);
    writeFileSync(at('reg.csv'), 'a,b,price\n' + rows.map(([a, b]) => `${a},${b},${(3 * a! - b! + 10).toFixed(5)}`).join('\n') + '\n');
    const train = mlpx('train', '--csv', at('reg.csv'), '--target', 'price', '--hidden', '8', '--epochs', '60', '--batch', '8', '--lr', '0.02', '--backend', 'js', '--save', at('reg.mlpx'), '--json');
    expect(train.code, train.stderr).toBe(0);
    expect(lastJson(train.stdout).testLoss).toBeLessThan(0.1);
    const predicted = mlpx('predict', '--model', at('reg.mlpx'), '--csv', at('reg.csv'), '--backend', 'js');
    expect(predicted.stdout.split('\n')[0]).toBe('price');
    // the same rows as .npy arrays (float64), written the way numpy writes them
    const npy = (values: number[], shape: number[]) => {
      const header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`.padEnd(117, ' ') + '\n';
      const bytes = new Uint8Array(128 + 8 * values.length);
      bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length, 0]);
      bytes.set(new TextEncoder().encode(header), 10);
      new Float64Array(bytes.buffer, 128).set(values);
      return bytes;
    };
    writeFileSync(at('x.npy'), npy(rows.flat(), [200, 2]));
    writeFileSync(at('y.npy'), npy(rows.map(([a, b]) => 3 * a! - b! + 10), [200]));
    const fromNpy = mlpx('predict', '--model', at('reg.mlpx'), '--npy', at('x.npy'), '--backend', 'js');
    expect(fromNpy.code, fromNpy.stderr).toBe(0);
    const a = await parseCsv(fromNpy.stdout);
    const b = await parseCsv(predicted.stdout);
    expect(worstRelativeError(a.x, b.x)).toBeLessThanOrEqual(1e-6);
    const evaluated = mlpx('evaluate', '--model', at('reg.mlpx'), '--npy', at('x.npy'), '--targets', at('y.npy'), '--backend', 'js', '--json');
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(lastJson(evaluated.stdout)).toMatchObject({ rows: 200, lossFunction: 'mse', accuracy: null });
  });
});

describe.runIf(HAVE_MNIST)('mlpx CLI: an MNIST-style folder as input', () => {
  it('predict --data and evaluate --data run on the t10k split', async () => {
    const net = await Network.create({ inputs: 784, layers: [{ units: 10, activation: 'softmax' }], loss: 'cross_entropy', seed: 2, backend: 'js' });
    await net.save(at('mnist.mlpx'));
    const predicted = mlpx('predict', '--model', at('mnist.mlpx'), '--data', MNIST_DIR, '--out', at('mnist.csv'), '--backend', 'js');
    expect(predicted.code, predicted.stderr).toBe(0);
    const lines = readFileSync(at('mnist.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe(['class', ...Array.from({ length: 10 }, (_, i) => `p(${i})`)].join(','));
    expect(lines).toHaveLength(10_001);
    const evaluated = mlpx('evaluate', '--model', at('mnist.mlpx'), '--data', MNIST_DIR, '--backend', 'js', '--json');
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const result = lastJson(evaluated.stdout);
    expect(result).toMatchObject({ rows: 10_000, lossFunction: 'cross_entropy' });
    expect(result.accuracy).toBeGreaterThan(0); // an untrained model: roughly chance, but a real count over real labels
    expect(result.accuracy).toBeLessThan(0.3);
  });
});

describe('mlpx CLI: bad input exits 1 with one line naming the problem', () => {
  beforeAll(async () => {
    const net = await Network.create({ inputs: 4, layers: [{ units: 3, activation: 'softmax' }], loss: 'cross_entropy', backend: 'js' });
    net.setDataSchema({ features: ['sepal', 'petal', 'width', 'noise'], target: 'species' });
    await net.save(at('bad-input-model.mlpx'));
  });
  writeFileSync(at('bad-cell.csv'), 'a,b,y\n1,2,p\n3,oops,q\n');
  writeFileSync(at('two.csv'), 'a,b,y\n1,2,p\n3,4,q\n5,6,p\n7,8,q\n9,1,p\n');
  writeFileSync(at('garbage.onnx'), 'not an onnx model');
  const cases: [string[], RegExp][] = [
    [['train', '--csv', at('two.csv')], /^mlpx: --csv needs --target COLUMN/],
    [['train', '--csv', at('two.csv'), '--target', 'label'], /^mlpx: .*two\.csv: target column 'label' not found; the columns are 'a', 'b', 'y'$/],
    [['train', '--csv', at('bad-cell.csv'), '--target', 'y'], /^mlpx: .*bad-cell\.csv: row 2 \(line 3\), column 'b': 'oops' is not a number$/],
    [['train', '--csv', at('two.csv'), '--target', 'y', '--features', 'a,,b'], /Expected comma-separated column names/],
    [['train', '--dataset', 'xor', '--target', 'y'], /^mlpx: --target and --features apply to --csv$/],
    [['predict', '--model', at('bad-input-model.mlpx')], /^mlpx: give exactly one of --csv FILE, --data DIR, --npy FILE \(got none\)$/],
    [['predict', '--model', at('bad-input-model.mlpx'), '--csv', at('two.csv')], /^mlpx: .*two\.csv: feature column 'sepal' not found; the columns are 'a', 'b', 'y'$/],
    [['predict', '--model', at('no-such.mlpx'), '--csv', at('two.csv')], /^mlpx: could not read .*no-such\.mlpx \(ENOENT/],
    [['evaluate', '--model', at('bad-input-model.mlpx'), '--npy', at('x.npy')], /^mlpx: --npy needs --targets FILE\.npy to evaluate/],
    [['export', '--model', at('bad-input-model.mlpx'), '--format', 'xml', '--out', at('m.xml')], /Allowed choices are onnx, tfjs/],
    [['import', '--format', 'onnx', '--in', at('garbage.onnx'), '--out', at('g.mlpx')], /^mlpx: .*garbage\.onnx: not an ONNX model/],
    [['import', '--format', 'tfjs', '--in', dir, '--out', at('g.mlpx')], /^mlpx: could not read .*model\.json \(ENOENT/],
  ];
  it.each(cases)('%j', (args, message) => {
    const run = mlpx(...args);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr.trim()).toMatch(message);
    expect(existsSync(at('g.mlpx'))).toBe(false);
  });
});

describe('mlpx CLI: a million-row CSV', () => {
  it('streams 1,000,000 rows into training and evaluates the held-out fifth', async () => {
    const path = at('million.csv');
    const out = createWriteStream(path);
    const random = new Random(7);
    let chunk = 'x1,x2,x3,x4,label\n';
    for (let r = 0; r < 1_000_000; r++) {
      const a = random.uniform(-1, 1);
      const b = random.uniform(-1, 1);
      chunk += `${a.toFixed(3)},${b.toFixed(3)},${random.uniform(0, 9).toFixed(2)},${r % 7},${a + b > 0 ? 'up' : 'down'}\n`;
      if (chunk.length > 1 << 20) {
        if (!out.write(chunk)) await new Promise<void>((done) => out.once('drain', () => done()));
        chunk = '';
      }
    }
    await new Promise<void>((done) => out.end(chunk, () => done()));
    const started = performance.now();
    // async spawn: the test process keeps running (vitest's worker stays responsive) meanwhile
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'train', '--csv', path, '--target', 'label', '--hidden', '8', '--epochs', '1', '--batch', '256', '--json', '--validation-split', '0'], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const code = await new Promise((done) => child.on('close', done));
    expect(code, stderr).toBe(0);
    const summary = lastJson(stdout);
    console.log(`[cli] 1,000,000-row CSV (${(readFileSync(path).length / 2 ** 20).toFixed(0)} MiB): train command ${((performance.now() - started) / 1000).toFixed(1)} s, one epoch ${summary.trainSeconds.toFixed(1)} s on ${summary.backend}`);
    expect(summary).toMatchObject({ trainRows: 800_000, testRows: 200_000, epochs: 1 });
    expect(summary.testAccuracy).toBeGreaterThan(0.95);
  }, 600_000);
});
