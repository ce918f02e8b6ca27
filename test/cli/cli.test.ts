// The command line, run as a user runs it (through tsx on the sources): JSON summary as the last
// stdout line, one-line errors with a non-zero exit, and `info`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAVE_MNIST, MNIST_DIR } from '../helpers/mnist.js';

const root = resolve(import.meta.dirname, '../..');

function mlpx(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('mlpx CLI', () => {
  it('train --json ends stdout with one JSON summary line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlpx-cli-'));
    const model = join(dir, 'xor.mlpx');
    const run = mlpx('train', '--dataset', 'xor', '--hidden', '8', '--activation', 'tanh', '--epochs', '300', '--batch', '4', '--lr', '0.05', '--lr-schedule', 'constant', '--backend', 'js', '--save', model, '--json');
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(summary).toMatchObject({ backend: 'js', epochs: 300, testAccuracy: 1 });
    for (const key of ['trainSeconds', 'samplesPerSecond', 'testLoss']) expect(typeof summary[key]).toBe('number');
    expect(run.stderr).toMatch(/epoch 300\/300 +loss [\d.e-]+ +acc 100\.00%/);
    expect(existsSync(model)).toBe(true);
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
    ];
    for (const [args, message] of cases) {
      const run = mlpx(...args);
      expect(run.code, args.join(' ')).not.toBe(0);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('info lists every backend with availability or the reason', () => {
    const run = mlpx('info', '--json');
    expect(run.code, run.stderr).toBe(0);
    const info = JSON.parse(run.stdout);
    expect(info.backends.map((b: { name: string }) => b.name)).toEqual(['native', 'wasm', 'js']);
    for (const backend of info.backends) expect(backend.available ? backend.details.kernelPath : backend.reason).toBeTruthy();
  });

  it.runIf(HAVE_MNIST)('trains on an MNIST folder with --train-limit', () => {
    const run = mlpx('train', '--data', MNIST_DIR, '--hidden', '32', '--epochs', '1', '--train-limit', '2000', '--json');
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(summary.trainRows).toBe(2000);
    expect(summary.testRows).toBe(10000);
    expect(summary.testAccuracy).toBeGreaterThan(0.8);
  });
});
