// BENCHMARKS.md's generator: headline ratios summarised over the cases of each suite per mlpx
// backend and baseline, error rows counted and kept out of them, every suite's table present.
import { describe, expect, it } from 'vitest';
import { benchmarksMarkdown, headlines } from '../../bench/report.js';
import { machineInfo, type Row } from '../../bench/results.js';

const row = (over: Partial<Row>): Row => ({
  suite: 'train', impl: 'mlpx', backend: 'native', threads: 1, shape: '784-128-10', batch: 128, optimizer: 'sgd',
  metric: 'samples_per_s', median: 100, min: 90, max: 110, runs: 5, unit: 'samples/s', ratioTo: 'tfjs wasm 1t', ratio: 2, ...over,
});

const rows: Row[] = [
  row({ ratio: 3 }),
  row({ optimizer: 'adam', ratio: 5 }),
  row({ shape: '784-512-10', ratio: 4 }),
  row({ backend: 'wasm', ratio: 1.5 }),
  row({ impl: 'tfjs', backend: 'wasm', ratio: 1 }),
  row({ backend: 'wasm', threads: 2, median: null, min: null, max: null, runs: 0, ratio: null, error: 'wrong loss at step 3' }),
  row({ suite: 'gemm', metric: 'gflops', unit: 'GFLOP/s', shape: '512³', batch: null, optimizer: null, ratioTo: 'numpy openblas 1t', ratio: 0.9 }),
];

describe('BENCHMARKS.md generator', () => {
  it('summarises each mlpx backend against each baseline over its cases', () => {
    expect(headlines(rows)).toEqual([
      { suite: 'train', contender: 'mlpx native 1t', versus: 'tfjs wasm 1t', median: 4, min: 3, max: 5, cases: 3 },
      { suite: 'train', contender: 'mlpx wasm 1t', versus: 'tfjs wasm 1t', median: 1.5, min: 1.5, max: 1.5, cases: 1 },
      { suite: 'gemm', contender: 'mlpx native 1t', versus: 'numpy openblas 1t', median: 0.9, min: 0.9, max: 0.9, cases: 1 },
    ]);
  });

  it('writes the machine, the method, the headlines and a table per suite', () => {
    const machine = { ...machineInfo(), cpu: 'Test CPU 9000', date: '2026-12-02T10:00:00.000Z' };
    const markdown = benchmarksMarkdown({ machine, results: rows }, { '@tensorflow/tfjs': '4.22.0', 'brain.js': '1.6.1' });
    expect(markdown).toMatch(/^Machine: Test CPU 9000, .* Run started 2026-12-02T10:00:00.000Z\.$/m);
    expect(markdown).toMatch(/Suites in this run: train, gemm; 7 rows, \*\*1 error rows\*\*\. Peers: @tensorflow\/tfjs 4\.22\.0, @tensorflow\/tfjs-backend-wasm \?, brain\.js 1\.6\.1, onnxruntime-node \?\./);
    expect(markdown).toMatch(/^## Method$/m);
    expect(markdown).toMatch(/^\| train \| native 1t \| tfjs wasm 1t \| 4\.00× \| 3\.00×–5\.00× \| 3 \|$/m);
    expect(markdown).toMatch(/^### train$/m);
    expect(markdown).toMatch(/^### gemm$/m);
    expect(markdown).toMatch(/\*\*ERROR\*\*: wrong loss at step 3/);
    expect(markdown).not.toMatch(/^mlpx kernels:/m);
  });

  it('names the kernels each mlpx backend ran, when the results record them', () => {
    const kernels = { native: 'avx512', wasm: 'simd128 (AssemblyScript, 2x16 f32x4 GEMM microkernel)' };
    const markdown = benchmarksMarkdown({ machine: machineInfo(), kernels, results: rows }, {});
    expect(markdown).toMatch(/^mlpx kernels: native avx512; wasm simd128 \(AssemblyScript, 2x16 f32x4 GEMM microkernel\)\.$/m);
  });
});
