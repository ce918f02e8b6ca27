// SGEMM GFLOP/s: square sizes and the MLP's first-layer shape [b×784]·[784×128].
import { gemmCase } from '../cases.js';
import { runCase, type TimingOptions } from '../harness.js';
import { gemmContenders, type Peers } from '../peers/index.js';
import type { Row } from '../results.js';

export const GEMM_SHAPES: readonly [number, number, number][] = [
  ...[64, 128, 256, 512, 1024].map((s): [number, number, number] => [s, s, s]),
  ...[32, 128, 512].map((b): [number, number, number] => [b, 784, 128]),
];

export async function gemmSuite(peers: Peers, timing: TimingOptions, record: (rows: Row[]) => void): Promise<void> {
  const contenders = gemmContenders(peers);
  for (const [m, k, n] of GEMM_SHAPES) {
    const info = { suite: 'gemm' as const, shape: `${m}×${k}·${k}×${n}`, batch: null, optimizer: null, metric: 'gflops' as const, work: (2 * m * k * n) / 1e9 };
    record(await runCase(info, gemmCase(m, k, n), contenders, timing));
  }
}
