// The browser benchmark's results: bench/results/browser.json (written by `npm run
// bench:browser`) and its section of BENCHMARKS.md. Ratios pair the two contenders' epochs of the
// same round, which ran back to back under the same machine load.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize, type Machine } from '../results.js';

export const BROWSER_RESULTS_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../results/browser.json');

/** What page.js publishes. */
export interface BrowserPageResult {
  userAgent: string;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  rows: number;
  batch: number;
  lr: number;
  epochsEach: number;
  firstBatchLoss: { mlpx: number; tfjs: number };
  /** kernelPath: the wasm backend's details().kernelPath (which build the engine loaded) */
  mlpx: ContenderRun & { notes: string[]; kernelPath: string };
  /** the same network on one thread */
  mlpxOneThread: ContenderRun;
  /** threads: what tfjs reports (getThreadsCount); requestedThreads: what setThreadsCount asked for */
  tfjs: ContenderRun & { simd: boolean; multithread: boolean; requestedThreads: number };
  /** the 2-D playground's networks (small-networks.js), on `threads` threads and on one */
  smallNetworks: SmallNetworkRun[];
}

interface SmallNetworkRun {
  name: string;
  network: string;
  rows: number;
  batch: number;
  lr: number;
  /** epochs per timing */
  epochs: number;
  threads: number;
  seconds: number[];
  secondsOneThread: number[];
}

interface ContenderRun { threads: number; seconds: number[]; losses: number[]; testAccuracy: number }
interface Spread { median: number; min: number; max: number }

export interface BrowserReport {
  machine: Machine & { browser: string; loadBefore: number[]; loadAfter: number[] };
  case: { network: string; rows: number; batch: number; optimizer: string; epochsEach: number; firstBatchLoss: { mlpx: number; tfjs: number } };
  mlpx: { threads: number; kernelPath: string; samplesPerSecond: Spread; rounds: number[]; testAccuracy: number; notes: string[] };
  mlpxOneThread: { samplesPerSecond: Spread; rounds: number[]; testAccuracy: number };
  tfjs: { threads: number; requestedThreads: number; simd: boolean; multithread: boolean; samplesPerSecond: Spread; rounds: number[]; testAccuracy: number };
  /** mlpx samples/s ÷ tfjs samples/s, per round */
  ratio: Spread & { rounds: number[] };
  /** mlpx on one thread ÷ tfjs, per round */
  ratioOneThread: Spread & { rounds: number[] };
  /** absent in runs made before the page timed them */
  smallNetworks?: SmallNetworkReport[];
}

interface SmallNetworkReport {
  name: string;
  network: string;
  rows: number;
  batch: number;
  optimizer: string;
  epochs: number;
  threads: number;
  samplesPerSecond: Spread;
  oneThread: Spread;
  /** samples/s on `threads` threads ÷ on one, per round */
  scaling: Spread & { rounds: number[] };
}

function summarizeSmallNetwork(run: SmallNetworkRun): SmallNetworkReport {
  const rate = (seconds: number[]) => seconds.map((s) => (run.rows * run.epochs) / s);
  const many = rate(run.seconds);
  const one = rate(run.secondsOneThread);
  const scaling = many.map((m, i) => m / one[i]!);
  return {
    name: run.name, network: run.network, rows: run.rows, batch: run.batch, optimizer: `adam lr ${run.lr}`, epochs: run.epochs, threads: run.threads,
    samplesPerSecond: summarize(many), oneThread: summarize(one), scaling: { ...summarize(scaling), rounds: scaling },
  };
}

export function summarizeBrowserRun(page: BrowserPageResult, machine: BrowserReport['machine']): BrowserReport {
  if (!page.crossOriginIsolated) throw new Error('the benchmark page was not cross-origin isolated');
  const rate = (run: ContenderRun) => run.seconds.map((s) => page.rows / s);
  const mlpx = rate(page.mlpx);
  const single = rate(page.mlpxOneThread);
  const tfjs = rate(page.tfjs);
  const ratios = mlpx.map((m, i) => m / tfjs[i]!);
  const singleRatios = single.map((m, i) => m / tfjs[i]!);
  return {
    machine,
    case: {
      network: '784-128-10 relu/softmax, cross-entropy', rows: page.rows, batch: page.batch, optimizer: `adam lr ${page.lr}`,
      epochsEach: page.epochsEach, firstBatchLoss: page.firstBatchLoss,
    },
    mlpx: { threads: page.mlpx.threads, kernelPath: page.mlpx.kernelPath, samplesPerSecond: summarize(mlpx), rounds: mlpx, testAccuracy: page.mlpx.testAccuracy, notes: page.mlpx.notes },
    mlpxOneThread: { samplesPerSecond: summarize(single), rounds: single, testAccuracy: page.mlpxOneThread.testAccuracy },
    tfjs: { threads: page.tfjs.threads, requestedThreads: page.tfjs.requestedThreads, simd: page.tfjs.simd, multithread: page.tfjs.multithread, samplesPerSecond: summarize(tfjs), rounds: tfjs, testAccuracy: page.tfjs.testAccuracy },
    ratio: { ...summarize(ratios), rounds: ratios },
    ratioOneThread: { ...summarize(singleRatios), rounds: singleRatios },
    smallNetworks: page.smallNetworks.map(summarizeSmallNetwork),
  };
}

const count = (v: number) => Math.round(v).toLocaleString('en-US');

/** The BENCHMARKS.md section for a browser run. */
export function browserMarkdown(report: BrowserReport): string {
  const { machine: m, mlpx, mlpxOneThread: single, tfjs, ratio, ratioOneThread } = report;
  const spread = (s: Spread) => `${count(s.median)} (${count(s.min)}–${count(s.max)})`;
  const kernels = mlpx.kernelPath.split(' ')[0]; // 'relaxed-simd' or 'simd128'
  return [
    '## In the browser',
    '',
    `\`npm run bench:browser\`: ${m.browser}, cross-origin isolated, in one page: the digits network (${report.case.network}, batch ${report.case.batch}, ${report.case.optimizer})`,
    `trained for whole epochs on the same ${count(report.case.rows)} rows in the same order from the same initial weights (first-batch loss ${report.case.firstBatchLoss.mlpx.toFixed(5)}`,
    `by mlpx, ${report.case.firstBatchLoss.tfjs.toFixed(5)} by tfjs) by mlpx's wasm backend with its worker threads and by TensorFlow.js's wasm backend (an`,
    '`optimizer.minimize` loop over batch tensors made before timing, reading each batch\'s loss; `tf.wasm.setThreadsCount` asks for as many threads as',
    'mlpx uses, and "threads" is what `tf.wasm.getThreadsCount()` reports). mlpx also trains the same network on one thread. One warm-up epoch each,',
    'then one epoch of each per round, in rotating order; a ratio is the median of the per-round ratios.',
    `Run ${m.date} on ${m.cpu}, ${m.cores} cores; load average ${m.loadBefore.map((l) => l.toFixed(2)).join(', ')} before and ${m.loadAfter.map((l) => l.toFixed(2)).join(', ')} after (the machine is shared).`,
    '',
    '| contender | threads | samples/s, median (min–max) | test accuracy after the run |',
    '|---|---:|---|---:|',
    `| mlpx wasm, ${kernels} | ${mlpx.threads} | ${spread(mlpx.samplesPerSecond)} | ${(mlpx.testAccuracy * 100).toFixed(1)}% |`,
    `| mlpx wasm, ${kernels} | 1 | ${spread(single.samplesPerSecond)} | ${(single.testAccuracy * 100).toFixed(1)}% |`,
    `| tfjs wasm${tfjs.simd ? ', SIMD' : ''}${tfjs.multithread ? ', threaded build' : ''} | ${tfjs.threads}${tfjs.threads !== tfjs.requestedThreads ? ` (${tfjs.requestedThreads} asked for)` : ''} | ${spread(tfjs.samplesPerSecond)} | ${(tfjs.testAccuracy * 100).toFixed(1)}% |`,
    '',
    `mlpx wasm is **${ratio.median.toFixed(2)}×** as fast as tfjs wasm on ${mlpx.threads} threads (per-round ratios ${ratio.min.toFixed(2)}×–${ratio.max.toFixed(2)}×, ${ratio.rounds.length} rounds),`,
    `and ${ratioOneThread.median.toFixed(2)}× on one thread (${ratioOneThread.min.toFixed(2)}×–${ratioOneThread.max.toFixed(2)}×).`,
    '',
    ...smallNetworksMarkdown(report.smallNetworks),
  ].join('\n');
}

/** The table of the playground's networks, threads against one thread (none in older runs). */
function smallNetworksMarkdown(runs: SmallNetworkReport[] | undefined): string[] {
  if (runs === undefined || runs.length === 0) return [];
  const spread = (s: Spread) => `${count(s.median)} (${count(s.min)}–${count(s.max)})`;
  return [
    'The 2-D playground\'s networks in the same page: spirals (two classes, softmax and cross-entropy), trained by `fit`',
    'with shuffled epochs as the playground trains, by mlpx\'s wasm backend on its worker threads and on one thread, from the',
    'same initial weights (the two reach the same loss bit for bit). Each timing is as many whole epochs as one thread',
    `trained in about 0.2 s; ${runs[0]!.scaling.rounds.length} rounds, alternating which goes first. Scaling: the median of`,
    'the per-round ratios.',
    '',
    '| network | case | rows | batch | epochs per timing | samples/s, threads (min–max) | samples/s, 1 thread (min–max) | scaling (min–max) |',
    '|---|---|---:|---:|---:|---|---|---:|',
    ...runs.map((r) => `| ${r.network} | ${r.name} | ${count(r.rows)} | ${r.batch} | ${r.epochs} | ${r.threads}: ${spread(r.samplesPerSecond)} | ${spread(r.oneThread)} | ${r.scaling.median.toFixed(2)}× (${r.scaling.min.toFixed(2)}–${r.scaling.max.toFixed(2)}) |`),
    '',
  ];
}
