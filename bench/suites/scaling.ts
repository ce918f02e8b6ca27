// Scaling: for every contender measured at 1 thread and at more, the multi-thread row again
// with its ratio to the same contender's 1-thread row (GEMM and training cases), paired by round.
import { caseKey, label, ratioBetween, type Row } from '../results.js';

export function scalingRows(rows: readonly Row[]): Row[] {
  const out: Row[] = [];
  for (const row of rows) {
    if (row.threads === 1 || row.median === null || (row.suite !== 'gemm' && row.suite !== 'train')) continue;
    const single = rows.find((r) => r.impl === row.impl && r.backend === row.backend && r.threads === 1 && caseKey(r) === caseKey(row));
    if (single?.median == null) continue;
    out.push({ ...row, suite: 'scaling', shape: `${row.suite} ${row.shape}`, ratioTo: label(single), ratio: ratioBetween(row, single) });
  }
  return out;
}
