// The command line, run as a user runs it (through tsx on the sources): JSON summary as the last
// stdout line, one-line errors with a non-zero exit, and `info`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../../src/backends.node.js';
import { backendInfo } from '../../src/backend/registry.js';
import { HAVE_MNIST, MNIST_DIR } from '../helpers/mnist.js';

const root = resolve(import.meta.dirname, '../..');
const backends = await backendInfo();
const available = backends.filter((b) => b.available).map((b) => b.name);

function run(env: Record<string, string>, args: string[]) {
  // with this process's V8 flags (relaxed SIMD, vitest.config.ts), so the CLI's wasm backend is the one these tests load
  const v8Flags = process.execArgv.filter((flag) => flag.startsWith('--experimental-wasm'));
  const result = spawnSync(process.execPath, [...v8Flags, '--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const mlpx = (...args: string[]) => run({}, args);
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!);

/** An IDX file of unsigned bytes. */
function idx(dims: number[], fill: number): Uint8Array {
  const values = dims.reduce((a, b) => a * b, 1);
  const bytes = new Uint8Array(4 + 4 * dims.length + values).fill(fill);
  bytes.set([0, 0, 0x08, dims.length]);
  dims.forEach((d, i) => new DataView(bytes.buffer).setUint32(4 + 4 * i, d, false));
  return bytes;
}

describe('mlpx CLI', () => {
  it('train --json ends stdout with one JSON summary line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlpx-cli-'));
    const model = join(dir, 'xor.mlpx');
    const run = mlpx('train', '--dataset', 'xor', '--hidden', '8', '--activation', 'tanh', '--epochs', '300', '--batch', '4', '--lr', '0.05', '--lr-schedule', 'constant', '--backend', 'js', '--save', model, '--json');
    expect(run.code, run.stderr).toBe(0);
    const summary = lastJson(run.stdout);
    expect(summary).toMatchObject({ backend: 'js', epochs: 300, testAccuracy: 1 });
    for (const key of ['trainSeconds', 'samplesPerSecond', 'testLoss']) expect(typeof summary[key]).toBe('number');
    expect(run.stderr).toMatch(/epoch 300\/300 +loss [\d.e-]+ +acc 100\.00%/);
    expect(existsSync(model)).toBe(true);
  });

  it('train takes dropout, regularisation, clipping and a warm-up schedule, and saves them with the model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlpx-cli-'));
    const model = join(dir, 'spirals.mlpx');
    const run = mlpx('train', '--dataset', 'spirals', '--hidden', '16,8', '--dropout', '0.2,0.1', '--optimizer', 'momentum', '--nesterov', '--l2', '1e-4',
      '--weight-decay', '1e-3', '--clip-norm', '1', '--warmup-steps', '10', '--epochs', '3', '--backend', 'js', '--save', model);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/16 relu \(dropout 0\.2\) → 8 relu \(dropout 0\.1\) → 2 softmax/);
    const { Network } = await import('../../src/index.js');
    const saved = await Network.load(model, { backend: 'js' });
    expect(saved.architecture.layers.map((l) => l.dropout)).toEqual([0.2, 0.1, undefined]);
    expect(saved.training.optimizer).toMatchObject({ type: 'momentum', params: { nesterov: 1, l2: 1e-4, weightDecay: 1e-3, clipNorm: 1 } });
  });

  it('prints a line per epoch with loss, accuracy, validation accuracy and samples/s', () => {
    const run = mlpx('train', '--dataset', 'spirals', '--hidden', '16', '--epochs', '2', '--backend', 'js');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/epoch 2\/2 +loss [\d.]+ +acc [\d.]+% +val acc [\d.]+% +[\d,]+ samples\/s/);
    expect(run.stdout).toMatch(/test: loss [\d.]+, accuracy [\d.]+% on 200 held-out rows/);
  });

  it('rejects bad flag values and missing data with one clear line and a non-zero exit', () => {
    const cases: [string[], RegExp][] = [
      [['train', '--lr', '-1'], /--lr <rate>.*'-1' is invalid\. Expected a number > 0/],
      [['train', '--batch', '0'], /Expected an integer ≥ 1/],
      [['train', '--hidden', '12,x'], /comma-separated integers/],
      [['train', '--optimizer', 'lbfgs'], /Allowed choices are sgd, momentum, rmsprop, adam, armijo, random/],
      [['train', '--data', '/no/such/folder'], /data folder \/no\/such\/folder does not exist/],
      [['train', '--dataset', 'xor', '--backend', 'gpu'], /Allowed choices are auto, native, wasm, js/],
      [['train', '--dataset', 'xor', '--optimizer', 'armijo', '--lr', '0.1'], /--lr does not apply to --optimizer armijo/],
      [['train', '--dataset', 'xor', '--dropout', '1'], /rates in \[0, 1\)/],
      [['train', '--dataset', 'xor', '--hidden', '8,4', '--dropout', '0.1,0.2,0.3'], /--dropout has 3 rates for 2 hidden layers/],
      [['train', '--dataset', 'xor', '--clip-norm', '0'], /Expected a number > 0/],
      [['train', '--dataset', 'xor', '--l2', '-1'], /Expected a number ≥ 0/],
      [['train', '--dataset', 'xor', '--optimizer', 'adam', '--nesterov'], /--nesterov applies to --optimizer momentum/],
      [['train', '--dataset', 'xor', '--optimizer', 'random', '--weight-decay', '0.1'], /--weight-decay does not apply to --optimizer random/],
      [['train', '--dataset', 'xor', '--lr-schedule', 'exponential', '--decay-steps', '5'], /needs --decay-rate/],
    ];
    for (const [args, message] of cases) {
      const run = mlpx(...args);
      expect(run.code, args.join(' ')).not.toBe(0);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('info lists every backend as the library sees it, or why it does not load', () => {
    const info = mlpx('info', '--json');
    expect(info.code, info.stderr).toBe(0);
    const reported = JSON.parse(info.stdout).backends as { name: string; available: boolean; details?: { kernelPath: string; threads: number }; reason?: string }[];
    expect(reported.map((b) => [b.name, b.available, b.details?.kernelPath, b.details?.threads])).toEqual(backends.map((b) => [b.name, b.available, b.details?.kernelPath, b.details?.threads]));
    expect(reported.find((b) => b.name === 'js')?.details?.kernelPath).toBe('float64-accumulating reference loops');
    const withoutAddon = JSON.parse(run({ MLPX_NATIVE_PATH: '/no/such/mlpx.node' }, ['info', '--json']).stdout).backends;
    expect(withoutAddon[0]).toMatchObject({ name: 'native', available: false });
    expect(withoutAddon[0].reason).toContain('/no/such/mlpx.node: not found');
  });

  it('train uses MLPX_BACKEND unless --backend says otherwise, and names MLPX_BACKEND when it is invalid', () => {
    const xor = ['train', '--dataset', 'xor', '--hidden', '4', '--epochs', '1', '--json'];
    for (const name of available) expect(lastJson(run({ MLPX_BACKEND: name }, xor).stdout).backend).toBe(name);
    expect(lastJson(run({ MLPX_BACKEND: 'wasm' }, [...xor, '--backend', 'js']).stdout).backend).toBe('js');
    const invalid = run({ MLPX_BACKEND: 'gpu' }, xor);
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toMatch(/'gpu' from env 'MLPX_BACKEND' is invalid\. Allowed choices are auto, native, wasm, js/);
  });

  it('refuses an unwritable --save target before training, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlpx-cli-'));
    mkdirSync(join(dir, 'folder'));
    writeFileSync(join(dir, 'file'), '');
    const cases: [string, RegExp][] = [
      [join(dir, 'missing', 'model.mlpx'), /cannot save to .*missing\/model\.mlpx \(folder .*missing does not exist\)/],
      [join(dir, 'folder'), /cannot save to .*folder: it is a folder/],
      [join(dir, 'file', 'model.mlpx'), /cannot save to .*file\/model\.mlpx \(ENOTDIR/],
    ];
    for (const [target, message] of cases) {
      const refused = mlpx('train', '--dataset', 'xor', '--epochs', '50', '--backend', 'js', '--save', target);
      expect(refused.code, target).not.toBe(0);
      expect(refused.stderr.trim().split('\n'), target).toHaveLength(1);
      expect(refused.stderr, target).toMatch(message);
      expect(refused.stdout, target).not.toMatch(/epoch/); // nothing trained
    }
    expect(readdirSync(dir).sort()).toEqual(['file', 'folder']);
  });

  it('refuses train and test images of different sizes before training, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlpx-cli-'));
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), idx([4, 2, 2], 9));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idx([4], 1));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), idx([4, 3, 2], 9));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idx([4], 1));
    const refused = mlpx('train', '--data', dir, '--epochs', '1', '--backend', 'js');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`${join(dir, 't10k-images-idx3-ubyte')}: test images are 3×2 but the training images`);
    expect(refused.stdout).not.toMatch(/epoch/);
  });

  it.each(available)('never saves a diverged model (%s backend)', (backend) => {
    const dir = mkdtempSync(join(tmpdir(), 'mlpx-cli-'));
    const model = join(dir, 'nan.mlpx');
    // one full batch with a learning rate of 1e300: the only update makes the weights non-finite
    const diverged = mlpx('train', '--dataset', 'xor', '--hidden', '8', '--epochs', '1', '--batch', '4', '--optimizer', 'sgd', '--lr', '1e300', '--backend', backend, '--save', model);
    expect(diverged.code).not.toBe(0);
    expect(diverged.stderr).toMatch(/^mlpx: .*(diverged|non-finite|lr)/im);
    expect(readdirSync(dir)).toEqual([]);
  });

  it.runIf(HAVE_MNIST)('trains on an MNIST folder with --train-limit', () => {
    const run = mlpx('train', '--data', MNIST_DIR, '--hidden', '32', '--epochs', '1', '--train-limit', '2000', '--json');
    expect(run.code, run.stderr).toBe(0);
    const summary = lastJson(run.stdout);
    expect(summary.trainRows).toBe(2000);
    expect(summary.testRows).toBe(10000);
    expect(summary.testAccuracy).toBeGreaterThan(0.8);
  });
});
