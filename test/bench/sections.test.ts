// The bench's records beside the rows: numpy runs without the environment's OpenBLAS overrides
// (and says so), the MNIST recipe the README shows is the one the bench measures, and the JSON's
// extra blocks reach BENCHMARKS.md.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { numpyEnvironment } from '../../bench/peers/numpy.js';
import { describeOpenblas, OPENBLAS_OVERRIDES, type NumpyInfo } from '../../bench/numpy-info.js';
import { recipeCommand } from '../../bench/recipe.js';
import { benchmarksMarkdown } from '../../bench/report.js';
import { machineInfo, writeReport, type ProfileRecord, type Report } from '../../bench/results.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'mlpx-bench-sections-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('numpy as users run it', () => {
  const saved = OPENBLAS_OVERRIDES.map((name) => [name, process.env[name]] as const);
  afterEach(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('removes the OpenBLAS overrides from the numpy process only, and keeps what they were', () => {
    process.env.OPENBLAS_CORETYPE = 'Haswell';
    process.env.OPENBLAS_L2_SIZE = '512';
    const { env, removed } = numpyEnvironment(2);
    expect(env.OPENBLAS_CORETYPE).toBeUndefined();
    expect(env.OPENBLAS_L2_SIZE).toBeUndefined();
    expect(env).toMatchObject({ OPENBLAS_NUM_THREADS: '2', OMP_NUM_THREADS: '2', MKL_NUM_THREADS: '2' });
    expect(removed).toEqual({ OPENBLAS_CORETYPE: 'Haswell', OPENBLAS_L2_SIZE: '512' });
    expect(process.env.OPENBLAS_CORETYPE).toBe('Haswell'); // this process keeps them
    delete process.env.OPENBLAS_CORETYPE;
    delete process.env.OPENBLAS_L2_SIZE;
    expect(numpyEnvironment(1).removed).toEqual({});
  });

  it('describes the kernel OpenBLAS chose, or why it is unknown', () => {
    const info: NumpyInfo = {
      threads: 1, numpy: '2.4.6', blas: 'scipy-openblas', buildConfig: null, removed: {},
      openblas: { source: 'ctypes', core: 'SkylakeX', config: 'OpenBLAS 0.3.31 DYNAMIC_ARCH SkylakeX', threads: 1, library: '/x.so' },
    };
    expect(describeOpenblas(info)).toBe('SkylakeX kernels (OpenBLAS 0.3.31 DYNAMIC_ARCH SkylakeX), 1 thread, via ctypes');
    expect(describeOpenblas({ ...info, openblas: { error: 'OSError: x' } })).toBe('unknown (OSError: x)');
    expect(describeOpenblas({ ...info, openblas: null })).toMatch(/not found/);
  });
});

describe('the MNIST recipe', () => {
  it('is the command the README shows', () => {
    const readme = readFileSync(path.join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    expect(readme).toContain(recipeCommand('./mnist'));
  });
});

describe('the extra blocks of the results JSON', () => {
  const profile: ProfileRecord = {
    label: 'native avx512 1t', backend: 'native', path: 'avx512', threads: 1, shape: '784-128-10', batch: 128, optimizer: 'sgd',
    method: 'instrumented build', stepUs: 400,
    phases: [
      { phase: 'forward GEMM', us: 180, waitUs: 0 }, { phase: 'activation', us: 20, waitUs: 0 },
      { phase: 'backward GEMM dW', us: 150, waitUs: 2 }, { phase: 'optimizer update', us: 10, waitUs: 0 },
      { phase: 'rest of the epoch loop', us: 40, waitUs: null },
    ],
  };
  const report: Report = {
    machine: machineInfo(), results: [],
    suites: [{ suite: 'train', started: '2026-12-02T10:00:00.000Z', seconds: 90, loadStart: [1.5, 1, 0.5], loadEnd: [2.25, 1.25, 0.75] }],
    profile: [profile],
  };

  it('are written to the JSON and rendered in BENCHMARKS.md', () => {
    const file = path.join(dir, 'latest.json');
    writeReport(file, report);
    const written = JSON.parse(readFileSync(file, 'utf8')) as Report;
    expect(Object.keys(written)).toEqual(['machine', 'results', 'suites', 'profile']);
    const markdown = benchmarksMarkdown(written, {});
    expect(markdown).toMatch(/^\| train \| 2026-12-02T10:00:00.000Z \| 1\.5 \| 1\.50 \/ 1\.00 \/ 0\.50 \| 2\.25 \/ 1\.25 \/ 0\.75 \|$/m);
    // the kernels summed into the coarse phases, each with its share of the step
    expect(markdown).toMatch(/^\| forward \+ loss \| 200 \(50%\) \|$/m);
    expect(markdown).toMatch(/^\| backward \+ ‖g‖² \| 150 \(38%\) \|$/m);
    expect(markdown).toMatch(/^\| rest of the epoch loop \| 40\.0 \(10%\) \|$/m);
    expect(markdown).toMatch(/^\| backward GEMM dW \| 150 \(38%\) · wait 2\.0 \|$/m);
  });
});
