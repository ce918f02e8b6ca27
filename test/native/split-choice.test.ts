// The choice between splitting a network's training steps across the thread pool and running them
// on the caller alone (native/split_choice.h; its rule is tested in
// test/parity/split-choice.test.ts) in a real run on two threads: its trial steps hand the pool
// no job, its parameters stay bit-identical to one thread's, and an epoch's shorter last batch
// runs the way the full batches stay.
import { availableParallelism } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { STATS_PER_BATCH } from '../../src/backend/engine.js';
import { Activation, Loss, Optimizer, OPTIMIZER_FIELDS, packOptimizer } from '../../src/backend/kernels.js';
import { packSpec, paramLayout, type NetSpec } from '../../src/backend/layout.js';
import { Random } from '../../src/util/prng.js';
import { randomArray, randomOneHot } from '../helpers/random.js';
import { addon } from './addon.js';

/** SplitChoice's constants (native/split_choice.h), as the addon shares them in its layout. */
const splitChoice = (name: 'FIRST_STAY' | 'TRIAL_WARMUP' | 'TRIAL_STEPS'): number => Number(addon?.layout[`SPLIT_CHOICE_${name}`]);

describe.skipIf(addon === undefined)('native: the split choice in a training run on two threads', () => {
  afterAll(() => addon!.setThreads(availableParallelism()));

  // 64 → 128 → 10 at 128 rows: the hidden layer is split across the pool for the whole step
  const spec: NetSpec = { sizes: [64, 128, 10], activations: [Activation.relu, Activation.softmax], loss: Loss.cross_entropy };
  const rows = 128;

  it('runs each trial of the caller alone without handing the pool a job, and trains the same bits as one thread', () => {
    const random = new Random(13);
    const params = randomArray(random, paramLayout(spec.sizes).count, -0.1, 0.1);
    const x = randomArray(random, rows * spec.sizes[0]!);
    const y = randomOneHot(random, rows, spec.sizes[2]!);
    const opt = packOptimizer({ kind: Optimizer.adam, lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7 }, new Float64Array(OPTIMIZER_FIELDS.length));
    const stats = new Float64Array(STATS_PER_BATCH);
    const train = (threads: number, steps: number, onStep?: (onCaller: boolean, jobs: number) => boolean): [Float32Array, number] => {
      addon!.setThreads(threads);
      const net = new addon!.Net(packSpec(spec));
      net.writeParams(params);
      net.setOptimizer(Optimizer.adam);
      net.reserve(rows);
      let step = 1;
      for (; step <= steps; step++) {
        const onCaller = net.nextStepOnCaller(rows);
        const before = addon!.poolJobsPosted();
        net.trainStep(x, y, null, rows, opt, step, stats);
        if (onStep !== undefined && !onStep(onCaller, addon!.poolJobsPosted() - before)) break;
      }
      const trained = net.readParams();
      net.dispose();
      return [trained, Math.min(step, steps)];
    };
    // Up to 20,000 steps until the first trial has ended (a step split again after it): the stays
    // count only steps the pool did not keep on the caller after finding a worker preempted, so a
    // loaded machine takes more; a trial of a caller far slower gives up after its fewest steps.
    const trialJobs: number[] = [];
    const splitJobs: number[] = [];
    const [split, steps] = train(2, 20000, (onCaller, jobs) => {
      (onCaller ? trialJobs : splitJobs).push(jobs);
      return !(trialJobs.length > 0 && !onCaller); // until the first step after the trial
    });
    // a trial runs its untimed step and at least two timed ones before it may give up
    expect(trialJobs.length, `a trial within ${steps} steps`).toBeGreaterThanOrEqual(splitChoice('TRIAL_WARMUP') + 2);
    expect(trialJobs.every((jobs) => jobs === 0), `jobs of the trial's steps: ${trialJobs.join(' ')}`).toBe(true);
    expect(splitJobs.some((jobs) => jobs > 0)).toBe(true);
    const [single] = train(1, steps);
    expect(Buffer.from(split.buffer).equals(Buffer.from(single.buffer))).toBe(true);
  });

  it('chooses for epochs of one full batch and a shorter one, whose shorter steps run where the full ones stay', () => {
    // 2 → 32 → 32 → 2 at 1000 rows: its element-wise passes are split; the choice is fed timings
    // (observeSplitChoice) by which the caller alone wins a trial
    const small: NetSpec = { sizes: [2, 32, 32, 2], activations: [Activation.tanh, Activation.tanh, Activation.softmax], loss: Loss.cross_entropy };
    const full = 1000;
    const shorter = 600;
    const random = new Random(17);
    const x = randomArray(random, full * 2);
    const y = randomOneHot(random, full, 2);
    const opt = packOptimizer({ kind: Optimizer.adam, lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7 }, new Float64Array(OPTIMIZER_FIELDS.length));
    const stats = new Float64Array(STATS_PER_BATCH);
    addon!.setThreads(2);
    const net = new addon!.Net(packSpec(small));
    net.writeParams(randomArray(random, paramLayout(small.sizes).count, -0.5, 0.5));
    net.setOptimizer(Optimizer.adam);
    net.reserve(full);
    let update = 1;
    const jobsOf = (rows: number): number => {
      const before = addon!.poolJobsPosted();
      net.trainStep(x.subarray(0, rows * 2), y.subarray(0, rows * 2), null, rows, opt, update++, stats);
      return addon!.poolJobsPosted() - before;
    };
    // epochs of one full batch and a shorter one: the first size the network trained is the one
    // the choice is about, and the shorter steps, never twice in a row, split as its first stay
    // does (over a few epochs: the pool may keep a step's jobs on a loaded machine's caller)
    const epochs = 4;
    let shorterJobs = 0;
    for (let epoch = 0; epoch < epochs; epoch++) {
      jobsOf(full);
      shorterJobs += jobsOf(shorter);
    }
    expect(shorterJobs, 'pool jobs of the shorter steps while the full ones split').toBeGreaterThan(0);
    // a first stay far slower than a trial on the caller: the caller takes over
    for (let i = 0; i < splitChoice('FIRST_STAY'); i++) net.observeSplitChoice(1000, i === 0);
    for (let i = 0; i < splitChoice('TRIAL_WARMUP') + splitChoice('TRIAL_STEPS'); i++) net.observeSplitChoice(0);
    // without a choice for the full size, both would split
    expect(net.nextStepOnCaller(full), 'the choice runs the next full step on the caller').toBe(true);
    expect(net.nextStepOnCaller(shorter), 'and the next shorter step').toBe(true);
    expect(jobsOf(full), 'pool jobs of a full step').toBe(0);
    expect(jobsOf(shorter), 'pool jobs of a shorter step while the full ones stay on the caller').toBe(0);
    net.dispose();
  });
});
