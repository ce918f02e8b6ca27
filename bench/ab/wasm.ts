// A/B of the wasm backend: two thread counts, or two builds of the module, side by side in one
// process (Node worker_threads) or one page (Chromium, Web Workers, cross-origin isolated). Each
// contender is its own backend (own memory, own workers). Rounds alternate A B B A …; the result
// is the median of the per-round B/A ratios of wall-clock rates, with their quartiles. Before each
// pair of rounds a capability probe runs the same in-L1 GEMMs on one probe worker, then on two at
// once: two-thread throughput over one-thread (≈ 2 with two free cores, ≈ 1 when the two vCPUs
// share a core or a neighbour holds one), so a ratio under 1 from co-scheduling can be told apart
// from synchronization overhead.
//
//   npx tsx bench/ab/wasm.ts train --net 2-32-32-2 --batch 32 --rows 1000 [--opt sgd|adam] [--sigmoid | --hidden tanh] --a :1 --b :2
//   npx tsx bench/ab/wasm.ts gemm --shape 32x32x32 [--reps 100] --a :1 --b :2
//   npx tsx bench/ab/wasm.ts threads                every case of THREAD_CASES (bench/ab/wasm-work.js), 1 vs 2 threads
//   npx tsx bench/ab/wasm.ts calibrate              the cost model's measurements (wasm-work.js calibrate)
//   … --browser                                     the same in headless Chromium (/usr/bin/chromium)
//
// SPEC is [file][@kernels][:threads]: `:2` is the built threads module (dist/wasm/mlpx-threads.wasm,
// as embedded) on 2 threads, `/tmp/other.wasm:1` another build of it, `@relaxed-simd:1` the
// relaxed-SIMD build (mlpx-threads-relaxed.wasm; Node 20 needs `node
// --experimental-wasm-relaxed-simd --import tsx bench/ab/wasm.ts …`). Without @kernels: simd128. Options: --rounds N (default
// 15), --round-ms MS (default 150), --no-probe, --gate X (run a pair of rounds only once a probe
// reaches X, at most 100 probes), --json FILE (append the results as JSON lines),
// --split COST, --chunk COST, --no-adapt (the cost model's thresholds and its backing off after
// stalls, src/backend/wasm/threads.ts SplitCosts). In Node, with the native addon built, each
// round is also tagged by the cores' cache-line round trip before and after it, and B/A is shown
// apart for the rounds on close and on distant cores (the host moves its vCPUs between dies).
import { appendFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { Activation, Loss, Optimizer } from '../../src/backend/kernels.js';
import { createWasmBackend, type WasmBackend } from '../../src/backend/wasm/backend.js';
import { embeddedWasm } from '../../src/backend/wasm/embedded.js';
import { nodePlatform } from '../../src/backend/wasm/node.js';
import { moduleFile } from '../../src/backend/wasm/runtime.js';
import { loadAddon } from '../../src/backend/native/load.js';
import { CLOSE_CORES_NS } from '../results.js';
import { WASM_KERNELS, type WasmKernels } from '../../src/backend/wasm/kernel-choice.js';
import type { SplitCosts } from '../../src/backend/wasm/threads.js';
import { calibrateInChromium, runInChromium } from './wasm-browser.js';
import {
  abRounds, calibrate, capabilityProbe, caseName, format, gemmWork, PROBE_WORKER_SOURCE, THREAD_CASES, trainWork, type CoreRounds, type GemmCaseOptions,
  type TrainCaseOptions,
} from './wasm-work.js';

export interface Contender { readonly label: string; readonly file: string | undefined; readonly kernels: WasmKernels; readonly threads: number }

export type CaseOptions = ({ kind: 'train' } & TrainCaseOptions) | ({ kind: 'gemm' } & GemmCaseOptions);

export interface AbResult {
  readonly name: string;
  readonly labels: readonly [string, string];
  readonly rates: readonly [number, number];
  readonly unit: string;
  readonly ratio: number;
  readonly quartiles: readonly [number, number];
  /** B/A of rates per CPU second (Node only): the figure of merit when both run on one thread */
  readonly cpuRatio: number | undefined;
  readonly probe: number | undefined;
  readonly probeQuartiles: readonly [number, number] | undefined;
  /** probes under the gate (--gate) that made a pair of rounds wait */
  readonly gatedOut: number;
  /** B/A over the rounds on close and on distant cores (Node, with the native addon built) */
  readonly closeCores?: CoreRounds | undefined;
  readonly distantCores?: CoreRounds | undefined;
}

export function parseContender(spec: string): Contender {
  const match = /^([^:@]*)(?:@([a-z0-9-]+))?(?::(\d+))?$/.exec(spec);
  const kernels = match?.[2] ?? 'simd128';
  if (match === null || !(WASM_KERNELS as readonly string[]).includes(kernels)) {
    throw new Error(`bad contender '${spec}': expected [file][@${WASM_KERNELS.join('|')}][:threads]`);
  }
  return { label: spec, file: match[1] === '' ? undefined : path.resolve(match[1]!), kernels: kernels as WasmKernels, threads: Number(match[3] ?? 1) };
}

/** The cost model's thresholds for every contender (`--split`, `--chunk`), else the defaults. */
let splitCosts: Partial<SplitCosts> = {};

async function backendFor(c: Contender): Promise<WasmBackend> {
  const bytes = c.file === undefined ? undefined : readFileSync(c.file);
  const threadsFile = moduleFile(true, c.kernels);
  const backend = await createWasmBackend({
    ...nodePlatform,
    compile: (file) => WebAssembly.compile(bytes !== undefined && file === threadsFile ? bytes : embeddedWasm(file)),
  }, c.kernels);
  backend.setThreads(c.threads);
  await backend.threadsReady();
  const pool = backend.runtime.pool;
  if (pool !== undefined) pool.splitCosts = { ...pool.splitCosts, ...splitCosts };
  return backend;
}

async function startProbe(): Promise<{ probe: () => Promise<number>; stop: () => Promise<void> }> {
  const module = await WebAssembly.compile(embeddedWasm('mlpx.wasm'));
  const workers = [0, 1].map(() => new Worker(PROBE_WORKER_SOURCE, { eval: true, workerData: module }));
  const ask = (worker: Worker, reps: number) => new Promise<number>((resolve) => {
    worker.once('message', resolve);
    worker.postMessage(reps);
  });
  return { probe: capabilityProbe(workers, ask), stop: async () => { await Promise.all(workers.map((w) => w.terminate())); } };
}

const ids = { Activation, Loss, Optimizer };

export interface RoundOptions { readonly rounds: number; readonly roundMs: number; readonly probe: boolean; readonly gate: number | undefined }

/** The native addon's cache-line round trip between its two first pool threads, if it loads. */
function coreTripMeter(): (() => number) | undefined {
  try {
    const addon = loadAddon();
    return () => addon.coreRoundTrip(2000);
  } catch {
    return undefined;
  }
}

export async function runInNode(cases: readonly CaseOptions[], contenders: readonly [Contender, Contender], options: RoundOptions, report: (r: AbResult) => void): Promise<void> {
  const backends = await Promise.all(contenders.map(backendFor));
  const prober = options.probe ? await startProbe() : undefined;
  const coreTrip = coreTripMeter();
  try {
    for (const c of cases) {
      const works = backends.map((backend) => (c.kind === 'gemm' ? gemmWork(backend, c) : trainWork(backend, ids, c)));
      const cpu = () => {
        const used = process.cpuUsage();
        return (used.user + used.system) / 1e6;
      };
      const r = await abRounds(works, { ...options, cpu, probe: prober?.probe, coreTrip, closeNs: CLOSE_CORES_NS });
      report({ name: caseName(c), labels: [contenders[0].label, contenders[1].label], unit: works[0]!.unit, ...r } as AbResult);
    }
  } finally {
    await prober?.stop();
  }
}

async function calibrateInNode(): Promise<string[]> {
  const [single, pair] = await Promise.all([backendFor(parseContender(':1')), backendFor(parseContender(':2'))]);
  return calibrate(single, pair, { sleep: (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)) });
}

function printResult(r: AbResult): void {
  const probe = r.probe === undefined ? '' : `  probe 2/1 ${r.probe.toFixed(2)} (${r.probeQuartiles![0].toFixed(2)}–${r.probeQuartiles![1].toFixed(2)})` +
    `${r.gatedOut > 0 ? `, ${r.gatedOut} under the gate` : ''}`;
  console.log(`${r.name.padEnd(44)} A ${format(r.rates[0], r.unit).padEnd(20)} B ${format(r.rates[1], r.unit).padEnd(20)}` +
    ` B/A ${r.ratio.toFixed(3)} (${r.quartiles[0].toFixed(3)}–${r.quartiles[1].toFixed(3)})` +
    `${r.cpuRatio === undefined ? '' : `  by cpu ${r.cpuRatio.toFixed(3)}`}${probe}` +
    `${coreRounds('close', r.closeCores)}${coreRounds('distant', r.distantCores)}`);
}

/** B/A over the rounds on `which` cores, if any ran there. */
function coreRounds(which: string, c: CoreRounds | undefined): string {
  return c === undefined ? '' : `  ${which} cores ${c.ratio.toFixed(3)} (${c.quartiles[0].toFixed(3)}–${c.quartiles[1].toFixed(3)}, ${c.rounds} rounds)`;
}

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      a: { type: 'string', default: ':1' }, b: { type: 'string', default: ':2' },
      shape: { type: 'string', default: '128x784x128' }, reps: { type: 'string', default: '20' },
      net: { type: 'string', default: '2-32-32-2' }, batch: { type: 'string', default: '32' },
      opt: { type: 'string', default: 'adam' }, rows: { type: 'string', default: '1000' }, sigmoid: { type: 'boolean', default: false }, hidden: { type: 'string', default: 'relu' },
      rounds: { type: 'string', default: '15' }, 'round-ms': { type: 'string', default: '150' },
      'no-probe': { type: 'boolean', default: false }, browser: { type: 'boolean', default: false }, gate: { type: 'string' },
      json: { type: 'string' }, split: { type: 'string' }, chunk: { type: 'string' }, 'no-adapt': { type: 'boolean', default: false },
    },
  });
  const kind = positionals[0];
  if (values.split !== undefined) splitCosts = { ...splitCosts, split: Number(values.split) };
  if (values.chunk !== undefined) splitCosts = { ...splitCosts, chunk: Number(values.chunk) };
  if (values['no-adapt']) splitCosts = { ...splitCosts, adaptive: false };
  if (kind === 'calibrate') {
    console.log(`wasm cost model calibration in ${values.browser ? 'Chromium' : `Node ${process.version}`}; load average ${load()}`);
    const lines = values.browser ? await calibrateInChromium() : await calibrateInNode();
    for (const line of lines) console.log(line);
    console.log(`load average ${load()}`);
    return;
  }
  let cases: CaseOptions[];
  if (kind === 'threads') {
    cases = THREAD_CASES.map((c) => ({ kind: 'train' as const, ...c }));
  } else if (kind === 'train') {
    cases = [{ kind: 'train', net: values.net, batch: Number(values.batch), rows: Number(values.rows), opt: values.opt, sigmoid: values.sigmoid, hidden: values.hidden }];
  } else if (kind === 'gemm') {
    cases = values.shape.split(',').map((shape) => {
      const [m, k, n] = shape.split('x').map(Number) as [number, number, number];
      return { kind: 'gemm' as const, m, k, n, reps: Number(values.reps) };
    });
  } else {
    throw new Error('usage: wasm.ts train|gemm|threads [--a SPEC --b SPEC] [options] (see the header of bench/ab/wasm.ts)');
  }
  const contenders = [parseContender(values.a), parseContender(values.b)] as const;
  const options: RoundOptions = {
    rounds: Number(values.rounds), roundMs: Number(values['round-ms']), probe: !values['no-probe'],
    gate: values.gate === undefined ? undefined : Number(values.gate),
  };
  console.log(`wasm ab in ${values.browser ? 'Chromium' : `Node ${process.version}`}: A=${contenders[0].label} B=${contenders[1].label},` +
    ` ${options.rounds} rounds × ${options.roundMs} ms${options.gate === undefined ? '' : `, pairs gated on a probe ≥ ${options.gate}`}; load average ${load()}`);
  const report = (r: AbResult) => {
    printResult(r);
    if (values.json !== undefined) appendFileSync(values.json, `${JSON.stringify({ where: values.browser ? 'chromium' : 'node', load: os.loadavg(), ...r })}\n`);
  };
  if (values.browser) await runInChromium(cases, contenders, options, splitCosts, report);
  else await runInNode(cases, contenders, options, report);
  console.log(`load average ${load()}`);
}

await main();
