// Inference: batch-1 latency (µs, result read back) and batch-1024 throughput of 784-128-10,
// plus brain.js's sigmoid network at batch 1 next to mlpx running the same network. ONNX Runtime
// runs the ONNX model mlpx exports for each case (same weights) on 1 and 2 threads.
import { classifierSpec, inferCase, shapeName, sigmoidSpec } from '../cases.js';
import { runCase, type TimingOptions } from '../harness.js';
import { inferContenders, type Peers } from '../peers/index.js';
import type { Row } from '../results.js';

export async function inferSuite(peers: Peers, timing: TimingOptions, record: (rows: Row[]) => void): Promise<void> {
  const contenders = inferContenders(peers);
  const cases = [
    { spec: classifierSpec([784, 128, 10]), batch: 1 },
    { spec: classifierSpec([784, 128, 10]), batch: 1024 },
    { spec: sigmoidSpec([784, 128, 10]), batch: 1 },
  ];
  for (const { spec, batch } of cases) {
    const metric = batch === 1 ? 'latency_us' as const : 'samples_per_s' as const;
    const info = { suite: 'infer' as const, shape: shapeName(spec), batch, optimizer: null, metric, work: batch };
    record(await runCase(info, inferCase(spec, batch), contenders, timing));
  }
}
