// The cost model that decides which tasks the wasm backend splits across its workers
// (assembly/threads.ts): tasks estimated below the split cost stay on the calling thread (no task
// is posted), tasks at or above it are split, and either way every result is bit-identical to a
// single thread's. Tasks posted are counted from the control block (ThreadPool.tasksPosted).
// Shapes sit on both sides of each default threshold; the backing off after a stall is off
// (`adaptive: false`) except in its own test, so what is split depends on the model alone.
import { beforeAll, describe, expect, it } from 'vitest';
import { STATS_PER_BATCH, type Engine } from '../../src/backend/engine.js';
import { Activation, Loss, Optimizer, type OptimizerId } from '../../src/backend/kernels.js';
import { paramLayout, type NetSpec } from '../../src/backend/layout.js';
import type { WasmBackend } from '../../src/backend/wasm/backend.js';
import { CTRL, word } from '../../src/backend/wasm/layout.js';
import { oneAndTwoThreads } from './backend.js';
import { DEFAULT_SPLIT_COSTS, type ThreadPool } from '../../src/backend/wasm/threads.js';
import { Random } from '../../src/util/prng.js';
import { randomArray, randomOneHot } from '../helpers/random.js';

const { split, splitIdle } = DEFAULT_SPLIT_COSTS;

/** The model's estimate of a GEMM (assembly/threads.ts gemm_parallel). */
const gemmCost = (m: number, k: number, n: number): number => {
  const n8 = Math.ceil(n / 8) * 8;
  return m * n8 * (k + 2) + k * n8;
};
/** Per parameter of an update, by optimizer id (assembly/threads.ts cost_per_param). */
const COST_PER_PARAM: Record<OptimizerId, number> = { [Optimizer.sgd]: 4, [Optimizer.momentum]: 20, [Optimizer.rmsprop]: 28, [Optimizer.adam]: 12 };

let one: WasmBackend;
let two: WasmBackend;
let pool: ThreadPool;

beforeAll(async () => {
  [one, two] = await oneAndTwoThreads();
  pool = two.runtime.pool!;
  pool.splitCosts = { ...DEFAULT_SPLIT_COSTS, adaptive: false };
  two.runtime.exports.set_far_cores(0); // the cores count as close (the far case has its own test)
});

/** C = A·B on `backend` inside a training step's busy region (`hot`) or as a lone call; C's bytes. */
function matmul(backend: WasmBackend, m: number, k: number, n: number, hot: boolean): Uint8Array {
  const { exports, mem } = backend.runtime;
  const random = new Random(m * 7919 + k * 31 + n);
  const [a, b, c] = [mem.alloc(m * k * 4), mem.alloc(k * n * 4), mem.alloc(m * n * 4)];
  mem.f32(a, m * k).set(randomArray(random, m * k));
  mem.f32(b, k * n).set(randomArray(random, k * n));
  const call = (): void => exports.matmul_nn(c, a, b, m, k, n);
  if (hot) backend.runtime.pool!.busy(call);
  else call();
  const out = new Uint8Array(mem.f32(c, m * n).slice().buffer);
  for (const p of [a, b, c]) mem.free(p);
  return out;
}

/** Tasks the 2-thread backend posts while `run` runs. */
function tasksDuring(run: () => void): number {
  const before = pool.tasksPosted;
  run();
  return pool.tasksPosted - before;
}

describe('wasm cost model', () => {
  // [m, k, n] just under and just over the threshold: columns (n = 128: 8 groups of 16 for 2
  // threads), rows (n = 10: one group, padded to 16 columns by the 8-wide microkernel)
  const hotPairs: [string, [number, number, number], [number, number, number]][] = [
    ['split by columns', [20, 95, 128], [20, 96, 128]],
    ['split by rows, narrow n', [64, 250, 10], [64, 251, 10]],
  ];
  it.each(hotPairs)('a GEMM inside a step, %s: under the split cost on the caller, over it split; bit-identical either way', (_, below, above) => {
    expect(gemmCost(...below)).toBeLessThan(split);
    expect(gemmCost(...above)).toBeGreaterThanOrEqual(split);
    for (const [shape, tasks] of [[below, 0], [above, 1]] as const) {
      let got!: Uint8Array;
      expect(tasksDuring(() => { got = matmul(two, ...shape, true); }), `${shape.join('×')}`).toBe(tasks);
      expect(Buffer.from(got).equals(Buffer.from(matmul(one, ...shape, true)))).toBe(true);
    }
  });

  it('a lone GEMM call (workers parked) is split only over the larger idle split cost', () => {
    const below: [number, number, number] = [64, 502, 128];
    const above: [number, number, number] = [64, 503, 128];
    expect(gemmCost(...below)).toBeGreaterThan(split);
    expect(gemmCost(...below)).toBeLessThan(splitIdle);
    expect(gemmCost(...above)).toBeGreaterThanOrEqual(splitIdle);
    expect(tasksDuring(() => matmul(two, ...below, false))).toBe(0);
    expect(tasksDuring(() => matmul(two, ...below, true))).toBe(1);
    let got!: Uint8Array;
    expect(tasksDuring(() => { got = matmul(two, ...above, false); })).toBe(1);
    expect(Buffer.from(got).equals(Buffer.from(matmul(one, ...above, false)))).toBe(true);
  });

  it('while the cores are far apart, a lone GEMM call under FAR_SPLIT_COST_IDLE stays on the caller; bit-identical either way', () => {
    const farIdle = two.runtime.exports.FAR_SPLIT_COST_IDLE.value as number;
    // n = 128, k = 784: the kernel API's shapes that two threads ran slower than one across dies
    const rows = Math.floor((farIdle - gemmCost(0, 784, 128)) / (gemmCost(1, 784, 128) - gemmCost(0, 784, 128)));
    const below: [number, number, number] = [rows, 784, 128];
    const above: [number, number, number] = [below[0] + 1, 784, 128];
    expect(gemmCost(...below)).toBeGreaterThanOrEqual(splitIdle);
    expect(gemmCost(...below)).toBeLessThan(farIdle);
    expect(gemmCost(...above)).toBeGreaterThanOrEqual(farIdle);
    try {
      two.runtime.exports.set_far_cores(1);
      for (const [shape, tasks] of [[below, 0], [above, 1]] as const) {
        let got!: Uint8Array;
        expect(tasksDuring(() => { got = matmul(two, ...shape, false); }), `${shape.join('×')}`).toBe(tasks);
        expect(Buffer.from(got).equals(Buffer.from(matmul(one, ...shape, false)))).toBe(true);
      }
      expect(tasksDuring(() => matmul(two, ...below, true)), 'inside a busy region').toBe(1);
      two.runtime.exports.set_far_cores(0);
      expect(tasksDuring(() => matmul(two, ...below, false)), 'close again').toBe(1);
      // measuring again: the check falls due at once, then calls split, and a round trip follows
      // the first split task a worker took part in (a parked one may take a while to wake), or,
      // when none did within CHECK_WAIT_MS (20 ms), the next one anyway: a call takes a few ms here
      two.runtime.exports.set_far_cores(-1);
      const want = Buffer.from(matmul(one, ...below, false));
      const posted: number[] = [];
      while (posted.length < 200 && posted.at(-1) !== 2) {
        let got!: Uint8Array;
        posted.push(tasksDuring(() => { got = matmul(two, ...below, false); }));
        expect(Buffer.from(got).equals(want)).toBe(true);
      }
      expect(posted.slice(0, -1).every((tasks) => tasks === 1), `tasks per call: ${posted.join(' ')}`).toBe(true);
      expect(posted.at(-1), 'the split, then the round trip').toBe(2);
    } finally {
      two.runtime.exports.set_far_cores(0);
    }
  });

  // A network [inputs, 1] trained one step on 4 rows has inputs + 1 parameters; each of its GEMMs
  // is over the split cost on its own, so they split alike on both sides, and the tasks posted
  // differ by the update alone.
  const updateCases = Object.entries(Optimizer).map(([name, kind]) => [name, kind] as const);
  it.each(updateCases)('%s: an update of fewer parameters than the split cost allows stays on the caller; bit-identical either way', (_, kind) => {
    const threshold = Math.ceil(split / COST_PER_PARAM[kind]);
    const rows = 4;
    const counts = [threshold - 1, threshold].map((params) => {
      const spec: NetSpec = { sizes: [params - 1, 1], activations: [Activation.linear], loss: Loss.mse };
      expect(gemmCost(rows, params - 1, 1)).toBeGreaterThanOrEqual(split);
      const [tasks, got] = trainOneStep(two, spec, kind, rows);
      const [, want] = trainOneStep(one, spec, kind, rows);
      expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer))).toBe(true);
      return tasks;
    });
    expect(counts[1]! - counts[0]!).toBe(1);
  });

  it('a batch gather of fewer bytes than the split cost stays on the caller; row weights count', async () => {
    // rows × (256 + 768) × 4 bytes: 63 rows under 2^18, 64 rows at it; every GEMM splits in both,
    // none by K blocks (256 inputs are one block), which would gather x the way it splits instead
    const spec: NetSpec = { sizes: [256, 768], activations: [Activation.softmax], loss: Loss.cross_entropy };
    expect(63 * 1024 * 4).toBeLessThan(split);
    expect(64 * 1024 * 4).toBeGreaterThanOrEqual(split);
    const [under, over] = [await epochTasks(spec, 63), await epochTasks(spec, 64)];
    expect(over - under).toBe(1);
    // 64 rows × (255 + 768) × 4 bytes under it, at it with each row's 4-byte weight
    const narrower: NetSpec = { ...spec, sizes: [255, 768] };
    expect(64 * 1023 * 4).toBeLessThan(split);
    const [unweighted, weighted] = [await epochTasks(narrower, 64), await epochTasks(narrower, 64, 64, Optimizer.sgd, true)];
    expect(weighted - unweighted).toBe(1);
  });

  it('a layer of more inputs than one K block splits its forward GEMM by K blocks, and an epoch gathers x the same way; bit-identical either way', async () => {
    // 256 inputs are one K block, 257 two (of 129): the forward GEMM then posts two tasks (each
    // thread's blocks, then each thread's rows summed and activated), not one (by columns); the
    // layer above's input gradient follows those rows and turns them into δz in the same task,
    // where after a split by columns the activation derivative is a task of its own, so a step
    // posts as many tasks either way; and an epoch gathers each thread's columns of x in one
    // task, where 64 rows of 256 + 10 floats are under the gather's own split cost
    const [oneBlock, twoBlocks] = [256, 257].map((inputs): NetSpec => ({
      sizes: [inputs, 128, 10], activations: [Activation.relu, Activation.softmax], loss: Loss.cross_entropy,
    }));
    expect(64 * (256 + 10) * 4).toBeLessThan(split);
    expect(evaluateTasks(twoBlocks!, 64) - evaluateTasks(oneBlock!, 64)).toBe(1);
    const steps = [oneBlock!, twoBlocks!].map((spec) => {
      const [tasks, got] = trainOneStep(two, spec, Optimizer.sgd, 64);
      expect(Buffer.from(got.buffer).equals(Buffer.from(trainOneStep(one, spec, Optimizer.sgd, 64)[1].buffer))).toBe(true);
      return tasks;
    });
    expect(steps[1]! - steps[0]!).toBe(0);
    expect(await epochTasks(twoBlocks!, 64) - await epochTasks(oneBlock!, 64)).toBe(1);
  });

  it('a K-block split of fewer than 33 rows sums and activates them on the caller: one task fewer, bit-identical', () => {
    // 32 and 33 rows through 600 inputs (three K blocks of 200) into 256 units: both forward GEMMs
    // cost over the split cost, both split by K blocks; the layer above (256 → 10) splits alike at
    // both sizes. In a training step the task saved comes back: at 33 rows the input gradient
    // follows the summed rows and turns them into δz in its own task, at 32 the activation
    // derivative takes a task after the input gradient's.
    const spec: NetSpec = { sizes: [600, 256, 10], activations: [Activation.relu, Activation.softmax], loss: Loss.cross_entropy };
    expect(evaluateTasks(spec, 33) - evaluateTasks(spec, 32)).toBe(1);
    const tasks = [32, 33].map((rows) => {
      const [posted, got] = trainOneStep(two, spec, Optimizer.sgd, rows);
      expect(Buffer.from(got.buffer).equals(Buffer.from(trainOneStep(one, spec, Optimizer.sgd, rows)[1].buffer))).toBe(true);
      return posted;
    });
    expect(tasks[1]! - tasks[0]!).toBe(0);
  });

  it('a tall hidden layer (4 rows per unit) splits its forward GEMM into one span of rows per thread, and its backward pass follows; bit-identical either way', () => {
    // 115 → 24 at 95 and 96 rows: both forward GEMMs cost over the split cost; at 95 rows the
    // layer is split into row chunks claimed in order, and its activation derivative and the
    // input gradient of the layer above (24 → 3, under the split cost) run on the caller; at 96
    // rows each thread takes its owned span of rows, and those two follow the same rows, in one
    // task; the weight-gradient GEMM splits by rows of W either way
    const spec: NetSpec = { sizes: [115, 24, 3], activations: [Activation.relu, Activation.softmax], loss: Loss.cross_entropy };
    expect(gemmCost(95, 115, 24)).toBeGreaterThanOrEqual(split);
    expect(gemmCost(96, 24, 3)).toBeLessThan(split);
    const steps = [95, 96].map((rows) => {
      const [tasks, got] = trainOneStep(two, spec, Optimizer.sgd, rows);
      expect(Buffer.from(got.buffer).equals(Buffer.from(trainOneStep(one, spec, Optimizer.sgd, rows)[1].buffer)), `${rows} rows`).toBe(true);
      return tasks;
    });
    expect(steps).toEqual([2, 3]);
  });

  it('in a training step, a forward GEMM under the split cost splits by K blocks where the update splits; bit-identical either way', async () => {
    // [inputs, 1] with momentum at 1 row, the update just under and just at the split cost: the
    // forward GEMM (two or more K blocks) is under it on its own, the weight gradient's over it
    // on both sides. At the split cost the update splits by rows of W, and so does the forward
    // GEMM, by the K blocks that read those rows: two tasks more in a step, and in an epoch a
    // third, the batch gathered by those columns. Outside training nothing owns the rows.
    const threshold = Math.ceil(split / COST_PER_PARAM[Optimizer.momentum]);
    const [under, at] = [threshold - 1, threshold].map((params): NetSpec => ({ sizes: [params - 1, 1], activations: [Activation.linear], loss: Loss.mse }));
    expect(gemmCost(1, threshold - 1, 1)).toBeLessThan(split);
    expect(gemmCost(threshold - 1, 1, 1)).toBeGreaterThanOrEqual(split);
    const steps = [under!, at!].map((spec) => {
      const [tasks, got] = trainOneStep(two, spec, Optimizer.momentum, 1);
      expect(Buffer.from(got.buffer).equals(Buffer.from(trainOneStep(one, spec, Optimizer.momentum, 1)[1].buffer))).toBe(true);
      return tasks;
    });
    expect(steps[1]! - steps[0]!).toBe(2);
    expect(await epochTasks(at!, 1, 1, Optimizer.momentum) - await epochTasks(under!, 1, 1, Optimizer.momentum)).toBe(3);
    // the same network evaluating a row after a momentum step: its forward GEMM stays whole
    const { engine, x, y } = engineAndBatch(two, at!, 1);
    const stats = new Float64Array(STATS_PER_BATCH);
    engine.trainStep(x, y, 1, { kind: Optimizer.momentum, lr: 0.01, beta1: 0.9, beta2: 0, eps: 0 }, 1, stats);
    expect(tasksDuring(() => engine.evaluate(x, y, 1, stats))).toBe(0);
    engine.dispose();
  });

  it('training steps split alike whether the cores count as far apart or close; bit-identical either way', async () => {
    const exports = two.runtime.exports;
    const spec: NetSpec = { sizes: [784, 128, 10], activations: [Activation.relu, Activation.softmax], loss: Loss.cross_entropy };
    const cases: [OptimizerId, number][] = [[Optimizer.sgd, 1], [Optimizer.adam, 1], [Optimizer.adam, 2], [Optimizer.momentum, 32], [Optimizer.adam, 63]];
    try {
      for (const [optimizer, rows] of cases) {
        exports.set_far_cores(0);
        const [close] = trainOneStep(two, spec, optimizer, rows);
        const closeEpoch = await epochTasks(spec, rows, 2 * rows, optimizer);
        exports.set_far_cores(1);
        const [far, got] = trainOneStep(two, spec, optimizer, rows);
        expect(far, `optimizer ${optimizer}, ${rows} rows`).toBeGreaterThan(0);
        expect(far, `optimizer ${optimizer}, ${rows} rows`).toBe(close);
        expect(await epochTasks(spec, rows, 2 * rows, optimizer), `an epoch, optimizer ${optimizer}, ${rows} rows`).toBe(closeEpoch);
        expect(Buffer.from(got.buffer).equals(Buffer.from(trainOneStep(one, spec, optimizer, rows)[1].buffer))).toBe(true);
      }
    } finally {
      exports.set_far_cores(0);
    }
  });

  it('times a round trip to a worker (worker_round_trip): positive on two threads, 0 on one; tasks go on as before', async () => {
    // A worker that gets no core within the ping's polls (a loaded machine) makes it Infinity: the
    // cores then count as far apart, which is what such a machine calls for. One of the tries must
    // find the worker running, so each follows a GEMM the worker took part in (it then spins),
    // in rounds of 20, 10 ms apart (the test's thread gives up its core in between), for up to
    // 10 s: beside a process spinning on the other vCPU, pings alone never found the worker.
    let fastest = Number.POSITIVE_INFINITY;
    for (const end = performance.now() + 10_000; fastest === Number.POSITIVE_INFINITY && performance.now() < end;) {
      const pings = Array.from({ length: 20 }, () => pool.busy(() => {
        matmul(two, 128, 128, 128, false); // inside the busy region: not "hot" again
        return two.runtime.exports.worker_round_trip(128);
      }));
      expect(Math.min(...pings)).toBeGreaterThan(0);
      fastest = Math.min(...pings);
      if (fastest === Number.POSITIVE_INFINITY) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(fastest).toBeLessThan(Number.POSITIVE_INFINITY);
    expect(one.runtime.exports.worker_round_trip(128)).toBe(0);
    expect(matmul(two, 256, 256, 256, true)).toEqual(matmul(one, 256, 256, 256, true));
  });

  it('gives up on a worker that never answers the round trip, and runs its chunk itself', () => {
    // the control block claims a worker that never runs (as in the backing-off test below)
    const lonePool = one.runtime.pool!;
    const words = one.runtime.mem.i32(lonePool.ctrl, word(CTRL.CTRL_HEADER_BYTES));
    Atomics.store(words, word(CTRL.CTRL_WORKERS), 1);
    try {
      const before = lonePool.tasksPosted;
      expect(one.runtime.exports.worker_round_trip(4)).toBe(Number.POSITIVE_INFINITY);
      expect(lonePool.tasksPosted - before).toBe(1);
    } finally {
      Atomics.store(words, word(CTRL.CTRL_WORKERS), 0);
    }
  });

  it('the spirals playground networks (batch 32) never post a task: their steps stay on the caller', async () => {
    for (const sizes of [[2, 8, 2], [2, 32, 32, 2], [2, 16, 16, 16, 2]]) {
      const spec: NetSpec = { sizes, activations: sizes.slice(1).map((_, l) => (l === sizes.length - 2 ? Activation.softmax : Activation.tanh)), loss: Loss.cross_entropy };
      expect(await epochTasks(spec, 32, 1000, Optimizer.adam), sizes.join('-')).toBe(0);
    }
  });

  it('after a split task that no worker took part in, the next ones back off (1, 2, 4, … tasks on the caller)', () => {
    // a worker that never runs: every split is a stall
    const calls = (adaptive: boolean): number => withLoneWorker(false, adaptive, () => {
      for (let i = 0; i < 20; i++) matmul(one, 64, 256, 128, true);
    });
    const backedOff = (run: () => number): [number, number] => {
      const before = one.runtime.exports.backed_off_tasks();
      const posted = run();
      return [posted, one.runtime.exports.backed_off_tasks() - before];
    };
    expect(backedOff(() => calls(false))).toEqual([20, 0]);
    // calls 1, 3, 6, 11 and 20 split; the other 15 are counted as backed off
    expect(backedOff(() => calls(true))).toEqual([5, 15]);
  });

  it('a join counts as a stall only when it waited over 0.5 ms longer than the caller worked on the task', () => {
    const stalled = (waitedMs: number, workedMs: number): boolean => one.runtime.exports.join_stalled(waitedMs, workedMs) !== 0;
    expect(stalled(0.3, 0)).toBe(false);
    expect(stalled(0.7, 0)).toBe(true);
    // a worker preempted for 5 ms during a 60 ms task (the caller worked 30 ms): no backoff
    expect(stalled(5, 30)).toBe(false);
    expect(stalled(30.7, 30)).toBe(true);
  });

  it('a worker woken from its wait is given time to take part: meanwhile the tasks keep being split', () => {
    // a worker parked in its wait that never comes out of it
    const posted = (calls: number, pauseMs: number): number => withLoneWorker(true, true, () => {
      for (let i = 0; i < calls; i++) {
        matmul(one, 32, 128, 64, true); // just over the split cost: ~15 µs
        for (const end = performance.now() + pauseMs; performance.now() < end;);
      }
    });
    expect(gemmCost(32, 128, 64)).toBeGreaterThanOrEqual(split);
    // well within the wake allowance (2 ms): every call splits (the best of three tries: a
    // preempted test machine can stretch six calls of ~20 µs past it)
    expect(Math.max(posted(6, 0), posted(6, 0), posted(6, 0))).toBe(6);
    // past it (20 calls 0.3 ms apart): the splits back off
    expect(posted(20, 0.3)).toBeLessThan(20);
  });
});

/**
 * Tasks the 1-thread backend posts during `run` while its control block claims one worker that
 * never runs (parked in its wait, or not), with the backoff after stalls on or off. Any backoff
 * left from before is ended first: a task split while not adaptive ends it.
 */
function withLoneWorker(parked: boolean, adaptive: boolean, run: () => void): number {
  const lonePool = one.runtime.pool!;
  const words = one.runtime.mem.i32(lonePool.ctrl, word(CTRL.CTRL_HEADER_BYTES));
  const parkedWord = word(CTRL.CTRL_PARKED) + 1;
  Atomics.store(words, word(CTRL.CTRL_WORKERS), 1);
  Atomics.store(words, parkedWord, parked ? 1 : 0);
  try {
    lonePool.splitCosts = { ...DEFAULT_SPLIT_COSTS, adaptive: false };
    matmul(one, 32, 128, 64, true);
    lonePool.splitCosts = { ...DEFAULT_SPLIT_COSTS, adaptive };
    const before = lonePool.tasksPosted;
    run();
    return lonePool.tasksPosted - before;
  } finally {
    Atomics.store(words, word(CTRL.CTRL_WORKERS), 0);
    Atomics.store(words, parkedWord, 0);
    lonePool.splitCosts = DEFAULT_SPLIT_COSTS;
  }
}

/** An engine of `spec` on `backend` with seeded parameters and room for `rows`, and a batch of that many rows. */
function engineAndBatch(backend: WasmBackend, spec: NetSpec, rows: number): { engine: Engine; x: Float32Array; y: Float32Array } {
  const random = new Random(spec.sizes[0]!);
  const engine = backend.createEngine(spec);
  engine.writeParams(randomArray(random, paramLayout(spec.sizes).count, -0.1, 0.1));
  engine.reserve(rows);
  const x = randomArray(random, rows * spec.sizes[0]!);
  return { engine, x, y: randomOneHot(random, rows, spec.sizes[spec.sizes.length - 1]!) };
}

/** Tasks posted by one training step on `rows` rows of `spec` (2 threads), and the parameters after it. */
function trainOneStep(backend: WasmBackend, spec: NetSpec, kind: OptimizerId, rows: number): [number, Float32Array] {
  const { engine, x, y } = engineAndBatch(backend, spec, rows);
  const opt = { kind, lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-7 };
  const stats = new Float64Array(STATS_PER_BATCH);
  const posted = backend === two ? tasksDuring(() => engine.trainStep(x, y, rows, opt, 1, stats)) : (engine.trainStep(x, y, rows, opt, 1, stats), 0);
  const params = engine.readParams();
  engine.dispose();
  return [posted, params];
}

/** Tasks the 2-thread backend posts in evaluate (the forward pass and the loss) of `rows` rows. */
function evaluateTasks(spec: NetSpec, rows: number): number {
  const { engine, x, y } = engineAndBatch(two, spec, rows);
  const posted = tasksDuring(() => engine.evaluate(x, y, rows, new Float64Array(STATS_PER_BATCH)));
  engine.dispose();
  return posted;
}

/** Tasks posted by one epoch of `rows` rows (with row weights if `weighted`) in batches of `batch` (2 threads). */
async function epochTasks(spec: NetSpec, batch: number, rows = batch, kind: OptimizerId = Optimizer.sgd, weighted = false): Promise<number> {
  const random = new Random(5);
  const engine = two.createEngine(spec);
  engine.writeParams(randomArray(random, paramLayout(spec.sizes).count, -0.1, 0.1));
  const outputs = spec.sizes[spec.sizes.length - 1]!;
  const weights = weighted ? randomArray(random, rows, 0, 2) : undefined;
  const data = engine.bindData(randomArray(random, rows * spec.sizes[0]!), randomOneHot(random, rows, outputs), rows, weights);
  const order = Uint32Array.from({ length: rows }, (_, i) => i);
  const before = pool.tasksPosted;
  await engine.trainEpoch(data, order, batch, { kind, lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-7 }, 1, new Float64Array(Math.ceil(rows / batch) * STATS_PER_BATCH));
  const posted = pool.tasksPosted - before;
  data.release();
  engine.dispose();
  return posted;
}
