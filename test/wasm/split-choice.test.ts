// The choice between splitting a training run's steps across the workers and running them on the
// caller alone (assembly/split_choice.ts; its rule is tested in test/parity/split-choice.test.ts)
// in a real run on two threads: its trial steps post no task, and its parameters stay
// bit-identical to one thread's.
import { beforeAll, describe, expect, it } from 'vitest';
import { STATS_PER_BATCH } from '../../src/backend/engine.js';
import { Activation, Loss, Optimizer } from '../../src/backend/kernels.js';
import { paramLayout, type NetSpec } from '../../src/backend/layout.js';
import type { WasmBackend } from '../../src/backend/wasm/backend.js';
import { oneAndTwoThreads } from './backend.js';
import { DEFAULT_SPLIT_COSTS } from '../../src/backend/wasm/threads.js';
import { Random } from '../../src/util/prng.js';
import { randomArray, randomOneHot } from '../helpers/random.js';

let one: WasmBackend;
let two: WasmBackend;

beforeAll(async () => {
  [one, two] = await oneAndTwoThreads();
  two.runtime.pool!.splitCosts = { ...DEFAULT_SPLIT_COSTS, adaptive: true };
});

describe('a training run on two threads', () => {
  // 64 → 48 → 4 at 128 rows: every GEMM and the update over the split cost
  const spec: NetSpec = { sizes: [64, 48, 4], activations: [Activation.relu, Activation.softmax], loss: Loss.cross_entropy };
  const rows = 128;

  it('runs each trial of the caller alone without posting a task, and trains the same bits as one thread', () => {
    const exports = two.runtime.exports;
    const pool = two.runtime.pool!;
    // a trial runs its untimed step and at least two timed ones before it may give up
    const fewestTrialSteps = (exports.SPLIT_CHOICE_TRIAL_WARMUP.value as number) + 2;
    const random = new Random(11);
    const params = randomArray(random, paramLayout(spec.sizes).count, -0.1, 0.1);
    const x = randomArray(random, rows * spec.sizes[0]!);
    const y = randomOneHot(random, rows, spec.sizes[2]!);
    const opt = { kind: Optimizer.adam, lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7 };
    const [single, pair] = [one, two].map((backend) => {
      const engine = backend.createEngine(spec);
      engine.writeParams(params);
      engine.reserve(rows);
      return engine;
    });
    const stats = new Float64Array(STATS_PER_BATCH);
    // Up to 20,000 steps until the first trial has ended (a step split again after it): the stays
    // count only steps that split and that the stall backoff left alone, so a loaded machine takes
    // more of them; a trial of a caller far slower gives up after its fewest steps.
    let step = 1;
    const trialTasks: number[] = [];
    for (; step <= 20000; step++) {
      const onCaller = exports.split_choice_solo() !== 0;
      if (!onCaller && trialTasks.length > 0) break;
      const before = pool.tasksPosted;
      pair!.trainStep(x, y, rows, opt, step, stats);
      single!.trainStep(x, y, rows, opt, step, stats);
      if (onCaller) trialTasks.push(pool.tasksPosted - before);
    }
    expect(trialTasks.length, `a trial within ${step - 1} steps`).toBeGreaterThanOrEqual(fewestTrialSteps);
    expect(trialTasks.every((tasks) => tasks === 0), `tasks of the trial's steps: ${trialTasks.join(' ')}`).toBe(true);
    expect(Buffer.from(pair!.readParams().buffer).equals(Buffer.from(single!.readParams().buffer))).toBe(true);
    pair!.dispose();
    single!.dispose();
  });
});
