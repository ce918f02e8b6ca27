// Rows derived from the measured ones, each with its own reference row, for the comparisons the
// per-suite baselines do not show (GEMM and training cases only):
//   scaling:  every multi-thread row against the same contender at 1 thread;
//   vs-numpy: every mlpx row against the hand-written numpy/OpenBLAS loop at the same thread
//             count (the native backend's targets are set against numpy; training's baseline is tfjs).
import { caseKey, label, ratioBetween, type Row, type Suite } from '../results.js';

function derive(rows: readonly Row[], suite: Suite, reference: (row: Row) => Row | undefined): Row[] {
  const out: Row[] = [];
  for (const row of rows) {
    if (row.median === null || (row.suite !== 'gemm' && row.suite !== 'train')) continue;
    const base = reference(row);
    if (base?.median == null) continue;
    out.push({ ...row, suite, shape: `${row.suite} ${row.shape}`, ratioTo: label(base), ratio: ratioBetween(row, base) });
  }
  return out;
}

const sameCase = (a: Row, b: Row): boolean => caseKey(a) === caseKey(b);

export function scalingRows(rows: readonly Row[]): Row[] {
  return derive(rows, 'scaling', (row) =>
    row.threads === 1 ? undefined : rows.find((r) => r.impl === row.impl && r.backend === row.backend && r.threads === 1 && sameCase(r, row)));
}

export function vsNumpyRows(rows: readonly Row[]): Row[] {
  return derive(rows, 'vs-numpy', (row) =>
    row.impl !== 'mlpx' ? undefined : rows.find((r) => r.impl === 'numpy' && r.threads === row.threads && sameCase(r, row)));
}
