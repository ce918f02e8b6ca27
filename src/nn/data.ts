// Training and evaluation data as a network sees it: validated once (shapes, finite values, label
// range, targets the loss is defined for), and split into training and validation rows.
import { DataError } from '../util/errors.js';
import { Random } from '../util/prng.js';
import { requireMatrix, requireTargets } from '../util/validate.js';
import type { Architecture } from './architecture.js';

export interface Samples {
  readonly x: Float32Array;
  /** dense targets, rows × outputs */
  readonly y: Float32Array;
  readonly rows: number;
}

/** Softmax rows sum to 1; cross-entropy's fused gradient (p − y) is the loss's gradient only when the targets' rows do too. */
const ROW_SUM_TOLERANCE = 1e-3;

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
 * meaningless loss); softmax with cross-entropy also needs every row to sum to 1.
 */
function requireTargetsForLoss(arch: Architecture, y: Float32Array, name: string, outputs: number): void {
  if (arch.loss !== 'cross_entropy' && arch.loss !== 'binary_cross_entropy') return;
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (v < 0 || v > 1) {
      throw new DataError(`${name} has ${v} at row ${Math.floor(i / outputs)}, column ${i % outputs}: ${arch.loss} needs targets in [0, 1]`);
    }
  }
  if (arch.loss !== 'cross_entropy' || arch.layers[arch.layers.length - 1]!.activation !== 'softmax') return;
  for (let row = 0; row < y.length / outputs; row++) {
    let sum = 0;
    for (let j = 0; j < outputs; j++) sum += y[row * outputs + j]!;
    if (Math.abs(sum - 1) > ROW_SUM_TOLERANCE) {
      throw new DataError(`${name} row ${row} sums to ${sum}: softmax with cross_entropy needs each row of targets to sum to 1 (one-hot or a distribution)`);
    }
  }
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
