// `npm run bench [-- --quick] [-- --only gemm|train|infer|profile|csv|mnist]`: every mlpx backend that
// loads and the peers, on the same work in one run. Progress on stderr; the Markdown table on
// stdout; bench/results/latest.json written atomically.
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { TimingOptions } from './harness.js';
import { log } from './log.js';
import { startWatchdog } from './watchdog.js';
import { baselines, closePeers, findPeers } from './peers/index.js';
import { applyRatios, machineInfo, markdownTables, RESULTS_FILE, writeReport, type ProfileRecord, type Report, type Row, type SuiteRun } from './results.js';
import { boundRows, peakRecords, scalingRows, vsNumpyRows, vsOrtRows } from './suites/derived.js';
import { nativePeakProbe } from './peers/mlpx.js';
import { profileSuite } from './suites/profile.js';
import { gemmSuite } from './suites/gemm.js';
import { inferSuite } from './suites/infer.js';
import { mnistSuite } from './suites/mnist.js';
import { trainSuite } from './suites/train.js';
import { csvSuite } from './suites/csv.js';
import { mnistDropoutRows } from './suites/features.js';

const SUITES = ['gemm', 'train', 'infer', 'profile', 'csv', 'mnist'] as const;
type SuiteName = (typeof SUITES)[number];

function options(): { quick: boolean; only: SuiteName[] } {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string', multiple: true } } });
  const only = (values.only ?? []).flatMap((s) => s.split(','));
  for (const name of only) {
    if (!(SUITES as readonly string[]).includes(name)) throw new Error(`--only expects one of ${SUITES.join('|')}, got '${name}'`);
  }
  return { quick: values.quick, only: only.length > 0 ? (only as SuiteName[]) : [...SUITES] };
}

async function main(): Promise<number> {
  const { quick, only } = options();
  const started = performance.now();
  // ≥ 5 rounds always; --quick shortens each round and tightens the time cap
  const timing: TimingOptions = quick ? { rounds: 5, roundMs: 25, maxCallMs: 300 } : { rounds: 7, roundMs: 250, maxCallMs: 3000 };
  const machine = machineInfo();
  log(`mlpx bench${quick ? ' --quick' : ''}: ${only.join(', ')} on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);
  startWatchdog(quick ? 60 : 240);
  const peers = await findPeers(timing.roundMs);
  // 50 ms per thread count after a 250 ms round; --quick's rounds are 25 ms
  timing.peak = nativePeakProbe(peers.mlpx, quick ? 0.03 : 0.05);
  if (timing.peak !== undefined) log(`FMA peak probes (${timing.peak.path}, 1 and ${timing.peak.cores} threads) after every round of mlpx native and wasm`);
  const rows: Row[] = [];
  const suites: SuiteRun[] = [];
  const profile: ProfileRecord[] = [];
  const report = (): Report => {
    const all = rows.map((r) => ({ ...r }));
    applyRatios(all, baselines(peers));
    const results = [...all, ...scalingRows(all), ...vsNumpyRows(all), ...vsOrtRows(all), ...boundRows(all)];
    const numpy = peers.numpy.flatMap((proc) => (proc.info ? [proc.info] : []));
    const kernels = Object.fromEntries(peers.mlpx.map((t) => [t.name, t.backend.details().kernelPath]));
    return { machine, kernels, results, suites, ...(numpy.length > 0 ? { numpy } : {}), peaks: peakRecords(all), ...(profile.length > 0 ? { profile } : {}) };
  };
  // after every case, so a run that is stopped keeps what it measured
  const record = (caseRows: Row[]): void => {
    rows.push(...caseRows);
    writeReport(RESULTS_FILE, report());
  };
  // when each suite ran and the machine's load around it, so a reader can judge the noise
  const suite = async (name: SuiteName, run: () => Promise<void>): Promise<void> => {
    if (!only.includes(name)) return;
    const started = new Date();
    const loadStart = os.loadavg();
    log(`suite ${name}: load average ${loadStart.map((l) => l.toFixed(2)).join(' ')}`);
    await run();
    suites.push({ suite: name, started: started.toISOString(), seconds: (Date.now() - started.getTime()) / 1000, loadStart, loadEnd: os.loadavg() });
    writeReport(RESULTS_FILE, report());
  };
  try {
    await suite('gemm', () => gemmSuite(peers, timing, record));
    await suite('train', () => trainSuite(peers, timing, quick, record));
    await suite('infer', () => inferSuite(peers, timing, record));
    await suite('profile', async () => { profile.push(...(await profileSuite(peers, quick))); });
    await suite('csv', async () => record(await csvSuite(quick ? 1 : 3)));
    await suite('mnist', async () => {
      record(await mnistSuite(peers, quick ? { runs: 1, capSeconds: 30 } : { runs: 5, capSeconds: 120 }));
      record(await mnistDropoutRows(peers, quick));
    });
  } finally {
    closePeers(peers);
  }
  const final = report();
  writeReport(RESULTS_FILE, final);
  const { results } = final;
  const minutes = (performance.now() - started) / 60000;
  const flags = [...(quick ? ['--quick'] : []), ...(only.length < SUITES.length ? [`--only ${only.join(',')}`] : [])];
  process.stdout.write(`## mlpx benchmarks\n\n${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.os}, ${machine.date}\n` +
    `Command: npm run bench${flags.length > 0 ? ` -- ${flags.join(' ')}` : ''} (took ${minutes.toFixed(1)} min)\n\n${markdownTables(results)}\n`);
  const errors = results.filter((r) => r.error !== undefined).length;
  log(`wrote ${path.relative(process.cwd(), RESULTS_FILE)} (${results.length} rows, ${errors} errors)`);
  return errors > 0 ? 1 : 0;
}

// Exit explicitly: backend worker threads (wasm) would otherwise keep the process alive.
main().then((code) => process.stdout.write('', () => process.exit(code))).catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exit(1);
});
