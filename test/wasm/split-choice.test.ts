// The choice between splitting a training run's steps across the workers and running them on the
// caller alone (assembly/split_choice.ts; its rule is tested in test/parity/split-choice.test.ts)
// in a real run on two threads: its trial steps post no task, its parameters stay bit-identical
// to one thread's, and an epoch's shorter last batch runs the way the full batches stay.
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

  it('chooses for epochs of one full batch and a shorter one, whose shorter steps run where the full ones stay', () => {
    // 2 → 32 → 32 → 2 at 1000 rows (the playground's full batch); the choice is fed timings
    // through its test entry (split_choice_observe) by which the caller alone wins a trial
    const small: NetSpec = { sizes: [2, 32, 32, 2], activations: [Activation.tanh, Activation.tanh, Activation.softmax], loss: Loss.cross_entropy };
    const full = 1000;
    const shorter = 600;
    const exports = two.runtime.exports;
    const pool = two.runtime.pool!;
    const random = new Random(17);
    const x = randomArray(random, full * 2);
    const y = randomOneHot(random, full, 2);
    const opt = { kind: Optimizer.adam, lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7 };
    const engine = two.createEngine(small);
    engine.writeParams(randomArray(random, paramLayout(small.sizes).count, -0.5, 0.5));
    engine.reserve(full);
    const stats = new Float64Array(STATS_PER_BATCH);
    let update = 1;
    const tasksOf = (rows: number): number => {
      const before = pool.tasksPosted;
      engine.trainStep(x.subarray(0, rows * 2), y.subarray(0, rows * 2), rows, opt, update++, stats);
      return pool.tasksPosted - before;
    };
    // epochs of one full batch and a shorter one: the first size this network trained is the one
    // the choice is about, and the shorter steps never come twice in a row
    for (let epoch = 0; epoch < 4; epoch++) {
      tasksOf(full);
      tasksOf(shorter);
    }
    // a first stay far slower than a trial on the caller (whichever steps above were timed): the
    // caller takes over
    const firstStay = exports.SPLIT_CHOICE_FIRST_STAY.value as number;
    const trial = (exports.SPLIT_CHOICE_TRIAL_WARMUP.value as number) + (exports.SPLIT_CHOICE_TRIAL_STEPS.value as number);
    exports.split_choice_reset();
    for (let i = 0; i < firstStay; i++) exports.split_choice_observe(1000);
    for (let i = 0; i < trial; i++) exports.split_choice_observe(0);
    expect(exports.split_choice_solo(), 'the choice runs the next full step on the caller').toBe(1);
    // without a choice for the full size, both would split
    expect(tasksOf(full), 'tasks of a full step').toBe(0);
    expect(tasksOf(shorter), 'tasks of a shorter step while the full ones stay on the caller').toBe(0);
    engine.dispose();
  });
});
