// Result rows, ratios to a named baseline, the Markdown table and bench/results/latest.json.
// The JSON: { machine: { cpu, cores, node, os, date }, results: [Row] }, then the blocks a run
// adds when it has them: `suites` (when each suite ran and the load average around it), `numpy`
// (the OpenBLAS each numpy process ran), `peaks` (native rows against the FMA peak probed after
// each of their rounds) and `profile` (where a training step's time goes).
// A row whose validation failed keeps the schema's keys with null numbers, runs 0, and one
// extra key, `error`, saying what was wrong — a wrong result is reported, never timed.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CTRL } from '../src/backend/wasm/layout.js';
import type { NumpyInfo } from './numpy-info.js';

/** Where `npm run bench` writes its report and `npm run bench:report` reads it. */
export const RESULTS_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results', 'latest.json');

export type Suite = 'gemm' | 'train' | 'infer' | 'mnist' | 'csv' | 'scaling' | 'vs-numpy' | 'vs-onnxruntime' | 'fma-bound';
export type Impl = 'mlpx' | 'tfjs' | 'brain.js' | 'numpy' | 'onnxruntime';
export type Metric = 'gflops' | 'samples_per_s' | 'latency_us' | 'seconds_to_97' | 'seconds_to_98' | 'load_seconds' | 'peak_rss_mib'
  | 'test_accuracy' | 'train_seconds' | 'epochs_to_98.5' | 'seconds_to_98.5';

export const UNITS: Readonly<Record<Metric, string>> = {
  gflops: 'GFLOP/s', samples_per_s: 'samples/s', latency_us: 'µs', seconds_to_97: 's', seconds_to_98: 's', load_seconds: 's', peak_rss_mib: 'MiB',
  test_accuracy: '%', train_seconds: 's', 'epochs_to_98.5': 'epochs', 'seconds_to_98.5': 's',
};

/** Metrics where smaller is better; ratios are inverted for them so ratio > 1 always means faster. */
const LOWER_IS_BETTER: ReadonlySet<Metric> = new Set(['latency_us', 'seconds_to_97', 'seconds_to_98', 'load_seconds', 'peak_rss_mib', 'train_seconds', 'epochs_to_98.5', 'seconds_to_98.5']);

export interface Row {
  suite: Suite;
  impl: Impl;
  backend: string;
  threads: number;
  shape: string;
  batch: number | null;
  optimizer: string | null;
  metric: Metric;
  median: number | null;
  min: number | null;
  max: number | null;
  runs: number;
  unit: string;
  ratioTo: string | null;
  ratio: number | null;
  error?: string;
  /**
   * The value of each round (MNIST: each run), in round order. Every contender of a case is timed
   * once per round, back to back, so round i of two rows saw the same machine load: ratios pair
   * them. Not written to the JSON, whose keys are fixed.
   */
  rounds?: number[];
  /** Per round: the rate in GFLOP/s and the FMA peak probed right after it. Not written to the JSON. */
  bound?: BoundRounds;
}

export interface BoundRounds {
  path: string;
  cores: number;
  probeSeconds: number;
  flopsPerCall: number;
  gflops: number[];
  /** GFLOP/s of the FMA peak on 1 thread and on `cores` threads, probed after each round */
  one: number[];
  all: number[];
  /** ns per round trip of a cache line between two threads, probed after each round (absent from results before it was) */
  roundTripNs?: number[];
  /** Multi-thread rows: each round's split tasks (absent from results before they were counted) */
  tasks?: TaskRounds;
}

/** Per round or timing: split tasks posted to the workers, and kept on the caller after a stall. */
export interface TaskRounds { posted: number[]; backedOff: number[] }

/** The wasm pool's count of posted tasks wraps at this (the generation word's counter bits). */
const WASM_TASKS_WRAP = 2 ** (32 - CTRL.CTRL_GEN_PARTS_BITS);

/** The wasm tasks posted between two reads of the pool's wrapping count, from their difference. */
export const wasmTasksPosted = (difference: number): number => ((difference % WASM_TASKS_WRAP) + WASM_TASKS_WRAP) % WASM_TASKS_WRAP;

/** Split tasks (pool jobs) since a count began: posted to workers, kept on the caller on stalls. */
export interface PoolTasks { posted: number; backedOff: number }

export interface Machine { cpu: string; cores: number; node: string; os: string; date: string }

/** One suite's run: when, how long, and the load average (1, 5, 15 min) before and after. */
export interface SuiteRun { suite: string; started: string; seconds: number; loadStart: number[]; loadEnd: number[] }

/** A native row read against the FMA peak probed after each of its rounds (medians over rounds). */
export interface PeakRecord {
  suite: Suite;
  shape: string;
  batch: number | null;
  optimizer: string | null;
  contender: string;
  /** 'native' or 'wasm'; absent in results from before wasm rows were probed (all native) */
  backend?: string;
  threads: number;
  path: string;
  probeSeconds: number;
  gflops: number;
  peakOne: number;
  peakAll: number;
  /** peakAll ÷ peakOne per round, median: about `cores` when each thread had a core of its own */
  peakRatio: number;
  /** the rate ÷ the peak at the row's thread count, per round, median */
  fraction: number;
  rounds: number;
  /** rounds whose peakAll ÷ peakOne reached TWO_CORES (multi-thread rows) */
  twoCoreRounds: number;
  /** multi-thread rows: the 1-thread scaling ratio over those rounds only (null when none) */
  scalingTwoCores: number | null;
  /** median ns per core round trip over the rounds (absent from results before it was recorded) */
  roundTripNs?: number;
  /**
   * multi-thread rows with round trips: the two-core rounds split by whether their round trip was
   * under CLOSE_CORES_NS, and the scaling over each part (null when it has no round)
   */
  closeCores?: CoreScaling;
  distantCores?: CoreScaling;
  /**
   * multi-thread rows with counted tasks: the tasks of a split size over all rounds (those posted
   * to the workers and those kept on the caller; 0: the row's calls ran on the caller alone), the
   * share of them the thread pool kept on the caller because a worker had stalled (or been
   * preempted), and the rounds in which it kept any
   */
  splitTasks?: SplitTasks;
}

export interface CoreScaling { rounds: number; scaling: number | null }

export interface SplitTasks { tasks: number; backedOffShare: number; backedOffRounds: number }

/** All rounds' split-size tasks, the share kept on the caller after a stall, the rounds with any */
export function splitTasksOf(counts: Readonly<TaskRounds>): SplitTasks {
  const sum = (values: readonly number[]): number => values.reduce((total, v) => total + v, 0);
  const backedOff = sum(counts.backedOff), tasks = backedOff + sum(counts.posted);
  return { tasks, backedOffShare: tasks === 0 ? 0 : backedOff / tasks, backedOffRounds: counts.backedOff.filter((n) => n > 0).length };
}

/** A backed-off share as a percentage: "0.4%" (two decimals under 0.1%). */
export const backedOffPercent = (share: number): string => `${(100 * share).toFixed(share > 0 && share < 0.001 ? 2 : 1)}%`;

/** A backed-off share with its rounds, "0.4% (2)"; "no split" when no task was split; or a dash. */
export function backedOffCell(s: SplitTasks | undefined): string {
  if (s === undefined) return '—';
  if (s.tasks === 0) return 'no split';
  return `${backedOffPercent(s.backedOffShare)} (${s.backedOffRounds})`;
}

/** The coarse phases every profile method reports, and the instrumented phases each one sums. */
export const PHASE_GROUPS: Readonly<Record<string, readonly string[]>> = {
  'forward + loss': ['forward GEMM', 'activation', 'loss'],
  'backward + ‖g‖²': ['output delta', 'backward GEMM dW', 'bias gradient', 'backward GEMM dX', 'activation backward', 'gradient norm'],
  'optimizer update': ['optimizer update'],
};
/** The epoch's time per step outside the kernels (instrumented) or outside trainStep (by subtraction). */
export const OUTSIDE_STEP = 'rest of the epoch loop';

/** Where a training step's time goes, for one configuration (bench/suites/profile.ts). */
export interface ProfileRecord {
  label: string;
  backend: string;
  path: string;
  threads: number;
  shape: string;
  batch: number;
  optimizer: string;
  /** how the phases were timed */
  method: string;
  /** microseconds per step of the whole epoch loop, and of each phase (with the pool wait inside it) */
  stepUs: number;
  phases: { phase: string; us: number; waitUs: number | null }[];
}

export interface Report {
  machine: Machine;
  /** each mlpx backend's kernels as measured (details().kernelPath), by backend name */
  kernels?: Record<string, string>;
  results: Row[];
  suites?: SuiteRun[];
  numpy?: NumpyInfo[];
  peaks?: PeakRecord[];
  profile?: ProfileRecord[];
}

/** Suites of rows derived from the measured ones (bench/suites/derived.ts), each row naming its own reference. */
const DERIVED: ReadonlySet<Suite> = new Set(['scaling', 'vs-numpy', 'vs-onnxruntime', 'fma-bound']);

/** A 2-thread peak at least this many times the 1-thread one: the threads had two cores. */
export const TWO_CORES = 1.7;
/**
 * A core round trip under this many ns: the two vCPUs share a die (seen: 61-79 ns on Zen 4, where
 * threads on different dies took 311-342 ns).
 */
export const CLOSE_CORES_NS = 150;

/**
 * The CPU's model name, with its x86 family and model from /proc/cpuinfo where there is one: a
 * cloud host's name ("AMD EPYC") is the same for generations whose vector units differ (family 25
 * is Zen 3 and 4, 26 Zen 5).
 */
export function cpuName(modelName: string, cpuinfo: string | undefined): string {
  const field = (key: string): string | undefined => new RegExp(`^${key}\\s*:\\s*(\\d+)\\s*$`, 'm').exec(cpuinfo ?? '')?.[1];
  const family = field('cpu family'), model = field('model');
  return family !== undefined && model !== undefined ? `${modelName} (x86 family ${family} model ${model})` : modelName;
}

function readCpuinfo(): string | undefined {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return undefined; // not Linux
  }
}

export function machineInfo(): Machine {
  return {
    cpu: cpuName(os.cpus()[0]?.model.trim() ?? 'unknown', readCpuinfo()),
    cores: os.availableParallelism(),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
  };
}

/** The name rows use to point at each other: "tfjs wasm 1t", "numpy openblas 1t". */
export function label(row: Pick<Row, 'impl' | 'backend' | 'threads'>): string {
  return `${row.impl} ${row.backend} ${row.threads}t`;
}

/** Rows that describe the same work (a case), whose ratios compare with each other. */
export function caseKey(row: Row): string {
  return [row.suite, row.shape, row.batch, row.optimizer, row.metric].join('|');
}

export function summarize(values: readonly number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

export function ratioOf(metric: Metric, value: number, baseline: number): number {
  return LOWER_IS_BETTER.has(metric) ? baseline / value : value / baseline;
}

/**
 * How many times faster row is than base: the median of the per-round ratios when both were
 * measured in the same rounds, else the ratio of the medians. On a shared machine whose load
 * drifts, pairing compares measurements taken seconds apart instead of medians that may come
 * from different minutes.
 */
export function ratioBetween(row: Row, base: Row): number {
  const paired = row.rounds !== undefined && row.rounds.length > 0 && row.rounds.length === base.rounds?.length;
  if (!paired) return ratioOf(row.metric, row.median!, base.median!);
  return summarize(row.rounds!.map((value, i) => ratioOf(row.metric, value, base.rounds![i]!))).median;
}

/**
 * Fill ratioTo/ratio: for each case, the first baseline label (in preference order) that has a
 * measured row in that case becomes the reference of every row of the case.
 */
export function applyRatios(rows: Row[], baselines: Readonly<Partial<Record<Suite, readonly string[]>>>): void {
  const byCase = new Map<string, Row[]>();
  for (const row of rows) {
    if (DERIVED.has(row.suite)) continue; // derived rows carry their own reference
    byCase.set(caseKey(row), [...(byCase.get(caseKey(row)) ?? []), row]);
  }
  for (const group of byCase.values()) {
    const preference = baselines[group[0]!.suite] ?? [];
    const base = preference.map((name) => group.find((r) => label(r) === name && r.median !== null)).find(Boolean);
    for (const row of group) {
      row.ratioTo = base ? label(base) : null;
      row.ratio = base && row.median !== null ? ratioBetween(row, base) : null;
    }
  }
}

/** Throws when a report does not follow the schema (used before writing, and by the test). */
export function checkReport(report: Report): void {
  const m = report.machine;
  if (typeof m?.cpu !== 'string' || !Number.isInteger(m.cores) || typeof m.node !== 'string' || typeof m.os !== 'string' || Number.isNaN(Date.parse(m.date))) {
    throw new Error(`bench: bad machine block ${JSON.stringify(m)}`);
  }
  for (const row of report.results) {
    const what = `${row.suite} ${label(row)} ${row.shape}`;
    const numbers = [row.median, row.min, row.max];
    if (row.error !== undefined) {
      if (numbers.some((n) => n !== null) || row.runs !== 0) throw new Error(`bench: error row ${what} carries numbers`);
      continue;
    }
    if (numbers.some((n) => typeof n !== 'number' || !Number.isFinite(n) || n <= 0)) throw new Error(`bench: ${what} has non-positive or missing numbers`);
    if (!(row.min! <= row.median! && row.median! <= row.max!)) throw new Error(`bench: ${what} has min ≤ median ≤ max violated`);
    if (row.runs < 1) throw new Error(`bench: ${what} has no runs`);
    if (row.unit !== UNITS[row.metric]) throw new Error(`bench: ${what} has unit ${row.unit} for ${row.metric}`);
  }
}

/** Write atomically: a reader never sees half a file, and a crash leaves the previous one. */
export function writeReport(file: string, report: Report): void {
  checkReport(report);
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  const results = report.results.map(({ rounds: _rounds, bound: _bound, ...row }) => row);
  writeFileSync(temp, JSON.stringify({ ...report, results }, null, 2) + '\n');
  renameSync(temp, file);
}

function fmt(value: number | null): string {
  if (value === null) return '—';
  if (value >= 1000) return Math.round(value).toLocaleString('en-US');
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toPrecision(3);
}

/** One Markdown table per suite; rows keep their measured order within a case. */
export function markdownTables(rows: readonly Row[]): string {
  const out: string[] = [];
  const suites = [...new Set(rows.map((r) => r.suite))];
  for (const suite of suites) {
    out.push(`### ${suite}`, '', '| shape | batch | optimizer | impl | backend | threads | metric | median | min–max | runs | ratio | vs |',
      '|---|---:|---|---|---|---:|---|---:|---|---:|---:|---|');
    for (const r of rows.filter((row) => row.suite === suite)) {
      const value = r.error !== undefined ? `**ERROR**: ${r.error}` : `${fmt(r.median)} ${r.unit}`;
      const range = r.error !== undefined ? '' : `${fmt(r.min)}–${fmt(r.max)}`;
      const ratio = r.ratio === null ? '' : `${r.ratio.toFixed(2)}×`;
      out.push(`| ${r.shape} | ${r.batch ?? ''} | ${r.optimizer ?? ''} | ${r.impl} | ${r.backend} | ${r.threads} | ${r.metric} | ${value} | ${range} | ${r.runs} | ${ratio} | ${r.ratioTo ?? ''} |`);
    }
    out.push('');
  }
  out.push('ratio: how many times faster than the row named in "vs" (for times and latencies, baseline ÷ value): the median of',
    'the per-round ratios, since every round times each contender of a case back to back under the same machine load.');
  return out.join('\n');
}
