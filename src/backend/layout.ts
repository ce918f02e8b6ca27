// Where everything of one network lives in its flat buffers.
//
// Parameters: one Float32Array; layer l owns W(l) (inputs × units, row-major) followed by b(l)
// (units). Gradients use the identical layout, and optimizer state is `statePerParam` copies of
// it back to back, so every optimizer update is one loop over the whole vector.
import { invalidArgument, InvalidArgumentError } from '../util/errors.js';
import { requireCount } from '../util/validate.js';
import { dropoutThreshold } from './dropout.js';
import { Activation, OPTIMIZER_STATE_PER_PARAM, type ActivationId, type LossId } from './kernels.js';

/**
 * What the backends can index: layer sizes and parameter counts travel as 32-bit integers (the
 * packed spec, wasm pointers and counts, the addon's dimensions). Checked by the native addon
 * (layout().MAX_PARAMETERS) and by test/parity/layout.test.ts.
 */
export const MAX_LAYER_UNITS = 2 ** 31 - 1;
export const MAX_PARAMETERS = 2 ** 31 - 1;

/** The architecture as the kernels see it. */
export interface NetSpec {
  /** [inputs, units of layer 1, …, units of layer L] */
  readonly sizes: readonly number[];
  /** one per layer (length L) */
  readonly activations: readonly ActivationId[];
  readonly loss: LossId;
  /** dropout rate in [0, 1) per layer (length L; the output layer's 0), default none */
  readonly dropout?: readonly number[];
  /** seeds the dropout masks: an integer in [0, 2⁵³) (default 0) */
  readonly seed?: number;
}

export interface LayerSlot {
  readonly inputs: number;
  readonly units: number;
  /** offset of W(l) in the parameter vector */
  readonly weightOffset: number;
  /** offset of b(l) in the parameter vector */
  readonly biasOffset: number;
}

export interface ParamLayout {
  readonly layers: readonly LayerSlot[];
  readonly count: number;
}

export function paramLayout(sizes: readonly number[]): ParamLayout {
  const layers: LayerSlot[] = [];
  let offset = 0;
  for (let l = 1; l < sizes.length; l++) {
    const inputs = sizes[l - 1]!;
    const units = sizes[l]!;
    layers.push({ inputs, units, weightOffset: offset, biasOffset: offset + inputs * units });
    offset += inputs * units + units;
  }
  return { layers, count: offset };
}

/** The parameter count of `sizes`, refusing sizes and counts the backends cannot index. */
export function checkedParameterCount(sizes: readonly number[]): number {
  sizes.forEach((size, i) => {
    if (!Number.isInteger(size) || size < 1 || size > MAX_LAYER_UNITS) {
      throw invalidArgument(i === 0 ? 'inputs' : `layers[${i - 1}].units`, `an integer in [1, ${MAX_LAYER_UNITS}]`, size);
    }
  });
  let count = 0;
  for (let l = 1; l < sizes.length; l++) count += (sizes[l - 1]! + 1) * sizes[l]!;
  if (count > MAX_PARAMETERS) {
    throw new InvalidArgumentError(`The network has ${count} parameters; the backends hold at most ${MAX_PARAMETERS} (2^31 − 1)`);
  }
  return count;
}

const FLOAT_BYTES = 4;
const MAX_STATE_PER_PARAM = Math.max(...Object.values(OPTIMIZER_STATE_PER_PARAM));

/** What engineBytes counts, in words, for error messages. */
export const ENGINE_BYTES_HOLD = '4 bytes per parameter for the weights, the gradients and two floats of optimizer state';

/** Bytes of an engine's parameters, gradients and largest optimizer state (Adam's m and v). */
export function engineBytes(spec: NetSpec): number {
  return FLOAT_BYTES * paramLayout(spec.sizes).count * (2 + MAX_STATE_PER_PARAM);
}

/** Bytes of the workspace for batches of `rows` rows: every layer's z and a, two deltas, a staged batch and its row weights. */
export function workspaceBytes(spec: NetSpec, rows: number): number {
  const sizes = spec.sizes;
  const units = sizes.slice(1).reduce((sum, n) => sum + n, 0);
  return FLOAT_BYTES * rows * (2 * units + 2 * Math.max(...sizes) + sizes[0]! + sizes[sizes.length - 1]! + 1);
}

/** Fused output error (p − y)/m applies: softmax + cross-entropy, sigmoid + binary cross-entropy. */
export function usesFusedOutputDelta(spec: NetSpec): boolean {
  const last = spec.activations[spec.activations.length - 1];
  return (last === 5 && spec.loss === 3) || (last === 1 && spec.loss === 4);
}

/**
 * Dropout thresholds per layer (dropout.ts), checking the spec's rates and seed: a rate in [0, 1)
 * on a hidden layer with an element-wise activation, none on the output layer.
 */
export function dropoutThresholds(spec: NetSpec): number[] {
  const L = spec.activations.length;
  const rates = spec.dropout ?? new Array<number>(L).fill(0);
  if (rates.length !== L) throw invalidArgument('spec.dropout', `${L} rates, one per layer`, rates);
  requireCount(spec.seed ?? 0, 'spec.seed');
  return rates.map((rate, l) => {
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw invalidArgument(`spec.dropout[${l}]`, 'a rate in [0, 1)', rate);
    if (rate > 0 && l === L - 1) throw new InvalidArgumentError('spec.dropout: the output layer cannot have dropout');
    if (rate > 0 && spec.activations[l] === Activation.softmax) throw new InvalidArgumentError(`spec.dropout[${l}]: dropout needs an element-wise activation, not softmax`);
    return dropoutThreshold(rate);
  });
}

/**
 * The spec packed as Int32Array [L, loss, sizes(0..L), activations(1..L), dropout thresholds
 * (1..L, uint32 bits), seed low 32 bits, seed high bits] — the form handed to the native engine
 * so it decodes it as the others do.
 */
export function packSpec(spec: NetSpec): Int32Array {
  checkedParameterCount(spec.sizes);
  const thresholds = dropoutThresholds(spec);
  const L = spec.activations.length;
  const packed = new Int32Array(3 * L + 5);
  packed[0] = L;
  packed[1] = spec.loss;
  spec.sizes.forEach((s, i) => (packed[2 + i] = s));
  spec.activations.forEach((a, i) => (packed[3 + L + i] = a));
  thresholds.forEach((t, i) => (packed[3 + 2 * L + i] = t | 0));
  const seed = spec.seed ?? 0;
  packed[3 + 3 * L] = seed | 0;
  packed[4 + 3 * L] = Math.floor(seed / 2 ** 32) | 0;
  return packed;
}
