// The timing loop shared by all suites. For each case: every contender prepares and validates
// (a wrong result becomes an error row), makes one warm-up call (over the time cap → skipped with
// a printed reason), then `rounds` rounds run; each round gives every contender one tinybench
// task (its own short warm-up, then calls for `roundMs`), in an order rotated every round so
// machine drift hits all contenders alike. A round yields the mean time per call; the row
// reports the median and min–max over rounds. A contender that names its floating-point work
// (mlpx native and wasm) is followed, after each of its rounds, by a probe of the core's FMA peak
// on 1 thread and on all cores, so its rate is read against the arithmetic bound of that moment,
// and of the round trip between two cores, which bounds what work split across them can gain.
// Their multi-thread rows also count each round's split tasks, and those the thread pool kept on
// the caller after a worker stalled (a host that took a core away shows there). Each round starts
// once the threads of the previous one, and of the peers' processes, are idle (settle.ts).
import { Bench } from 'tinybench';
import { UNITS, summarize, type BoundRounds, type PoolTasks, type Impl, type Metric, type Row, type Suite } from './results.js';
import { log } from './log.js';
import { settle } from './settle.js';

export interface Runner {
  /** One unit of work. May return tinybench's { overriddenDuration } when timed elsewhere (numpy). */
  run(): unknown;
  /** Called before each of this contender's rounds: pick its thread count or tfjs backend. */
  select?(): void | Promise<void>;
  dispose?(): void | Promise<void>;
}

export interface Contender<C> {
  readonly impl: Impl;
  readonly backend: string;
  readonly threads: number;
  /** A reason this contender sits the case out (e.g. too big for a reference loop), or undefined. */
  skip?(c: C): string | undefined;
  /** Build, validate (throw ValidationError on a wrong result), and return the runner. */
  prepare(c: C): Promise<Runner>;
  /** Floating-point operations of one call: its rows are then read against the FMA peak. */
  flopsPerCall?(c: C): number;
  /** Starts counting the split tasks of its threads; the function returned reads them. */
  countPoolTasks?(): () => PoolTasks;
}

/**
 * The core's FMA peak right now, GFLOP/s on 1 thread and on `cores` threads (native/fma_peak.cc),
 * and the round trip of a cache line between two cores, ns (native/core_round_trip.cc).
 */
export interface PeakProbe {
  /** The kernel path whose vector width the peak uses ('avx512'). */
  readonly path: string;
  readonly cores: number;
  /** seconds per probe and thread count */
  readonly seconds: number;
  measure(): { one: number; all: number; roundTripNs: number };
}

export interface CaseInfo {
  suite: Suite;
  shape: string;
  batch: number | null;
  optimizer: string | null;
  metric: Metric;
  /** GFLOP per call (gflops) or samples per call (samples_per_s); unused for latency. */
  work: number;
}

export interface TimingOptions {
  rounds: number;
  roundMs: number;
  /** A contender whose warm-up call takes longer is skipped for this case (the time cap). */
  maxCallMs: number;
  /** Probes the FMA peak after each round of a contender with flopsPerCall. */
  peak?: PeakProbe;
}

export function metricValue(metric: Metric, msPerCall: number, work: number): number {
  if (metric === 'latency_us') return msPerCall * 1000;
  return work / (msPerCall / 1000);
}

export function errorRow(info: CaseInfo, who: { impl: Impl; backend: string; threads: number }, message: string): Row {
  return {
    suite: info.suite, impl: who.impl, backend: who.backend, threads: who.threads, shape: info.shape,
    batch: info.batch, optimizer: info.optimizer, metric: info.metric, median: null, min: null, max: null,
    runs: 0, unit: UNITS[info.metric], ratioTo: null, ratio: null, error: message,
  };
}

export function measuredRow(info: CaseInfo, who: { impl: Impl; backend: string; threads: number }, values: readonly number[], bound?: BoundRounds): Row {
  return {
    suite: info.suite, impl: who.impl, backend: who.backend, threads: who.threads, shape: info.shape,
    batch: info.batch, optimizer: info.optimizer, metric: info.metric, ...summarize(values),
    runs: values.length, unit: UNITS[info.metric], ratioTo: null, ratio: null, rounds: [...values], ...(bound ? { bound } : {}),
  };
}

const name = (c: { impl: string; backend: string; threads: number }) => `${c.impl} ${c.backend} ${c.threads}t`;

/** One call, its duration, and whether it returns a promise (tinybench must then await every call). */
async function timedCall(runner: Runner): Promise<{ ms: number; async: boolean }> {
  const start = performance.now();
  const returned = runner.run();
  const isAsync = typeof (returned as Promise<unknown> | undefined)?.then === 'function';
  const result = await returned;
  const override = (result as { overriddenDuration?: number } | undefined)?.overriddenDuration;
  return { ms: override ?? performance.now() - start, async: isAsync };
}

/** Measure one case across contenders; returns one row per contender that takes part. */
export async function runCase<C>(info: CaseInfo, c: C, contenders: readonly Contender<C>[], opts: TimingOptions): Promise<Row[]> {
  const rows = new Map<Contender<C>, Row>();
  const ready: { who: Contender<C>; runner: Runner; async: boolean; values: number[]; bound?: BoundRounds }[] = [];
  const probe = opts.peak;
  log(`${info.suite} ${info.shape}${info.batch !== null ? ` batch ${info.batch}` : ''}${info.optimizer ? ` ${info.optimizer}` : ''}: validating`);
  for (const who of contenders) {
    const reason = who.skip?.(c);
    if (reason !== undefined) { log(`  skip ${name(who)}: ${reason}`); continue; }
    let runner: Runner | undefined;
    try {
      log(`  validating ${name(who)}`, true);
      runner = await who.prepare(c);
      await runner.select?.();
      const { ms, async } = await timedCall(runner);
      if (ms > opts.maxCallMs) {
        log(`  skip ${name(who)}: one call took ${(ms / 1000).toFixed(2)} s, over the ${(opts.maxCallMs / 1000).toFixed(1)} s time cap`);
        await runner.dispose?.();
        continue;
      }
      const flops = probe === undefined ? undefined : who.flopsPerCall?.(c);
      ready.push({ who, runner, async, values: [], ...(flops === undefined ? {} : { bound: { path: probe!.path, cores: probe!.cores, probeSeconds: probe!.seconds, flopsPerCall: flops, gflops: [], one: [], all: [], roundTripNs: [] } }) });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`  ERROR ${name(who)}: ${message}`);
      rows.set(who, errorRow(info, who, message));
      await runner?.dispose?.();
    }
  }
  for (let round = 0; round < opts.rounds; round++) {
    const order = ready.map((_, i) => ready[(i + round) % ready.length]!).filter((e) => !rows.has(e.who));
    for (const entry of order) {
      log(`  round ${round + 1}/${opts.rounds}: ${name(entry.who)}`, true);
      const bench = new Bench({ time: opts.roundMs, iterations: 1, warmupTime: opts.roundMs / 4, warmupIterations: 1, throws: true });
      // `async` given explicitly: tinybench's own detection calls the task once without awaiting it
      bench.add(name(entry.who), () => entry.runner.run(), { async: entry.async });
      try {
        await entry.runner.select?.(); // may start threads: before the wait for idle ones
        const settled = await settle();
        if (!settled.idle) log(`  note: threads still busy after ${settled.waitedMs.toFixed(0)} ms; timing ${name(entry.who)} anyway`);
        const tasksSince = entry.who.countPoolTasks?.();
        await bench.run();
        const tasks = tasksSince?.();
        const ms = bench.tasks[0]!.result.state === 'completed' ? (bench.tasks[0]!.result as { latency: { mean: number } }).latency.mean : NaN;
        if (!(ms > 0)) throw new Error(`tinybench reported ${bench.tasks[0]!.result.state}`);
        entry.values.push(metricValue(info.metric, ms, info.work));
        if (entry.bound !== undefined) {
          const peak = probe!.measure();
          entry.bound.gflops.push(entry.bound.flopsPerCall / ms / 1e6);
          entry.bound.one.push(peak.one);
          entry.bound.all.push(peak.all);
          entry.bound.roundTripNs!.push(peak.roundTripNs);
          if (tasks !== undefined) {
            entry.bound.tasks ??= { posted: [], backedOff: [] };
            entry.bound.tasks.posted.push(tasks.posted);
            entry.bound.tasks.backedOff.push(tasks.backedOff);
          }
        }
      } catch (error) {
        rows.set(entry.who, errorRow(info, entry.who, `failed while timing: ${error instanceof Error ? error.message : String(error)}`));
      }
    }
  }
  log('', true);
  for (const entry of ready) {
    if (!rows.has(entry.who)) rows.set(entry.who, measuredRow(info, entry.who, entry.values, entry.bound));
    await entry.runner.dispose?.();
  }
  const out = contenders.flatMap((who) => (rows.has(who) ? [rows.get(who)!] : []));
  for (const row of out) if (row.median !== null) log(`  ${name(row)}: ${row.median.toPrecision(4)} ${row.unit}`);
  return out;
}
