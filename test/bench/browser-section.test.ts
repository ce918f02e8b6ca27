// The browser benchmark's results (bench/browser/section.ts): rounds paired into ratios, and the
// section `npm run bench:report` appends to BENCHMARKS.md when bench/results/browser.json exists.
import { describe, expect, it } from 'vitest';
import { summarizeBrowserRun, type BrowserPageResult } from '../../bench/browser/section.js';
import { benchmarksMarkdown } from '../../bench/report.js';
import { machineInfo, type Row } from '../../bench/results.js';
import { CTRL } from '../../src/backend/wasm/layout.js';

const rows: Row[] = [{
  suite: 'train', impl: 'mlpx', backend: 'wasm', threads: 2, shape: '784-128-10', batch: 128, optimizer: 'adam',
  metric: 'samples_per_s', median: 100, min: 90, max: 110, runs: 5, unit: 'samples/s', ratioTo: 'tfjs wasm 1t', ratio: 2,
}];

describe("BENCHMARKS.md's browser section", () => {
  const page: BrowserPageResult = {
    userAgent: 'test', crossOriginIsolated: true, hardwareConcurrency: 2, rows: 8000, batch: 128, lr: 0.001, epochsEach: 4,
    firstBatchLoss: { mlpx: 2.3593, tfjs: 2.3592 }, probes: [1.98, 1.02, 1.9],
    mlpx: { threads: 2, kernelPath: 'relaxed-simd (AssemblyScript, 2x16 f32x4 multiply-add GEMM microkernel)', seconds: [0.1, 0.2, 0.1], losses: [0.3, 0.2, 0.1], testAccuracy: 0.93, notes: [] },
    mlpxOneThread: { threads: 1, seconds: [0.2, 0.4, 0.2], losses: [0.3, 0.2, 0.1], testAccuracy: 0.93 },
    tfjs: { threads: 1, requestedThreads: 2, simd: true, multithread: true, seconds: [1, 1, 2], losses: [0.3, 0.2, 0.1], testAccuracy: 0.931 },
    smallNetworks: [{
      name: 'playground default', network: '2-4-2-2 tanh', rows: 250, batch: 10, lr: 0.03, epochs: 40, threads: 2,
      seconds: [0.2, 0.25, 0.1], secondsOneThread: [0.25, 0.2, 0.2], probes: [1.95, 1.1, 1.2],
    }],
  };
  const machine = { ...machineInfo(), browser: 'Chromium 1', loadBefore: [1, 2, 3], loadAfter: [4, 5, 6] };

  it('pairs the rounds: samples/s per contender and the per-round ratios', () => {
    const report = summarizeBrowserRun(page, machine);
    expect(report.mlpx.samplesPerSecond).toEqual({ median: 80000, min: 40000, max: 80000 });
    expect(report.tfjs.samplesPerSecond).toEqual({ median: 8000, min: 4000, max: 8000 });
    expect(report.ratio.rounds).toEqual([10, 5, 20]);
    expect(report.ratio.median).toBe(10);
    expect(report.ratioOneThread.rounds).toEqual([5, 2.5, 10]);
    // threads ÷ one thread: 2, 2, 2; the second round's probe found one core
    expect(report.scaling).toMatchObject({ rounds: [2, 2, 2], twoCoreRounds: 2, scalingTwoCores: 2 });
    expect(() => summarizeBrowserRun({ ...page, crossOriginIsolated: false }, machine)).toThrow(/not cross-origin isolated/);
  });

  it("pairs the playground networks' rounds: threads against one thread", () => {
    const [small] = summarizeBrowserRun(page, machine).smallNetworks!;
    // 250 rows × 40 epochs = 10,000 samples a timing
    expect(small!.samplesPerSecond).toEqual({ median: 50000, min: 40000, max: 100000 });
    expect(small!.oneThread).toEqual({ median: 50000, min: 40000, max: 50000 });
    expect(small!.scaling.rounds).toEqual([1.25, 0.8, 2]);
    expect(small!.scaling.median).toBe(1.25);
    // only the first round's probe reached two cores
    expect(small!.scaling).toMatchObject({ twoCoreRounds: 1, scalingTwoCores: 1.25 });
  });

  it('counts the split tasks of the rounds on the pool\'s threads, the posted ones across the counter\'s wrap', () => {
    const counted: BrowserPageResult = {
      ...page,
      // the second round's posted count wrapped: 6 tasks
      mlpx: { ...page.mlpx, tasks: { posted: [300, 6 - 2 ** (32 - CTRL.CTRL_GEN_PARTS_BITS), 290], backedOff: [0, 4, 0] } },
      smallNetworks: [{ ...page.smallNetworks[0]!, tasks: { posted: [0, 0, 0], backedOff: [0, 0, 0] } }],
    };
    const report = summarizeBrowserRun(counted, machine);
    expect(report.scaling!.splitTasks).toEqual({ tasks: 600, backedOffShare: 4 / 600, backedOffRounds: 1 });
    expect(report.smallNetworks![0]!.scaling.splitTasks).toEqual({ tasks: 0, backedOffShare: 0, backedOffRounds: 0 });
    const markdown = benchmarksMarkdown({ machine: machineInfo(), results: rows }, {}, report);
    expect(markdown).toMatch(/; the pool ran 0\.7% of its 600 split tasks on the calling thread after a worker stalled \(in 1 of the rounds\)\./);
    expect(markdown).toMatch(/^\| 2-4-2-2 tanh \| playground default \|.*\| 1 of 3, 1\.25× \| no split \|$/m);
    // runs from before the page counted tasks: no clause, no column
    const older = benchmarksMarkdown({ machine: machineInfo(), results: rows }, {}, summarizeBrowserRun(page, machine));
    expect(older).not.toMatch(/split tasks|no split|Backed off/);
  });

  it('is appended to BENCHMARKS.md with both rows, the ratio and the load', () => {
    const markdown = benchmarksMarkdown({ machine: machineInfo(), results: rows }, {}, summarizeBrowserRun(page, machine));
    expect(markdown).toMatch(/^## In the browser$/m);
    expect(markdown).toMatch(/^\| mlpx wasm, relaxed-simd \| 2 \| 80,000 \(40,000–80,000\) \| 93\.0% \|$/m);
    expect(markdown).toMatch(/^\| mlpx wasm, relaxed-simd \| 1 \| 40,000 \(20,000–40,000\) \| 93\.0% \|$/m);
    expect(markdown).toMatch(/^\| tfjs wasm, SIMD, threaded build \| 1 \(2 asked for\) \| 8,000 \(4,000–8,000\) \| 93\.1% \|$/m);
    expect(markdown).toMatch(/\*\*10\.00×\*\* as fast as tfjs wasm on 2 threads \(per-round ratios 5\.00×–20\.00×, 3 rounds\),\nand 5\.00× on one thread \(2\.50×–10\.00×\)/);
    expect(markdown).toMatch(/load average 1\.00, 2\.00, 3\.00 before and 4\.00, 5\.00, 6\.00 after/);
    expect(markdown).toMatch(/^\| 2-4-2-2 tanh \| playground default \| 250 \| 10 \| 40 \| 2: 50,000 \(40,000–100,000\) \| 50,000 \(40,000–50,000\) \| 1\.25× \(0\.80–2\.00\) \| 1 of 3, 1\.25× \|$/m);
    expect(markdown).toMatch(/mlpx on 2 threads runs 2\.00× as fast as on one \(2\.00×–2\.00×\);\n2\.00× over the 2 of 3 rounds after which two probe workers/);
    const oneCore = summarizeBrowserRun({ ...page, probes: [1.1, 1.2, 1.05] }, machine);
    expect(benchmarksMarkdown({ machine: machineInfo(), results: rows }, {}, oneCore)).toMatch(/no round had two cores by that probe \(it reached 1\.20× at most\)/);
    const { smallNetworks: _, ...older } = summarizeBrowserRun(page, machine);
    expect(benchmarksMarkdown({ machine: machineInfo(), results: rows }, {}, older)).not.toMatch(/playground's networks/);
    expect(benchmarksMarkdown({ machine: machineInfo(), results: rows }, {})).not.toMatch(/In the browser/);
  });
});
