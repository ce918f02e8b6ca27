// brain.js NeuralNetwork: plain JS on the CPU, one sample per update (no mini-batches), sigmoid
// activations and updates along ½Σ(y−ŷ)² — its only training mode. It is compared on that
// network, against mlpx running the same network at batch 1. An epoch is a trainPattern loop
// over the samples — what train() runs per iteration, without its per-call option checks.
// Momentum is set to 0 on trainOpts (train()'s option check refuses 0) so that its update is
// exactly per-sample SGD and can be validated against the reference.
import { createRequire } from 'node:module';
import type { Contender, Runner } from '../harness.js';
import { VALIDATION_STEPS, isClassifier, type InferCase, type TrainCase } from '../cases.js';
import { paramLayout } from '../../src/backend/layout.js';
import { checkClose, checkLosses } from '../validate.js';
import { log } from '../log.js';

interface BrainNet {
  sizes: number[];
  trainOpts: { momentum: number };
  weights: Float32Array[][];
  biases: Float32Array[];
  initialize(): void;
  trainPattern(sample: Sample, logErrorRate: boolean): number | null;
  run(input: number[]): Float32Array;
}
interface Sample { input: number[]; output: number[] }
type BrainModule = { NeuralNetwork: new (options: object) => BrainNet };

/** brain.js 1.6.1 is CommonJS with gpu.js as a pure-JS dependency (no native build). */
export function loadBrain(): BrainModule | undefined {
  try {
    const require = createRequire(import.meta.url);
    const version = (require('brain.js/package.json') as { version: string }).version;
    const brain = require('brain.js') as BrainModule;
    log(`brain.js ${version}: loaded (NeuralNetwork, CPU, one sample per update)`);
    return brain;
  } catch (error) {
    log(`note: brain.js not measured: ${(error as Error).message}`);
    return undefined;
  }
}

function rowsOf(x: Float32Array, width: number, rows: number): number[][] {
  return Array.from({ length: rows }, (_, r) => Array.from(x.subarray(r * width, (r + 1) * width)));
}

/** A brain.js net with mlpx's flat parameters copied in (brain.js keeps W per output node). */
function buildNet(brain: BrainModule, sizes: readonly number[], params: Float32Array, lr: number): BrainNet {
  const net = new brain.NeuralNetwork({ hiddenLayers: sizes.slice(1, -1), activation: 'sigmoid', learningRate: lr });
  net.sizes = [...sizes];
  net.initialize();
  net.trainOpts.momentum = 0;
  paramLayout(sizes).layers.forEach((slot, l) => {
    for (let j = 0; j < slot.units; j++) {
      const w = net.weights[l + 1]![j]!;
      for (let i = 0; i < slot.inputs; i++) w[i] = params[slot.weightOffset + i * slot.units + j]!;
      net.biases[l + 1]![j] = params[slot.biasOffset + j]!;
    }
  });
  return net;
}

const onlySigmoid = 'brain.js has no softmax/cross-entropy: it runs the sigmoid cases';

export class BrainTrain implements Contender<TrainCase> {
  readonly impl = 'brain.js';
  readonly backend = 'cpu';
  readonly threads = 1;
  constructor(private readonly brain: BrainModule) {}
  skip(c: TrainCase): string | undefined {
    if (isClassifier(c.spec)) return onlySigmoid;
    return c.batch !== 1 || c.optimizer !== 'sgd' ? 'trains one sample at a time with SGD only' : undefined;
  }
  async prepare(c: TrainCase): Promise<Runner> {
    const { inputs, classes } = c.data;
    const net = buildNet(this.brain, c.spec.sizes, c.params, c.opt.lr);
    const xs = rowsOf(c.data.x, inputs, c.samplesPerCall);
    const ys = rowsOf(c.data.y, classes, c.samplesPerCall);
    const samples = xs.map((input, r) => ({ input, output: ys[r]! }));
    // trainPattern reports mean((y−ŷ)²) over outputs before its update; mlpx's ½Σ(y−ŷ)² is that × n/2
    const losses = samples.slice(0, VALIDATION_STEPS).map((s) => net.trainPattern(s, true)! * classes / 2);
    checkLosses(losses, c.referenceLosses, 1e-3, `brain.js losses of ${VALIDATION_STEPS} steps`);
    const timed = Array.from(c.order, (row) => samples[row]!); // the case's shuffled order
    return { run: () => { for (const sample of timed) net.trainPattern(sample, false); } };
  }
}

export class BrainInfer implements Contender<InferCase> {
  readonly impl = 'brain.js';
  readonly backend = 'cpu';
  readonly threads = 1;
  constructor(private readonly brain: BrainModule) {}
  skip(c: InferCase): string | undefined {
    if (isClassifier(c.spec)) return onlySigmoid;
    return c.batch !== 1 ? 'runs one sample at a time' : undefined;
  }
  async prepare(c: InferCase): Promise<Runner> {
    const net = buildNet(this.brain, c.spec.sizes, c.params, 0.3); // brain.js rejects a learning rate of 0
    const input = Array.from(c.x.subarray(0, c.spec.sizes[0]!));
    checkClose(net.run(input), c.reference, 1e-6, 1e-4, 'brain.js run');
    return { run: () => net.run(input) };
  }
}
