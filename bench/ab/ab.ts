// A/B of two native addon builds, kernel paths or thread counts in one process, for kernel work
// on a shared, noisy machine. Rounds alternate A B B A …, so both sides of a pair see the same
// load; each round repeats the case for --round-ms and records process CPU time and wall time.
// The result is the median of the per-round B/A ratios. CPU time is the figure of merit on one
// thread (a neighbour that steals the core does not count against a contender); with more
// threads only wall time says whether the threads paid, so both are printed.
//
//   npx tsx bench/ab/ab.ts gemm  --shape 512x512x512 [--variant nn|tn|nt] --a SPEC --b SPEC
//   npx tsx bench/ab/ab.ts train --net 784-128-10 --batch 128 [--opt sgd|adam] [--rows 12800] [--sigmoid | --hidden tanh] [--dropout RATE] --a SPEC --b SPEC
//   npx tsx bench/ab/ab.ts infer --net 784-128-10 --batch 1024 [--sigmoid] --a SPEC --b SPEC
//
// SPEC is [file][@kernels][:threads], e.g. `build/Release/mlpx.node@avx2:1`, `@avx512:2` (the
// default addon), or `/tmp/base/mlpx.node:1` (another build; copy it to its own file so the dynamic
// loader does not hand back the first one). Build both sides of a two-build A/B with `node
// native/build.mjs --align-code --out DIR`: code placement alone moves a case by up to 5.6% between
// builds of the same kernels, more than most changes measured here. Options: --rounds N (default
// 21), --round-ms MS (default 200), --peak-gate X: before each pair of rounds, measure the addon's
// FMA peak on 1 and 2 threads (30 ms each) and run the pair only once 2 threads reach X times one
// thread (the host's two vCPUs are sometimes one core, or one is busy with another process), so a
// 2-thread ratio is measured only while two cores were there. --bound (train): after each round,
// the FMA peak at the contender's thread count (50 ms), and the round's wall rate as a fraction of
// the bound it implies (flops per sample: forward, weight gradients, and input gradients of every
// layer but the first). Each round is also tagged by the cores' cache-line round trip before and
// after it (coreRoundTrip), and B/A by wall time is shown apart for the rounds on close and on
// distant cores (the host moves its vCPUs between dies within seconds).
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { STAT_LOSS, STATS_PER_BATCH } from '../../src/backend/engine.js';
import type { NetSpec } from '../../src/backend/layout.js';
import { Activation, type ActivationName } from '../../src/backend/kernels.js';
import { NativeEngine } from '../../src/backend/native/engine.js';
import { candidatePaths, type NativeAddon } from '../../src/backend/native/load.js';
import { classifierSpec, OPTIMIZERS, sigmoidSpec, trainFlopsPerSample, type OptimizerName } from '../cases.js';
import { classification, initParams, permutation, randomMatrix } from '../data.js';
import { CLOSE_CORES_NS } from '../results.js';

interface Contender {
  readonly label: string;
  readonly addon: NativeAddon;
  readonly kernels: string | undefined;
  readonly threads: number;
}

/** One timed unit of work; `work` is what the rate counts (flops, samples). */
interface Runner {
  readonly work: number;
  readonly unit: string;
  /** train: the floating-point operations of one sample's step */
  readonly flopsPerSample?: number;
  run(): void | Promise<void>;
}

const loaded = new Map<string, NativeAddon>();

function loadAddonFile(file: string): NativeAddon {
  const absolute = path.resolve(file);
  if (!loaded.has(absolute)) loaded.set(absolute, createRequire(import.meta.url)(absolute) as NativeAddon);
  return loaded.get(absolute)!;
}

function parseContender(spec: string): Contender {
  const match = /^([^@:]*)(?:@([a-z0-9-]+))?(?::(\d+))?$/.exec(spec);
  if (match === null) throw new Error(`bad contender '${spec}': expected [file][@kernels][:threads]`);
  const file = match[1] === '' ? candidatePaths()[0]! : match[1]!;
  return { label: spec, addon: loadAddonFile(file), kernels: match[2], threads: Number(match[3] ?? 1) };
}

/** Make the contender's addon run its kernel path and thread count (both are addon-wide). */
function select(c: Contender): void {
  if (c.kernels !== undefined && c.addon.kernelPath() !== c.kernels && !c.addon.setKernelPath(c.kernels as never)) {
    throw new Error(`${c.label}: kernel path ${c.kernels} is not available in this addon on this CPU`);
  }
  if (c.addon.threads() !== c.threads) c.addon.setThreads(c.threads);
}

/** A classifier of these sizes (hidden layers `hidden`), or with `sigmoid` every layer sigmoid with ½·SSE (brain.js's network). */
function parseNet(text: string, sigmoid: boolean, hidden: string): NetSpec {
  const sizes = text.split('-').map(Number);
  if (!Object.hasOwn(Activation, hidden) || hidden === 'softmax') throw new Error(`--hidden: '${hidden}' is not an element-wise activation`);
  if (sigmoid && hidden !== 'relu') throw new Error('--sigmoid sets every layer\'s activation: leave out --hidden');
  return sigmoid ? sigmoidSpec(sizes) : classifierSpec(sizes, Activation[hidden as ActivationName]);
}

/** spec with every hidden layer dropping at `rate` (0: unchanged). */
function withDropout(spec: NetSpec, rate: number): NetSpec {
  if (rate === 0) return spec;
  return { ...spec, dropout: spec.activations.map((_, l) => (l + 1 < spec.activations.length ? rate : 0)) };
}

function gemmRunner(c: Contender, shape: string, variant: string): Runner {
  const [m, k, n] = shape.split('x').map(Number) as [number, number, number];
  const a = randomMatrix(m * k, 1);
  const b = randomMatrix(k * n, 2);
  const out = new Float32Array(m * n);
  const kernel = c.addon[`matmul_${variant}` as 'matmul_nn'];
  return { work: 2 * m * k * n, unit: 'GFLOP/s', run: () => kernel(out, a, b, m, k, n) };
}

function trainRunner(c: Contender, spec: NetSpec, batch: number, optimizer: OptimizerName, rows: number): Runner {
  const data = classification(rows, spec.sizes[0]!, spec.sizes[spec.sizes.length - 1]!, 7);
  const engine = new NativeEngine(spec, c.addon);
  engine.writeParams(initParams(spec.sizes, 3));
  const bound = engine.bindData(data.x, data.y, rows);
  const order = permutation(rows, 1);
  const batches = Math.ceil(rows / batch);
  const stats = new Float64Array(batches * STATS_PER_BATCH);
  const opt = OPTIMIZERS[optimizer];
  let step = 1;
  return {
    work: rows,
    unit: 'samples/s',
    flopsPerSample: trainFlopsPerSample(spec.sizes),
    run: async () => {
      const done = await engine.trainEpoch(bound, order, batch, opt, step, stats);
      if (done !== batches || !Number.isFinite(stats[(batches - 1) * STATS_PER_BATCH + STAT_LOSS]!)) throw new Error(`${c.label}: training diverged`);
      step += batches;
    },
  };
}

function inferRunner(c: Contender, spec: NetSpec, batch: number): Runner {
  const engine = new NativeEngine(spec, c.addon);
  engine.writeParams(initParams(spec.sizes, 5));
  engine.reserve(batch);
  const x = classification(batch, spec.sizes[0]!, spec.sizes[spec.sizes.length - 1]!, 9).x;
  const out = new Float32Array(batch * spec.sizes[spec.sizes.length - 1]!);
  return { work: batch, unit: 'samples/s', run: () => engine.forward(x, batch, out) };
}

interface Sample { cpu: number; wall: number; bound?: number }

async function timeRound(c: Contender, runner: Runner, roundMs: number, bound: boolean): Promise<Sample> {
  select(c);
  await runner.run(); // warm: caches, a resized pool's threads
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  let calls = 0;
  do {
    await runner.run();
    calls++;
  } while (performance.now() - wall0 < roundMs);
  const wall = (performance.now() - wall0) / 1000;
  const used = process.cpuUsage(cpu0);
  const cpu = (used.user + used.system) / 1e6;
  const sample: Sample = { cpu: (runner.work * calls) / cpu, wall: (runner.work * calls) / wall };
  if (bound && runner.flopsPerSample !== undefined) {
    sample.bound = (sample.wall * runner.flopsPerSample) / (c.addon.fmaPeak(c.threads, 0.05) * 1e9);
  }
  return sample;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function quartiles(values: number[]): string {
  const sorted = [...values].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))]!;
  return `${at(0.25).toFixed(3)}–${at(0.75).toFixed(3)}`;
}

const format = (rate: number, unit: string) =>
  unit === 'GFLOP/s' ? `${(rate / 1e9).toFixed(1)} ${unit}` : `${Math.round(rate).toLocaleString('en-US')} ${unit}`;

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      a: { type: 'string' }, b: { type: 'string' },
      shape: { type: 'string', default: '512x512x512' }, variant: { type: 'string', default: 'nn' },
      net: { type: 'string', default: '784-128-10' }, batch: { type: 'string', default: '128' },
      opt: { type: 'string', default: 'sgd' }, rows: { type: 'string', default: '12800' },
      rounds: { type: 'string', default: '21' }, 'round-ms': { type: 'string', default: '200' },
      'peak-gate': { type: 'string' },
      bound: { type: 'boolean', default: false }, sigmoid: { type: 'boolean', default: false },
      hidden: { type: 'string', default: 'relu' }, dropout: { type: 'string', default: '0' },
    },
  });
  const kind = positionals[0];
  if (values.a === undefined || values.b === undefined || kind === undefined) {
    throw new Error('usage: ab.ts gemm|train|infer --a SPEC --b SPEC [options] (see the header of bench/ab/ab.ts)');
  }
  const contenders = [parseContender(values.a), parseContender(values.b)] as const;
  const make = (c: Contender): Runner => {
    select(c);
    switch (kind) {
      case 'gemm': return gemmRunner(c, values.shape, values.variant);
      case 'train': return trainRunner(c, withDropout(parseNet(values.net, values.sigmoid, values.hidden), Number(values.dropout)), Number(values.batch), values.opt as OptimizerName, Number(values.rows));
      case 'infer': return inferRunner(c, parseNet(values.net, values.sigmoid, values.hidden), Number(values.batch));
      default: throw new Error(`unknown case '${kind}'`);
    }
  };
  const runners = contenders.map(make);
  const rounds = Number(values.rounds);
  const roundMs = Number(values['round-ms']);
  console.log(`ab ${kind} ${kind === 'gemm' ? `${values.shape} ${values.variant}` : `${values.net} batch ${values.batch}`}` +
    `: A=${contenders[0].label} B=${contenders[1].label}, ${rounds} rounds × ${roundMs} ms; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const peaks = () => {
    const addon = contenders[1].addon;
    const one = addon.fmaPeak(1, 0.2);
    const two = addon.fmaPeak(2, 0.2);
    // (an addon built before coreRoundTrip existed has none)
    const roundTrip = typeof addon.coreRoundTrip === 'function' ? `; core round trip ${addon.coreRoundTrip(5000).toFixed(0)} ns` : '';
    return `FMA peak (${addon.kernelPath()}) 1 thread ${one.toFixed(0)}, 2 threads ${two.toFixed(0)} GFLOP/s (${(two / one).toFixed(2)}x)${roundTrip}`;
  };
  console.log(`  before: ${peaks()}`);
  const samples: [Sample[], Sample[]] = [[], []];
  const trips: [number, number][] = [];
  // NaN (no tag) with an addon built before coreRoundTrip existed
  const coreTrip = () => (typeof contenders[1].addon.coreRoundTrip === 'function' ? contenders[1].addon.coreRoundTrip(2000) : NaN);
  const gate = values['peak-gate'] === undefined ? 0 : Number(values['peak-gate']);
  let gatedOut = 0;
  for (let round = 0; round < rounds; round++) {
    while (gate > 0) {
      const addon = contenders[1].addon;
      if (addon.fmaPeak(2, 0.03) >= gate * addon.fmaPeak(1, 0.03)) break;
      if (++gatedOut % 50 === 0) console.log(`  (${gatedOut} probes so far found 2 threads under ${gate}x one thread)`);
    }
    const order = round % 2 === 0 ? [0, 1] : [1, 0];
    const before = coreTrip();
    for (const i of order) samples[i]!.push(await timeRound(contenders[i]!, runners[i]!, roundMs, values.bound));
    trips.push([before, coreTrip()]);
  }
  if (gate > 0) console.log(`  peak gate ${gate}x: ${gatedOut} probes were under it and waited`);
  const unit = runners[0]!.unit;
  for (const [i, c] of contenders.entries()) {
    const bounds = samples[i]!.flatMap((s) => (s.bound === undefined ? [] : [s.bound]));
    const fraction = bounds.length > 0 ? `; ${median(bounds).toFixed(3)} of the FMA bound (quartiles ${quartiles(bounds)})` : '';
    console.log(`  ${i === 0 ? 'A' : 'B'} ${c.label.padEnd(28)} cpu ${format(median(samples[i]!.map((s) => s.cpu)), unit).padEnd(22)} wall ${format(median(samples[i]!.map((s) => s.wall)), unit)}${fraction}`);
  }
  for (const clock of ['cpu', 'wall'] as const) {
    const ratios = samples[1].map((s, r) => s[clock] / samples[0][r]![clock]);
    console.log(`  B/A by ${clock.padEnd(4)}: median ${median(ratios).toFixed(3)} (quartiles ${quartiles(ratios)})`);
  }
  const wall = samples[1].map((s, r) => s.wall / samples[0][r]!.wall);
  for (const [which, keep] of [['close', (t: number) => t < CLOSE_CORES_NS], ['distant', (t: number) => t >= CLOSE_CORES_NS]] as const) {
    const kept = wall.filter((_, r) => keep(trips[r]![0]) && keep(trips[r]![1]));
    if (kept.length > 0) console.log(`  B/A by wall on ${which} cores: median ${median(kept).toFixed(3)} (quartiles ${quartiles(kept)}), ${kept.length} rounds`);
  }
  console.log(`  after: ${peaks()}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

await main();
