// The bench's results writer and its validate-before-timing rule: a contender whose GEMM is
// wrong must come out as an error row (no numbers), never as a time.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gemmCase, type GemmCase } from '../../bench/cases.js';
import { runCase, type CaseInfo, type Contender } from '../../bench/harness.js';
import { applyRatios, checkReport, cpuName, machineInfo, markdownTables, writeReport, type Row } from '../../bench/results.js';
import { scalingRows, vsNumpyRows, vsOrtRows } from '../../bench/suites/derived.js';
import { ValidationError, checkGemm, checkLosses } from '../../bench/validate.js';

function naiveGemm(c: GemmCase): Float32Array {
  const out = new Float32Array(c.m * c.n);
  for (let i = 0; i < c.m; i++) for (let p = 0; p < c.k; p++) for (let j = 0; j < c.n; j++) out[i * c.n + j] = out[i * c.n + j]! + c.a[i * c.k + p]! * c.b[p * c.n + j]!;
  return out;
}

/** A contender computing GEMM with the naive loop, optionally corrupting one element. */
function contender(backend: string, corrupt: boolean): Contender<GemmCase> {
  return {
    impl: 'mlpx', backend, threads: 1,
    async prepare(c) {
      const out = naiveGemm(c);
      if (corrupt) out[out.length - 1]! += 0.5;
      checkGemm(out, c.a, c.b, c.m, c.k, c.n);
      return { run: () => naiveGemm(c) };
    },
  };
}

const info: CaseInfo = { suite: 'gemm', shape: '13×17·17×11', batch: null, optimizer: null, metric: 'gflops', work: (2 * 13 * 17 * 11) / 1e9 };
const dir = mkdtempSync(path.join(os.tmpdir(), 'mlpx-bench-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench validation', () => {
  it('reports a deliberately wrong GEMM as an error row and times the right one', async () => {
    const rows = await runCase(info, gemmCase(13, 17, 11), [contender('right', false), contender('wrong', true)], { rounds: 5, roundMs: 2, maxCallMs: 1000 });
    const [right, wrong] = rows;
    expect(right).toMatchObject({ backend: 'right', runs: 5, unit: 'GFLOP/s' });
    expect(right!.error).toBeUndefined();
    expect(right!.min! <= right!.median! && right!.median! <= right!.max!).toBe(true);
    expect(wrong).toMatchObject({ backend: 'wrong', median: null, min: null, max: null, runs: 0 });
    expect(wrong!.error).toMatch(/wrong GEMM result .*C\[12,10\]/);
    checkReport({ machine: machineInfo(), results: rows });
    expect(markdownTables(rows)).toMatch(/\| mlpx \| wrong \| 1 \| gflops \| \*\*ERROR\*\*: wrong GEMM result/);
  });

  it('catches NaN and a wrong length, accepts float32 rounding', () => {
    const c = gemmCase(64, 300, 33);
    const out = naiveGemm(c);
    expect(() => checkGemm(out, c.a, c.b, 64, 300, 33)).not.toThrow();
    const nan = out.slice();
    nan[5] = NaN;
    expect(() => checkGemm(nan, c.a, c.b, 64, 300, 33)).toThrow(ValidationError);
    expect(() => checkGemm(out.subarray(1), c.a, c.b, 64, 300, 33)).toThrow(/elements/);
  });

  it('rejects loss trajectories that differ from the reference or do not fall', () => {
    expect(() => checkLosses([2.3, 2.0, 1.8], [2.3, 2.0, 1.8001], 1e-3, 'x')).not.toThrow();
    expect(() => checkLosses([2.3, 2.1, 1.8], [2.3, 2.0, 1.8], 1e-3, 'x')).toThrow(/step 2/);
    expect(() => checkLosses([2.3, 2.3, 2.3], [2.3, 2.3, 2.3], 1e-3, 'x')).toThrow(/did not fall/);
  });
});

describe('bench results file', () => {
  const row = (over: Partial<Row>): Row => ({
    suite: 'train', impl: 'mlpx', backend: 'native', threads: 1, shape: '784-128-10', batch: 128, optimizer: 'sgd',
    metric: 'samples_per_s', median: 100, min: 90, max: 110, runs: 5, unit: 'samples/s', ratioTo: null, ratio: null, ...over,
  });

  it('writes the schema atomically, with ratios to the named baseline', () => {
    const rows = [
      row({ median: 3000, min: 2900, max: 3100 }),
      row({ impl: 'tfjs', backend: 'wasm', median: 1000, min: 900, max: 1100 }),
      row({ suite: 'infer', metric: 'latency_us', unit: 'µs', batch: 1, optimizer: null, median: 50, min: 40, max: 60 }),
      row({ suite: 'infer', impl: 'tfjs', backend: 'wasm', metric: 'latency_us', unit: 'µs', batch: 1, optimizer: null, median: 200, min: 150, max: 300 }),
    ];
    applyRatios(rows, { train: ['tfjs wasm 1t'], infer: ['tfjs wasm 1t'] });
    expect(rows[0]).toMatchObject({ ratioTo: 'tfjs wasm 1t', ratio: 3 });
    expect(rows[2]).toMatchObject({ ratioTo: 'tfjs wasm 1t', ratio: 4 }); // latency: baseline ÷ value
    const file = path.join(dir, 'results', 'latest.json');
    writeReport(file, { machine: machineInfo(), results: rows });
    const written = JSON.parse(readFileSync(file, 'utf8'));
    expect(Object.keys(written)).toEqual(['machine', 'results']);
    expect(Object.keys(written.machine)).toEqual(['cpu', 'cores', 'node', 'os', 'date']);
    expect(Object.keys(written.results[0])).toEqual(['suite', 'impl', 'backend', 'threads', 'shape', 'batch', 'optimizer', 'metric', 'median', 'min', 'max', 'runs', 'unit', 'ratioTo', 'ratio']);
    expect(readdirSync(path.dirname(file))).toEqual(['latest.json']); // no temp file left behind
  });

  it('pairs ratios by round when both rows were timed in the same rounds; the JSON keeps its keys', () => {
    const mlpx = row({ median: 210, min: 100, max: 300, rounds: [100, 210, 300] });
    const tfjs = row({ impl: 'tfjs', backend: 'wasm', median: 100, min: 50, max: 200, rounds: [50, 200, 100] });
    const latency = row({ suite: 'infer', metric: 'latency_us', unit: 'µs', batch: 1, optimizer: null, median: 40, min: 20, max: 60, rounds: [20, 40, 60] });
    const latencyBase = row({ suite: 'infer', impl: 'tfjs', backend: 'wasm', metric: 'latency_us', unit: 'µs', batch: 1, optimizer: null, median: 100, min: 60, max: 240, rounds: [100, 60, 240] });
    applyRatios([mlpx, tfjs, latency, latencyBase], { train: ['tfjs wasm 1t'], infer: ['tfjs wasm 1t'] });
    expect(mlpx.ratio).toBe(2); // rounds 2, 1.05, 3 (the medians' ratio would be 2.1)
    expect(latency.ratio).toBe(4); // rounds 5, 1.5, 4 (the medians' ratio would be 2.5)
    const two = row({ threads: 2, median: 200, min: 150, max: 300, rounds: [150, 300, 200] });
    const one = row({ median: 100, min: 100, max: 200, rounds: [100, 100, 200] });
    expect(scalingRows([one, two])).toMatchObject([{ suite: 'scaling', shape: 'train 784-128-10', ratioTo: 'mlpx native 1t', ratio: 1.5 }]);
    const numpy = row({ impl: 'numpy', backend: 'openblas', median: 100, min: 50, max: 200, rounds: [50, 200, 100] });
    const numpy2 = row({ impl: 'numpy', backend: 'openblas', threads: 2, median: 200, min: 100, max: 200, rounds: [100, 200, 200] });
    expect(vsNumpyRows([mlpx, numpy, two, numpy2, tfjs])).toMatchObject([
      { suite: 'vs-numpy', threads: 1, ratioTo: 'numpy openblas 1t', ratio: 2 },
      { suite: 'vs-numpy', threads: 2, ratioTo: 'numpy openblas 2t', ratio: 1.5 }, // rounds 1.5, 1.5, 1
    ]);
    const infer = row({ suite: 'infer', metric: 'latency_us', unit: 'µs', batch: 1, optimizer: null, median: 40, min: 20, max: 60, rounds: [20, 40, 60] });
    const ort = row({ suite: 'infer', impl: 'onnxruntime', backend: 'cpu', metric: 'latency_us', unit: 'µs', batch: 1, optimizer: null, median: 50, min: 40, max: 60, rounds: [40, 60, 50] });
    const ort2 = row({ ...ort, threads: 2 });
    expect(vsOrtRows([infer, ort2, ort, mlpx])).toMatchObject([
      { suite: 'vs-onnxruntime', shape: 'infer 784-128-10', threads: 1, ratioTo: 'onnxruntime cpu 1t', ratio: 1.5 }, // rounds 2, 1.5, 0.83
    ]);
    const file = path.join(dir, 'paired', 'latest.json');
    writeReport(file, { machine: machineInfo(), results: [mlpx, tfjs] });
    const written = JSON.parse(readFileSync(file, 'utf8'));
    expect(Object.keys(written.results[0])).toEqual(['suite', 'impl', 'backend', 'threads', 'shape', 'batch', 'optimizer', 'metric', 'median', 'min', 'max', 'runs', 'unit', 'ratioTo', 'ratio']);
    expect(written.results[0].ratio).toBe(2);
  });

  it('refuses to write a malformed report and keeps the previous file', () => {
    const file = path.join(dir, 'keep', 'latest.json');
    writeReport(file, { machine: machineInfo(), results: [row({})] });
    const before = readFileSync(file, 'utf8');
    expect(() => writeReport(file, { machine: machineInfo(), results: [row({ median: 200 })] })).toThrow(/min ≤ median ≤ max/);
    expect(() => writeReport(file, { machine: machineInfo(), results: [row({ unit: 'GFLOP/s' })] })).toThrow(/unit/);
    expect(() => writeReport(file, { machine: machineInfo(), results: [row({ error: 'boom' })] })).toThrow(/carries numbers/);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(existsSync(`${file}.${process.pid}.tmp`)).toBe(false);
  });
  it('names the CPU with its x86 family and model where /proc/cpuinfo gives them', () => {
    const cpuinfo = 'processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\nmodel name\t: AMD EPYC\n';
    expect(cpuName('AMD EPYC', cpuinfo)).toBe('AMD EPYC (x86 family 25 model 17)');
    expect(cpuName('Apple M2', undefined)).toBe('Apple M2');
    expect(cpuName('ARMv8', 'processor\t: 0\nCPU part\t: 0xd0c\n')).toBe('ARMv8');
  });
});
