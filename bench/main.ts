// `npm run bench [-- --quick] [-- --only gemm|train|infer|mnist|csv]`: every mlpx backend that
// loads and the peers, on the same work in one run. Progress on stderr; the Markdown table on
// stdout; bench/results/latest.json (issue 4's schema) written atomically.
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { TimingOptions } from './harness.js';
import { log } from './log.js';
import { startWatchdog } from './watchdog.js';
import { baselines, closePeers, findPeers } from './peers/index.js';
import { applyRatios, machineInfo, markdownTables, RESULTS_FILE, writeReport, type Row } from './results.js';
import { scalingRows, vsNumpyRows } from './suites/derived.js';
import { gemmSuite } from './suites/gemm.js';
import { inferSuite } from './suites/infer.js';
import { mnistSuite } from './suites/mnist.js';
import { trainSuite } from './suites/train.js';
import { csvSuite } from './suites/csv.js';
import { mnistDropoutRows } from './suites/features.js';

const SUITES = ['gemm', 'train', 'infer', 'mnist', 'csv'] as const;
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
  const rows: Row[] = [];
  const finished = (): Row[] => {
    const all = rows.map((r) => ({ ...r }));
    applyRatios(all, baselines(peers));
    return [...all, ...scalingRows(all), ...vsNumpyRows(all)];
  };
  // after every case, so a run that is stopped keeps what it measured
  const record = (caseRows: Row[]): void => {
    rows.push(...caseRows);
    writeReport(RESULTS_FILE, { machine, results: finished() });
  };
  try {
    if (only.includes('gemm')) await gemmSuite(peers, timing, record);
    if (only.includes('train')) await trainSuite(peers, timing, quick, record);
    if (only.includes('infer')) await inferSuite(peers, timing, record);
    if (only.includes('csv')) record(await csvSuite(quick ? 1 : 3));
    if (only.includes('mnist')) record(await mnistSuite(peers, quick ? { runs: 1, maxEpochs: 10, capSeconds: 12 } : { runs: 5, maxEpochs: 15, capSeconds: 120 }));
    if (only.includes('mnist')) record(await mnistDropoutRows(peers, quick));
  } finally {
    closePeers(peers);
  }
  const results = finished();
  writeReport(RESULTS_FILE, { machine, results });
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
