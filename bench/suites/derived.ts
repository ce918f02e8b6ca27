// Rows derived from the measured ones, each with its own reference, for the comparisons the
// per-suite baselines do not show:
//   scaling:   every multi-thread GEMM or training row against the same contender at 1 thread;
//   vs-numpy:  every mlpx GEMM or training row against the hand-written numpy/OpenBLAS loop at the
//              same thread count (the native backend's targets are set against numpy);
//   vs-onnxruntime: every mlpx inference row against ONNX Runtime at the same thread count;
//   fma-bound: every row timed with FMA peak probes (mlpx native) in GFLOP/s, against the peak at
//              its thread count probed after each of its rounds.
// peakRecords keeps those probes for the JSON, with each multi-thread row's scaling over the
// rounds in which its threads had a core each (the host's two vCPUs are sometimes one core), and
// over those of them whose cores were close (one die) and distant (two dies), and the share of its
// split tasks that the thread pool kept on the caller after a worker stalled.
import { caseKey, CLOSE_CORES_NS, label, ratioBetween, ratioOf, summarize, TWO_CORES, splitTasksOf, type CoreScaling, type PeakRecord, type Row, type Suite } from '../results.js';

function derive(rows: readonly Row[], suite: Suite, reference: (row: Row) => Row | undefined, from: readonly Suite[] = ['gemm', 'train']): Row[] {
  const out: Row[] = [];
  for (const row of rows) {
    if (row.median === null || !from.includes(row.suite)) continue;
    const base = reference(row);
    if (base?.median == null) continue;
    out.push({ ...row, suite, shape: `${row.suite} ${row.shape}`, ratioTo: label(base), ratio: ratioBetween(row, base) });
  }
  return out;
}

const sameCase = (a: Row, b: Row): boolean => caseKey(a) === caseKey(b);

const oneThreadOf = (rows: readonly Row[], row: Row): Row | undefined =>
  rows.find((r) => r.impl === row.impl && r.backend === row.backend && r.threads === 1 && sameCase(r, row));

export function scalingRows(rows: readonly Row[]): Row[] {
  return derive(rows, 'scaling', (row) => (row.threads === 1 ? undefined : oneThreadOf(rows, row)));
}

export function vsNumpyRows(rows: readonly Row[]): Row[] {
  return derive(rows, 'vs-numpy', (row) =>
    row.impl !== 'mlpx' ? undefined : rows.find((r) => r.impl === 'numpy' && r.threads === row.threads && sameCase(r, row)));
}

export function vsOrtRows(rows: readonly Row[]): Row[] {
  return derive(rows, 'vs-onnxruntime', (row) =>
    row.impl !== 'mlpx' ? undefined : rows.find((r) => r.impl === 'onnxruntime' && r.threads === row.threads && sameCase(r, row)), ['infer']);
}

const median = (values: readonly number[]): number => summarize(values).median;

/** The peak at the row's thread count in round i. */
const peakAt = (row: Row, i: number): number => (row.threads === 1 ? row.bound!.one[i]! : row.bound!.all[i]!);

const probed = (rows: readonly Row[]): Row[] => rows.filter((r) => r.median !== null && r.bound !== undefined && r.bound.gflops.length > 0);

/** Native rows against the FMA peak (wasm's 128-bit vectors have a bound of their own, not probed). */
export function boundRows(rows: readonly Row[]): Row[] {
  return probed(rows).filter((row) => row.backend === 'native').map((row) => {
    const { gflops, path } = row.bound!;
    return {
      ...row, suite: 'fma-bound', shape: `${row.suite} ${row.shape}`, metric: 'gflops', unit: 'GFLOP/s', ...summarize(gflops),
      runs: gflops.length, rounds: [...gflops], ratioTo: `FMA peak ${row.threads}t (${path})`, ratio: median(gflops.map((g, i) => g / peakAt(row, i))),
    };
  });
}

export function peakRecords(rows: readonly Row[]): PeakRecord[] {
  return probed(rows).map((row) => {
    const b = row.bound!;
    const peakRatios = b.all.map((all, i) => all / b.one[i]!);
    const twoCores = peakRatios.flatMap((r, i) => (r >= TWO_CORES ? [i] : []));
    const base = row.threads > 1 ? oneThreadOf(rows, row) : undefined;
    const paired = base?.rounds !== undefined && base.rounds.length === row.rounds?.length;
    const scalingOver = (rounds: readonly number[]): number | null =>
      paired && rounds.length > 0 ? median(rounds.map((i) => ratioOf(row.metric, row.rounds![i]!, base.rounds![i]!))) : null;
    const trips = b.roundTripNs !== undefined && b.roundTripNs.length === b.gflops.length ? b.roundTripNs : undefined;
    const tasks = b.tasks !== undefined && b.tasks.backedOff.length === b.gflops.length ? b.tasks : undefined;
    const byDistance = (close: boolean): CoreScaling => {
      const rounds = twoCores.filter((i) => (trips![i]! < CLOSE_CORES_NS) === close);
      return { rounds: rounds.length, scaling: scalingOver(rounds) };
    };
    return {
      suite: row.suite, shape: row.shape, batch: row.batch, optimizer: row.optimizer, contender: label(row), backend: row.backend, threads: row.threads,
      path: b.path, probeSeconds: b.probeSeconds, gflops: median(b.gflops), peakOne: median(b.one), peakAll: median(b.all), peakRatio: median(peakRatios),
      fraction: median(b.gflops.map((g, i) => g / peakAt(row, i))), rounds: b.gflops.length,
      twoCoreRounds: row.threads > 1 ? twoCores.length : 0, scalingTwoCores: scalingOver(twoCores),
      ...(b.roundTripNs !== undefined && b.roundTripNs.length > 0 ? { roundTripNs: median(b.roundTripNs) } : {}),
      ...(row.threads > 1 && trips !== undefined ? { closeCores: byDistance(true), distantCores: byDistance(false) } : {}),
      ...(row.threads > 1 && tasks !== undefined ? { splitTasks: splitTasksOf(tasks) } : {}),
    };
  });
}
