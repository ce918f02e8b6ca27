// Results must be bit-identical for any thread count (each output element is summed in a fixed
// order), on every kernel path the CPU runs; each path must also match the reference, since a
// machine that starts on the fastest path would otherwise never run the others.
import { availableParallelism } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { STATS_PER_BATCH } from '../../src/backend/engine.js';
import { Activation, Loss, Optimizer } from '../../src/backend/kernels.js';
import { paramLayout, type NetSpec } from '../../src/backend/layout.js';
import { jsKernels } from '../../src/backend/js/index.js';
import { NativeEngine } from '../../src/backend/native/engine.js';
import { NATIVE_KERNEL_PATHS } from '../../src/backend/native/kernel-path.js';
import { Random } from '../../src/util/prng.js';
import { randomArray, randomOneHot } from '../helpers/random.js';
import { addon } from './addon.js';
import { firstDifference, firstDifferences, noDifferences } from './bits.js';

const THREADS = [1, 2, 3, 4];
const VARIANTS = ['matmul_nn', 'matmul_tn', 'matmul_nt'] as const;
/** the gradient transform's arguments (gradScale, clipValue, l2, l1, weightDecay): off, then all on */
const TRANSFORMS: [number, number, number, number, number][] = [[1, 0, 0, 0, 0], [0.6, 0.3, 0.01, 0.001, 0.1]];
// Large enough (≥ 2^23 multiply-adds, every dimension ≥ 128) that every GEMM is split across
// threads (by rows of C), with edges in every dimension; then GEMMs of at least 2^20
// multiply-adds with a short side, split all the same: by columns when m is under 128 (even 1),
// else by rows. Splits by K blocks are the training step's, tested below.
const SHAPES: [number, number, number][] = [
  [128, 784, 128], [203, 301, 171], [131, 515, 700], [700, 400, 137], [129, 300, 1001],
  [32, 784, 128], [5, 701, 259], [1, 2048, 1024], [517, 1000, 10],
];

const operandCache = new Map<string, [Float32Array, Float32Array]>();
function operands(m: number, k: number, n: number): [Float32Array, Float32Array] {
  const key = `${m},${k},${n}`;
  if (!operandCache.has(key)) {
    const random = new Random(m + 3 * k + 7 * n);
    operandCache.set(key, [randomArray(random, m * k), randomArray(random, k * n)]);
  }
  return operandCache.get(key)!;
}

function gemm(variant: (typeof VARIANTS)[number], m: number, k: number, n: number): Float32Array {
  const c = new Float32Array(m * n);
  addon![variant](c, ...operands(m, k, n), m, k, n);
  return c;
}

// From batch 32 on, the first two layers are split across threads for the whole step: their
// forward GEMMs by K blocks (portable path: 2 of 150 and 4 of 256, on 3 threads one thread takes
// two; AVX paths: the 300 inputs are one block, so that GEMM is split by columns, and the 1024 are
// 3), and the cores that sum the 1024-input layer's rows run the output layer on them too;
// their weight-gradient GEMMs and updates by rows of W; the last layer's update is shared out by
// ranges. Below 16 rows a layer of one K block is not split, nor any layer under 65,536
// multiply-adds: at batches 2 and 5 the portable path splits both layers and the AVX paths the
// second alone; at batch 1 the portable path splits the first alone and the AVX paths neither. At
// batch 256 the first layer's element-wise passes are split too (262,144 elements: eight chunks).
const SPEC: NetSpec = { sizes: [300, 1024, 48, 10], activations: [Activation.relu, Activation.tanh, Activation.softmax], loss: Loss.cross_entropy };
const INPUTS = 300;
// Layers whose activation the cores that sum their rows apply, on every kernel path: a ReLU layer
// of 800 inputs (2 or more K blocks) and a softmax output layer of 400 inputs (2 blocks; 10 units).
const FUSED_SPLIT: NetSpec = { sizes: [INPUTS, 800, 400, 10], activations: [Activation.sigmoid, Activation.relu, Activation.softmax], loss: Loss.cross_entropy };
const PLAIN = { kind: Optimizer.adam, lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
/** every training feature at once: dropout on both hidden layers (the 1024-unit one split across threads at batch 256), row weights, a rate table, the whole gradient transform */
const FEATURES = {
  spec: { ...SPEC, dropout: [0.3, 0.1, 0], seed: 77 },
  opt: { ...PLAIN, l2: 1e-3, l1: 1e-4, weightDecay: 0.01, clipNorm: 0.5, clipValue: 0.05 },
};
// Without dropout on the last hidden layer (split at every batch here), the cores that sum its
// rows also run the output layer's forward and backward pass on them, row weights included.
const FEATURES_OUTPUT_ON_SPLIT: NetSpec = { ...SPEC, dropout: [0.3, 0, 0], seed: 77 };

// Every layer one K block on every path, with at least 4 rows per input and per unit from 192
// rows, and 2^18 multiply-adds from fewer: from batch 192 a step is split by rows of the batch
// (each core's rows through every layer's forward pass, input gradient and activation
// derivative), and the epoch's last batch (1000 rows in batches of 240 or 480: 40) is not. The
// weight gradients are split by rows of W at batch 240 (one K block of rows) and by K blocks of
// rows at 480 (two, on every path), their ‖g‖² summed from the gradients on any thread count
// (layers of at most 2^14 weights).
const TALL: NetSpec = { sizes: [24, 48, 32, 10], activations: [Activation.relu, Activation.tanh, Activation.softmax], loss: Loss.cross_entropy };
/** the same with dropout on both hidden layers (δz made after the GEMM, not in its chunks) */
const TALL_DROPOUT: NetSpec = { ...TALL, dropout: [0.3, 0.1, 0], seed: 77 };
/**
 * a layer of more than 2^14 weights (160×160): split by rows of the batch from 640 rows, its
 * weight gradients by rows of W and ‖g‖² from their tile sums, at 2 K blocks of rows
 */
const TALL_WIDE: NetSpec = { sizes: [24, 160, 160, 10], activations: [Activation.relu, Activation.relu, Activation.softmax], loss: Loss.cross_entropy };
/** an output layer whose δz is not fused (sigmoid and squared error): the caller computes it */
const TALL_SIGMOID: NetSpec = { sizes: [24, 48, 10], activations: [Activation.leaky_relu, Activation.sigmoid], loss: Loss.mse };

async function train(threads: number, batch: number, features = false, spec = features ? FEATURES.spec : SPEC): Promise<{ params: Float32Array; stats: Float64Array }> {
  addon!.setThreads(threads);
  const random = new Random(5);
  const rows = 1000;
  const inputs = spec.sizes[0]!;
  const x = randomArray(random, rows * inputs);
  const y = randomOneHot(random, rows, 10);
  const opt = features ? FEATURES.opt : PLAIN;
  const engine = new NativeEngine(spec, addon!);
  engine.writeParams(randomArray(random, paramLayout(spec.sizes).count, -0.2, 0.2));
  const order = random.shuffle(Uint32Array.from({ length: rows }, (_, i) => i));
  const batches = Math.ceil(rows / batch);
  const stats = new Float64Array(batches * STATS_PER_BATCH);
  const weights = features ? randomArray(random, rows, 0, 2) : undefined;
  const rates = features ? Float32Array.from({ length: batches }, (_, i) => 0.01 * (1 - i / batches) + 1e-4) : undefined;
  const data = engine.bindData(x, y, rows, weights);
  await engine.trainEpoch(data, order, batch, opt, 1, stats, undefined, rates);
  const stepStats = new Float64Array(STATS_PER_BATCH);
  engine.trainStep(x.subarray(0, batch * inputs), y.subarray(0, batch * 10), batch, opt, 100, stepStats, weights?.subarray(0, batch));
  return { params: engine.readParams(), stats };
}

// A layer too deep and wide for a depth split to keep its K-block products apart (1600 inputs: 5
// blocks of 320 on the AVX paths, 7 of 229 on the portable one; 3 or more of them past the first
// chunk, × 512 rows × 2800 units > 2^22 floats): its forward GEMM is split by columns instead.
const DEEP_WIDE_INPUTS = 1600;
const DEEP_WIDE: NetSpec = { sizes: [DEEP_WIDE_INPUTS, 2800, 10], activations: [Activation.relu, Activation.softmax], loss: Loss.cross_entropy };

function deepWideStep(threads: number): Float32Array {
  addon!.setThreads(threads);
  const random = new Random(8);
  const batch = 512;
  const engine = new NativeEngine(DEEP_WIDE, addon!);
  engine.writeParams(randomArray(random, paramLayout(DEEP_WIDE.sizes).count, -0.05, 0.05));
  engine.setOptimizer(PLAIN.kind);
  engine.reserve(batch);
  engine.trainStep(randomArray(random, batch * DEEP_WIDE_INPUTS), randomOneHot(random, batch, 10), batch, PLAIN, 1, new Float64Array(STATS_PER_BATCH));
  return engine.readParams();
}

/** evaluate's stats, then gradient's stats and gradients, of one batch. */
function evaluateAndGradient(threads: number, spec: NetSpec, rows: number): (Float32Array | Float64Array)[] {
  addon!.setThreads(threads);
  const random = new Random(6);
  const engine = new NativeEngine(spec, addon!);
  engine.writeParams(randomArray(random, paramLayout(spec.sizes).count, -0.2, 0.2));
  engine.reserve(rows);
  const x = randomArray(random, rows * spec.sizes[0]!);
  const y = randomOneHot(random, rows, 10);
  const evaluated = new Float64Array(STATS_PER_BATCH);
  engine.evaluate(x, y, rows, evaluated);
  const stats = new Float64Array(STATS_PER_BATCH);
  engine.gradient(x, y, rows, stats);
  return [evaluated, stats, engine.readGrads()];
}

describe.skipIf(addon === undefined)('native: thread-count determinism', () => {
  const initialPath = addon?.kernelPath() ?? 'portable';
  const available = addon?.kernelPaths() ?? [];
  afterAll(() => {
    addon!.setThreads(availableParallelism());
    addon!.setKernelPath(initialPath);
  });

  for (const path of NATIVE_KERNEL_PATHS) {
    const runs = available.includes(path);
    if (addon !== undefined) {
      console.log(runs
        ? `[native] thread-count determinism: testing the ${path} kernel path`
        : `[native] thread-count determinism: ${path} kernel path skipped: this CPU or OS cannot run it (it runs ${available.join(', ')})`);
    }
    describe.skipIf(!runs)(`${path} kernel path`, () => {
      it.each(SHAPES)('gives identical bits for 1–4 threads at m=%i k=%i n=%i', (m, k, n) => {
        addon!.setKernelPath(path);
        for (const variant of VARIANTS) {
          addon!.setThreads(1);
          const single = gemm(variant, m, k, n);
          for (const threads of THREADS.slice(1)) {
            addon!.setThreads(threads);
            expect(firstDifference(gemm(variant, m, k, n), single), `${variant} on ${threads} threads`).toBe(-1);
          }
        }
      });

      // A standalone GEMM packs a B whose rows do not start on cache lines once C has enough rows
      // a chunk, and reads it in place otherwise: at each of 16 float offsets into one buffer, B
      // starts on a line at exactly one, so both ways run, on 1 thread (600 rows) and 2 (300 each).
      it('gives identical bits wherever B starts in memory, packed or read in place', () => {
        addon!.setKernelPath(path);
        const [m, k, n] = [600, 300, 128];
        const [a, b] = operands(m, k, n);
        const room = new Float32Array(k * n + 16);
        const product = (threads: number, offset: number): Float32Array => {
          addon!.setThreads(threads);
          const placed = room.subarray(offset, offset + k * n);
          placed.set(b);
          const c = new Float32Array(m * n);
          addon!.matmul_nn(c, a, placed, m, k, n);
          return c;
        };
        const first = product(1, 0);
        for (const threads of [1, 2]) {
          for (let offset = 0; offset < 16; offset++) {
            expect(firstDifference(product(threads, offset), first), `B at float offset ${offset}, ${threads} threads`).toBe(-1);
          }
        }
      });

      it.each(SHAPES)('matches the reference at m=%i k=%i n=%i', (m, k, n) => {
        addon!.setKernelPath(path);
        addon!.setThreads(2);
        for (const variant of VARIANTS) {
          const [a, b] = operands(m, k, n);
          const expected = new Float32Array(m * n);
          const magnitude = new Float32Array(m * n);
          jsKernels[variant](expected, a, b, m, k, n);
          jsKernels[variant](magnitude, a.map(Math.abs), b.map(Math.abs), m, k, n);
          const c = gemm(variant, m, k, n);
          let worst = 0;
          for (let i = 0; i < c.length; i++) worst = Math.max(worst, Math.abs(c[i]! - expected[i]!) / (1e-5 * magnitude[i]! + 1e-30));
          expect(worst, variant).toBeLessThanOrEqual(1);
        }
      });

      it('runs element-wise optimizer updates identically on 1–4 threads', () => {
        addon!.setKernelPath(path);
        const count = 1_500_000; // above the parallel threshold
        const random = new Random(3);
        const grads = randomArray(random, count);
        const start = randomArray(random, count);
        const run = (threads: number) => {
          addon!.setThreads(threads);
          const params = start.slice();
          const m = new Float32Array(count);
          const v = new Float32Array(count);
          for (const t of TRANSFORMS) {
            for (let step = 1; step <= 3; step++) addon!.adam_update(params, grads, m, v, count, 0.01, 0.9, 0.999, 1e-8, step, ...t);
            addon!.momentum_update(params, grads, m, count, 0.01, 0.9, 1, ...t);
            addon!.rmsprop_update(params, grads, v, count, 0.01, 0.9, 1e-8, ...t);
            addon!.sgd_update(params, grads, count, 0.01, ...t);
          }
          return params;
        };
        const single = run(1);
        for (const threads of THREADS.slice(1)) expect(firstDifference(run(threads), single), `${threads} threads`).toBe(-1);
      });

      it('trains a layer too deep and wide to split by K blocks to identical parameters on 1, 2 and 3 threads', () => {
        addon!.setKernelPath(path);
        const single = deepWideStep(1);
        for (const threads of [2, 3]) expect(firstDifference(deepWideStep(threads), single), `${threads} threads`).toBe(-1);
      });

      const sameOnEveryThreadCount = async (batch: number, features: boolean, spec?: NetSpec) => {
        addon!.setKernelPath(path);
        const single = await train(1, batch, features, spec);
        for (const threads of [2, 3]) {
          const multi = await train(threads, batch, features, spec);
          const pairs = { stats: [multi.stats, single.stats], params: [multi.params, single.params] } as const;
          expect(firstDifferences(pairs), `${threads} threads`).toEqual(noDifferences(pairs));
        }
      };

      it.each([[128, false], [32, false], [256, true], [1, false], [2, false], [5, true]])('trains to identical parameters and stats on 1, 2 and 3 threads at batch %i (dropout, row weights, rate table, gradient transform: %s)', async (batch, features) => {
        await sameOnEveryThreadCount(batch, features);
      });

      it('trains ReLU and softmax layers split by K blocks to identical parameters and stats on 1, 2 and 3 threads', async () => {
        await sameOnEveryThreadCount(128, false, FUSED_SPLIT);
      });

      it.each([['layers split by K blocks', 128, SPEC], ['a network split by rows of the batch', 240, TALL], ['a network split by rows of the batch', 480, TALL]] as const)('evaluates and computes gradients identically on 1, 2 and 3 threads (%s, %i rows)', (_, rows, spec) => {
        addon!.setKernelPath(path);
        const single = evaluateAndGradient(1, spec, rows);
        for (const threads of [2, 3]) {
          const multi = evaluateAndGradient(threads, spec, rows);
          const pairs = {
            'evaluate stats': [multi[0]!, single[0]!], 'gradient stats': [multi[1]!, single[1]!], gradients: [multi[2]!, single[2]!],
          } as const;
          expect(firstDifferences(pairs), `${threads} threads`).toEqual(noDifferences(pairs));
        }
      });

      it('trains with row weights, dropout below and the output layer run on the split rows to identical parameters and stats on 1, 2 and 3 threads', async () => {
        await sameOnEveryThreadCount(256, true, FEATURES_OUTPUT_ON_SPLIT);
      });

      it.each([
        ['softmax output', 240, TALL, false], ['softmax output', 480, TALL, false],
        ['every training feature, dropout on both hidden layers', 480, TALL_DROPOUT, true],
        ['a sigmoid output under squared error', 480, TALL_SIGMOID, false],
        ['a layer of 160×160 weights', 640, TALL_WIDE, false],
      ] as const)('trains a network split by rows of the batch to identical parameters and stats on 1, 2 and 3 threads (%s, batch %i)', async (_, batch, spec, features) => {
        await sameOnEveryThreadCount(batch, features, spec);
      });
    });
  }
});

describe.skipIf(addon === undefined)('native: the thread pool\'s job counts', () => {
  afterAll(() => addon!.setThreads(availableParallelism()));

  /** Jobs posted to the workers and jobs kept on the caller after a stall, over 20 GEMMs. */
  const jobsOf = (threads: number, m: number, k: number, n: number): [number, number] => {
    addon!.setThreads(threads);
    const posted = addon!.poolJobsPosted(), backedOff = addon!.poolBackedOffJobs();
    for (let call = 0; call < 20; call++) gemm('matmul_nn', m, k, n);
    return [addon!.poolJobsPosted() - posted, addon!.poolBackedOffJobs() - backedOff];
  };

  it('count each split GEMM as one job posted to the workers or kept on the caller after a stall', () => {
    // (a loaded machine may have the pool back off some calls: together they are every call)
    const [posted, backedOff] = jobsOf(2, 128, 784, 128);
    expect(posted + backedOff).toBe(20);
    // too small to split, or one thread: no job either way
    expect(jobsOf(2, 64, 64, 64)).toEqual([0, 0]);
    expect(jobsOf(1, 128, 784, 128)).toEqual([0, 0]);
  });
});
