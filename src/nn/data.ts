// Training and evaluation data as a network sees it: validated once (shapes, finite values, label
// range, targets the loss is defined for, row and class weights), and split into training and
// validation rows.
import { DataError, InvalidArgumentError, invalidArgument } from '../util/errors.js';
import { Random } from '../util/prng.js';
import { requireFloat32NonNegative, requireMatrix, requireTargets } from '../util/validate.js';
import { isClassifier, type Architecture } from './architecture.js';
import { classCount } from './data-schema.js';

export interface Samples {
  readonly x: Float32Array;
  /** dense targets, rows × outputs */
  readonly y: Float32Array;
  readonly rows: number;
}

/** x (rows × inputs) and y (targets or class labels) for a network of this architecture. */
export function requireSamples(arch: Architecture, x: unknown, y: unknown, xName = 'x', yName = 'y'): Samples {
  const outputs = arch.layers[arch.layers.length - 1]!.units;
  const { data, rows } = requireMatrix(x, xName, arch.inputs);
  const targets = requireTargets(y, yName, rows, outputs);
  requireTargetsForLoss(arch, targets, yName, outputs);
  return { x: data, y: targets, rows };
}

/**
 * The log losses are defined for targets in [0, 1] (a target outside gives a negative or
 * meaningless loss). Rows of soft targets need not sum to 1: the output error of softmax with
 * cross-entropy is the exact p·Σy − y.
 */
function requireTargetsForLoss(arch: Architecture, y: Float32Array, name: string, outputs: number): void {
  if (arch.loss !== 'cross_entropy' && arch.loss !== 'binary_cross_entropy') return;
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (v < 0 || v > 1) {
      throw new DataError(`${name} has ${v} at row ${Math.floor(i / outputs)}, column ${i % outputs}: ${arch.loss} needs targets in [0, 1]`);
    }
  }
}

/** A row's class for class weights: its largest target (one output: 1 when ≥ ½). */
function rowClass(y: Float32Array, row: number, outputs: number): number {
  if (outputs === 1) return y[row]! >= 0.5 ? 1 : 0;
  let best = 0;
  for (let j = 1; j < outputs; j++) if (y[row * outputs + j]! > y[row * outputs + best]!) best = j;
  return best;
}

/**
 * Each row's loss weight: sampleWeight[row] (one per row of x) times classWeight of the row's
 * class (an array, or an object keyed by class index; classes left out weigh 1). Null when every
 * row weighs 1. `train` are the rows fit trains on: their weights may not all be 0.
 */
export function rowWeights(arch: Architecture, samples: Samples, train: Uint32Array, sampleWeight: unknown, classWeight: unknown): Float32Array | null {
  if (sampleWeight === undefined && classWeight === undefined) return null;
  const weights = new Float32Array(samples.rows).fill(1);
  if (sampleWeight !== undefined) {
    if (!(sampleWeight instanceof Float32Array || sampleWeight instanceof Float64Array || Array.isArray(sampleWeight)) || sampleWeight.length !== samples.rows) {
      throw invalidArgument('sampleWeight', `${samples.rows} weights, one per row (a Float32Array, Float64Array or array)`, sampleWeight);
    }
    for (let r = 0; r < samples.rows; r++) weights[r] = requireFloat32NonNegative(sampleWeight[r], `sampleWeight[${r}]`, DataError);
  }
  if (classWeight !== undefined) {
    if (!isClassifier(arch)) throw new InvalidArgumentError('classWeight needs a classifier (softmax or sigmoid output, or a cross-entropy loss)');
    if (typeof classWeight !== 'object' || classWeight === null) throw invalidArgument('classWeight', 'an array or an object of weights by class index', classWeight);
    const outputs = samples.y.length / samples.rows;
    const classes = classCount(outputs);
    const byClass = new Float64Array(classes).fill(1);
    for (const [key, value] of Object.entries(classWeight)) {
      const index = Number(key);
      if (!Number.isInteger(index) || index < 0 || index >= classes) throw invalidArgument('classWeight', `weights for classes 0..${classes - 1}`, key);
      byClass[index] = requireFloat32NonNegative(value, `classWeight[${key}]`, DataError);
    }
    for (let r = 0; r < samples.rows; r++) weights[r] = weights[r]! * byClass[rowClass(samples.y, r, outputs)]!;
  }
  if (train.every((row) => weights[row] === 0)) throw new DataError('sampleWeight and classWeight give every training row weight 0: nothing would be learnt');
  return weights.every((w) => w === 1) ? null : weights;
}

/** A seed for the validation split, derived from the network's seed: every fit holds out the same rows. */
function splitSeed(seed: number): number {
  return (Math.imul(seed ^ 0x2545f491, 0x9e3779b1) + 0x6a09e667) >>> 0;
}

/**
 * Hold out ⌊rows · fraction⌋ rows chosen by a seeded shuffle (not the last rows: sorted data
 * would get a validation set of one class). Both index lists are in ascending row order.
 */
export function splitRows(rows: number, fraction: number, seed: number): { train: Uint32Array; validation: Uint32Array } {
  const order = new Random(splitSeed(seed)).shuffle(Uint32Array.from({ length: rows }, (_, i) => i));
  const held = Math.floor(rows * fraction);
  return { train: order.slice(held).sort(), validation: order.slice(0, held).sort() };
}

/** The rows `indices` of samples, copied into contiguous arrays. */
export function gatherRows(samples: Samples, indices: Uint32Array): Samples {
  const inputs = samples.x.length / samples.rows;
  const outputs = samples.y.length / samples.rows;
  const x = new Float32Array(indices.length * inputs);
  const y = new Float32Array(indices.length * outputs);
  indices.forEach((row, i) => {
    x.set(samples.x.subarray(row * inputs, (row + 1) * inputs), i * inputs);
    y.set(samples.y.subarray(row * outputs, (row + 1) * outputs), i * outputs);
  });
  return { x, y, rows: indices.length };
}
