// The work each suite hands to every contender, with the reference answers computed once by
// the mlpx js backend (float64-accumulating loops: the project's oracle).
import { createJsBackend } from '../src/backend/js/index.js';
import { STAT_LOSS, STATS_PER_BATCH, type Engine } from '../src/backend/engine.js';
import { Activation, Loss, Optimizer, type ActivationId, type OptimizerParams } from '../src/backend/kernels.js';
import type { NetSpec } from '../src/backend/layout.js';
import { classification, initParams, permutation, randomMatrix, type Classification } from './data.js';

export interface GemmCase { m: number; k: number; n: number; a: Float32Array; b: Float32Array }

export function gemmCase(m: number, k: number, n: number): GemmCase {
  return { m, k, n, a: randomMatrix(m * k, 11 + m), b: randomMatrix(k * n, 17 + n) };
}

export type OptimizerName = 'sgd' | 'adam';

export const OPTIMIZERS: Readonly<Record<OptimizerName, OptimizerParams>> = {
  sgd: { kind: Optimizer.sgd, lr: 0.05, beta1: 0, beta2: 0, eps: 0 },
  adam: { kind: Optimizer.adam, lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7 },
};

/** ReLU (or `hidden`) hidden layers, softmax output, cross-entropy: the network the peers share. */
export function classifierSpec(sizes: readonly number[], hidden: ActivationId = Activation.relu): NetSpec {
  return { sizes, activations: sizes.slice(1).map((_, l) => (l === sizes.length - 2 ? Activation.softmax : hidden)), loss: Loss.cross_entropy };
}

/** brain.js's network: sigmoid everywhere, and per-sample updates along ½Σ(y−ŷ)². */
export function sigmoidSpec(sizes: readonly number[]): NetSpec {
  return { sizes, activations: sizes.slice(1).map(() => Activation.sigmoid), loss: Loss.half_sse };
}

/** The hidden activations the peers' classifier may have, by their names in TensorFlow.js and numpy_ref.py. */
const PEER_HIDDEN = { relu: Activation.relu, tanh: Activation.tanh } as const;
export type PeerHidden = keyof typeof PEER_HIDDEN;

/** The activation of every hidden layer of a classifierSpec network (softmax, cross-entropy), or undefined for any other network. */
export function classifierHidden(spec: NetSpec): PeerHidden | undefined {
  const hidden = spec.activations.slice(0, -1);
  if (spec.loss !== Loss.cross_entropy || spec.activations.at(-1) !== Activation.softmax) return undefined;
  return (Object.keys(PEER_HIDDEN) as PeerHidden[]).find((name) => hidden.every((a) => a === PEER_HIDDEN[name]));
}

export const isClassifier = (spec: NetSpec): boolean => classifierHidden(spec) !== undefined;

/** '784-128-10' (ReLU classifier), '784-128-10 tanh', '784-128-10 sigmoid/½sse' */
export function shapeName(spec: NetSpec): string {
  const hidden = classifierHidden(spec);
  return spec.sizes.join('-') + (hidden === 'relu' ? '' : hidden === undefined ? ' sigmoid/½sse' : ` ${hidden}`);
}

/** Multiply-adds of one sample's forward pass through dense layers of these sizes, per layer. */
const layerMacs = (sizes: readonly number[]): number[] => sizes.slice(1).map((units, l) => sizes[l]! * units);

/** Floating-point operations of one sample's forward pass (a multiply-add counts two). */
export function forwardFlopsPerSample(sizes: readonly number[]): number {
  return 2 * layerMacs(sizes).reduce((sum, m) => sum + m, 0);
}

/**
 * Floating-point operations of one sample's training step: the forward pass, the weight gradients
 * of every layer and the input gradients of every layer but the first (each as many as the
 * layer's forward pass). The element-wise work is left out: it is not what the FMA peak bounds.
 */
export function trainFlopsPerSample(sizes: readonly number[]): number {
  return 3 * forwardFlopsPerSample(sizes) - 2 * layerMacs(sizes)[0]!;
}

/** Steps whose losses every contender must reproduce before it is timed. */
export const VALIDATION_STEPS = 5;

export interface TrainCase {
  spec: NetSpec;
  batch: number;
  optimizer: OptimizerName;
  opt: OptimizerParams;
  params: Float32Array;
  data: Classification;
  /** Samples per timed call (one call runs data.rows / batch steps). */
  samplesPerCall: number;
  /**
   * The shuffled order every contender takes the timed call's rows in, as a real epoch does: each
   * gathers its batches its own best way (mlpx reads the rows in place, numpy np.take's them into
   * preallocated arrays, tfjs and brain.js get them gathered before timing starts).
   */
  order: Uint32Array;
  /** Losses of the first VALIDATION_STEPS steps on batches 0, 1, … from `params`. */
  referenceLosses: number[];
}

export function trainCase(spec: NetSpec, batch: number, optimizer: OptimizerName, samplesPerCall: number): TrainCase {
  const data = classification(Math.max(samplesPerCall, batch * VALIDATION_STEPS), spec.sizes[0]!, spec.sizes[spec.sizes.length - 1]!, 7);
  const params = initParams(spec.sizes, 3);
  const opt = OPTIMIZERS[optimizer];
  const order = permutation(samplesPerCall, 1);
  const c: TrainCase = { spec, batch, optimizer, opt, params, data, samplesPerCall, order, referenceLosses: [] };
  c.referenceLosses = validationLosses(createJsBackend().createEngine(spec), c);
  return c;
}

/** Run the validation steps on an mlpx engine (params must be the case's initial ones). */
export function validationLosses(engine: Engine, c: TrainCase): number[] {
  const { inputs, classes } = c.data;
  engine.writeParams(c.params);
  engine.setOptimizer(c.opt.kind);
  engine.reserve(c.batch);
  const stats = new Float64Array(STATS_PER_BATCH);
  const losses: number[] = [];
  for (let step = 0; step < VALIDATION_STEPS; step++) {
    const x = c.data.x.subarray(step * c.batch * inputs, (step + 1) * c.batch * inputs);
    const y = c.data.y.subarray(step * c.batch * classes, (step + 1) * c.batch * classes);
    engine.trainStep(x, y, c.batch, c.opt, step + 1, stats);
    losses.push(stats[STAT_LOSS]!);
  }
  return losses;
}

export interface InferCase {
  spec: NetSpec;
  batch: number;
  params: Float32Array;
  x: Float32Array;
  /** The js backend's output for x (batch × outputs). */
  reference: Float32Array;
}

export function inferCase(spec: NetSpec, batch: number): InferCase {
  const params = initParams(spec.sizes, 5);
  const x = classification(batch, spec.sizes[0]!, spec.sizes[spec.sizes.length - 1]!, 9).x;
  const engine = createJsBackend().createEngine(spec);
  engine.writeParams(params);
  engine.reserve(batch);
  const reference = new Float32Array(batch * spec.sizes[spec.sizes.length - 1]!);
  engine.forward(x, batch, reference);
  return { spec, batch, params, x, reference };
}
