// The browser benchmark's results: bench/results/browser.json (written by `npm run
// bench:browser`) and its section of BENCHMARKS.md. Ratios pair the two contenders' epochs of the
// same round, which ran back to back under the same machine load.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { backedOffCell, backedOffPercent, splitTasksOf, summarize, TWO_CORES, wasmTasksPosted, type Machine, type SplitTasks, type TaskRounds } from '../results.js';

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
  /** after each round: two probe workers' in-L1 GEMM throughput over one's (capabilityProbe) */
  probes: number[];
  /** kernelPath: the wasm backend's details().kernelPath (which build the engine loaded) */
  mlpx: ContenderRun & { notes: string[]; kernelPath: string; tasks?: TaskRounds };
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
  /** after each round, as BrowserPageResult.probes */
  probes: number[];
  /** per timing on the pool's threads (pool-tasks.js; posted: raw differences); absent in older runs */
  tasks?: TaskRounds;
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
  /** mlpx on its threads ÷ on one thread (absent in runs made before the page probed the cores) */
  scaling?: ThreadScaling;
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
  /** samples/s on `threads` threads ÷ on one (probes and two-core rounds absent in older runs) */
  scaling: Spread & { rounds: number[] } & Partial<ThreadScaling>;
}

/**
 * Threads ÷ one thread per round, and over the rounds whose capability probe reached TWO_CORES
 * (the host runs its two vCPUs on one core at times: a ratio of such a round says nothing about
 * the threads).
 */
interface ThreadScaling extends Spread {
  rounds: number[]; probes: number[]; twoCoreRounds: number; scalingTwoCores: number | null;
  /** the split tasks of the rounds on the pool's threads (absent in runs before they were counted) */
  splitTasks?: SplitTasks;
}

function threadScaling(many: number[], one: number[], probes: number[], tasks: TaskRounds | undefined): ThreadScaling {
  const rounds = many.map((m, i) => m / one[i]!);
  const twoCores = rounds.filter((_, i) => probes[i]! >= TWO_CORES);
  return {
    ...summarize(rounds), rounds, probes, twoCoreRounds: twoCores.length, scalingTwoCores: twoCores.length > 0 ? summarize(twoCores).median : null,
    ...(tasks === undefined ? {} : { splitTasks: splitTasksOf({ posted: tasks.posted.map(wasmTasksPosted), backedOff: tasks.backedOff }) }),
  };
}

function summarizeSmallNetwork(run: SmallNetworkRun): SmallNetworkReport {
  const rate = (seconds: number[]) => seconds.map((s) => (run.rows * run.epochs) / s);
  const many = rate(run.seconds);
  const one = rate(run.secondsOneThread);
  return {
    name: run.name, network: run.network, rows: run.rows, batch: run.batch, optimizer: `adam lr ${run.lr}`, epochs: run.epochs, threads: run.threads,
    samplesPerSecond: summarize(many), oneThread: summarize(one), scaling: threadScaling(many, one, run.probes, run.tasks),
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
    scaling: threadScaling(mlpx, single, page.probes, page.mlpx.tasks),
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
    ...(report.scaling === undefined ? [] : [
      `mlpx on ${mlpx.threads} threads runs ${report.scaling.median.toFixed(2)}× as fast as on one (${report.scaling.min.toFixed(2)}×–${report.scaling.max.toFixed(2)}×);`,
      `${twoCoreScaling(report.scaling)}${splitTasksClause(report.scaling.splitTasks)}.`,
    ]),
    '',
    ...smallNetworksMarkdown(report.smallNetworks),
  ].join('\n');
}

/** The table of the playground's networks, threads against one thread (none in older runs). */
function smallNetworksMarkdown(runs: SmallNetworkReport[] | undefined): string[] {
  if (runs === undefined || runs.length === 0) return [];
  const spread = (s: Spread) => `${count(s.median)} (${count(s.min)}–${count(s.max)})`;
  const counted = runs.some((r) => r.scaling.splitTasks !== undefined);
  return [
    'The 2-D playground\'s networks in the same page: spirals (two classes, softmax and cross-entropy), trained by `fit`',
    'with shuffled epochs as the playground trains, by mlpx\'s wasm backend on its worker threads and on one thread, from the',
    'same initial weights (the two reach the same loss bit for bit). Each timing is as many whole epochs as one thread',
    `trained in about 0.2 s; ${runs[0]!.scaling.rounds.length} rounds, alternating which goes first. Scaling: the median of`,
    `the per-round ratios; two cores: over the rounds whose probe (after the round) reached ${TWO_CORES}×, as above.`,
    ...(counted ? ['Backed off: as in the scaling table above, over the timings on the pool\'s threads ("no split": every task ran on the caller).'] : []),
    '',
    `| network | case | rows | batch | epochs per timing | samples/s, threads (min–max) | samples/s, 1 thread (min–max) | scaling (min–max) | two cores: rounds, scaling |${counted ? ' backed off |' : ''}`,
    `|---|---|---:|---:|---:|---|---|---:|---:|${counted ? '---:|' : ''}`,
    ...runs.map((r) => `| ${r.network} | ${r.name} | ${count(r.rows)} | ${r.batch} | ${r.epochs} | ${r.threads}: ${spread(r.samplesPerSecond)} | ${spread(r.oneThread)} | ${r.scaling.median.toFixed(2)}× (${r.scaling.min.toFixed(2)}–${r.scaling.max.toFixed(2)}) | ${r.scaling.twoCoreRounds === undefined ? '—' : `${r.scaling.twoCoreRounds} of ${r.scaling.rounds.length}, ${r.scaling.scalingTwoCores == null ? '—' : `${r.scaling.scalingTwoCores.toFixed(2)}×`}`} |${counted ? ` ${backedOffCell(r.scaling.splitTasks)} |` : ''}`),
    '',
  ];
}

/** What the pool did with the split tasks of the rounds on its threads, as a clause (none in older runs). */
function splitTasksClause(s: SplitTasks | undefined): string {
  if (s === undefined) return '';
  if (s.tasks === 0) return '; the pool split no task';
  return `; the pool ran ${backedOffPercent(s.backedOffShare)} of its ${count(s.tasks)} split tasks on the calling thread after a worker stalled (in ${s.backedOffRounds} of the rounds)`;
}

/** How a run's scaling reads over its rounds with two cores. */
function twoCoreScaling(s: ThreadScaling): string {
  const over = `over the ${s.twoCoreRounds} of ${s.rounds.length} rounds after which two probe workers ran in-L1 GEMMs at ≥ ${TWO_CORES}× one's throughput (a core each)`;
  return s.scalingTwoCores === null ? `no round had two cores by that probe (it reached ${Math.max(...s.probes).toFixed(2)}× at most)` : `${s.scalingTwoCores.toFixed(2)}× ${over}`;
}
