// Tabular input: reading a CSV of 1,000,000 rows × 50 numeric columns and a class column with
// readCsvFile (csv-parse streaming into growing typed arrays), in a fresh child process per run so
// its peak resident memory (maxRSS: Node, tsx and the data together) belongs to the load alone.
// The file is generated first (seeded, 4 decimals per value) and removed afterwards; each run is
// validated (row and column counts, the first row's values, the class names) before it counts.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rng } from '../data.js';
import { errorRow, measuredRow, type CaseInfo } from '../harness.js';
import { log } from '../log.js';
import type { Row } from '../results.js';

const ROWS = 1_000_000;
const COLUMNS = 50;
const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'csv-load.ts');

/** Writes the CSV; returns the first data row as the reader should see it. */
async function writeCsv(file: string): Promise<number[]> {
  const next = rng(42);
  const out = createWriteStream(file);
  let chunk = Array.from({ length: COLUMNS }, (_, c) => `f${c}`).join(',') + ',label\n';
  let first: number[] = [];
  for (let r = 0; r < ROWS; r++) {
    const values = Array.from({ length: COLUMNS }, () => (next() * 2 - 1).toFixed(4));
    if (r === 0) first = values.map((v) => Math.fround(Number(v)));
    chunk += `${values.join(',')},${Number(values[0]) + Number(values[1]) > 0 ? 'yes' : 'no'}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((done) => out.once('drain', () => done()));
      chunk = '';
    }
    if (r % 100_000 === 0) log(`csv: writing row ${r.toLocaleString('en-US')} of ${ROWS.toLocaleString('en-US')}`, true);
  }
  await new Promise<void>((done) => out.end(chunk, () => done()));
  return first;
}

interface LoadReport { seconds: number; peakRssBytes: number; rows: number; columns: number; firstRow: number[]; classes: string[] | null; xBytes: number }

function loadInChild(file: string): Promise<LoadReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file, 'label'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const started = performance.now();
    // the parent only waits: keep the watchdog's heartbeat going
    const ticker = setInterval(() => log(`csv: loading (${((performance.now() - started) / 1000).toFixed(0)} s)`, true), 5000);
    child.on('close', (code) => {
      clearInterval(ticker);
      if (code === 0) resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as LoadReport);
      else reject(new Error(`load process exited ${code}: ${stderr.trim().split('\n').at(-1) ?? ''}`));
    });
  });
}

export async function csvSuite(runs: number): Promise<Row[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlpx-bench-csv-'));
  const file = path.join(dir, 'rows.csv');
  const who = { impl: 'mlpx' as const, backend: 'csv-parse', threads: 1 };
  const info = (metric: 'load_seconds' | 'peak_rss_mib'): CaseInfo => ({ suite: 'csv', shape: `${ROWS}×${COLUMNS} CSV`, batch: null, optimizer: null, metric, work: ROWS });
  try {
    log(`csv: writing ${ROWS.toLocaleString('en-US')} × ${COLUMNS} + class column`);
    const first = await writeCsv(file);
    log(`csv: ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB written; ${runs} load(s), each in a fresh process`);
    const seconds: number[] = [];
    const rss: number[] = [];
    for (let run = 0; run < runs; run++) {
      const report = await loadInChild(file);
      const valid = report.rows === ROWS && report.columns === COLUMNS && report.firstRow.every((v, i) => v === first[i]) && JSON.stringify(report.classes) === '["no","yes"]';
      if (!valid) throw new Error(`read ${report.rows} rows × ${report.columns} columns, classes ${JSON.stringify(report.classes)}, first row ${report.firstRow.slice(0, 3).join(', ')}…; expected ${ROWS} × ${COLUMNS}, ["no","yes"], ${first.slice(0, 3).join(', ')}…`);
      seconds.push(report.seconds);
      rss.push(report.peakRssBytes / 2 ** 20);
      log(`csv: run ${run + 1}: ${report.seconds.toFixed(1)} s, peak RSS ${(report.peakRssBytes / 2 ** 20).toFixed(0)} MiB (the features alone: ${(report.xBytes / 2 ** 20).toFixed(0)} MiB)`);
    }
    return [measuredRow(info('load_seconds'), who, seconds), measuredRow(info('peak_rss_mib'), who, rss)];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`  ERROR csv: ${message}`);
    return [errorRow(info('load_seconds'), who, message), errorRow(info('peak_rss_mib'), who, message)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
