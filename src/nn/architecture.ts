// The user-facing description of a network, validated and turned into the kernels' NetSpec.
import { Activation, Loss, type ActivationName, type LossName } from '../backend/kernels.js';
import type { NetSpec } from '../backend/layout.js';
import { InvalidArgumentError, invalidArgument } from '../util/errors.js';
import { requireInteger, requireKnownKeys, requireOneOf } from '../util/validate.js';

export type InitName = 'uniform' | 'xavier' | 'he';
export const INIT_NAMES: readonly InitName[] = ['uniform', 'xavier', 'he'];
export const ACTIVATION_NAMES = Object.keys(Activation) as ActivationName[];
export const LOSS_NAMES = Object.keys(Loss) as LossName[];

export interface LayerOptions {
  units: number;
  /** default 'relu' for hidden layers; the output layer must say */
  activation?: ActivationName;
  /**
   * Hidden layers: the fraction of this layer's outputs dropped at each training step, in
   * [0, 1) (inverted dropout: the kept ones are scaled by 1 / (1 − rate)). predict and evaluate
   * never drop. Default 0.
   */
  dropout?: number;
}

export interface Architecture {
  inputs: number;
  /** `dropout` only on the hidden layers that have it */
  layers: { units: number; activation: ActivationName; dropout?: number }[];
  loss: LossName;
}

const LAYER_KEYS = ['units', 'activation', 'dropout'] as const satisfies readonly (keyof LayerOptions)[];

export function parseArchitecture(options: { inputs?: unknown; layers?: unknown; loss?: unknown }): Architecture {
  const inputs = requireInteger(options.inputs, 'inputs', 1);
  if (!Array.isArray(options.layers) || options.layers.length === 0) throw invalidArgument('layers', 'a non-empty array of { units, activation }', options.layers);
  const layers = options.layers.map((layer: unknown, i: number) => {
    const where = `layers[${i}]`;
    if (typeof layer !== 'object' || layer === null || Array.isArray(layer)) throw invalidArgument(where, '{ units, activation, dropout? }', layer);
    requireKnownKeys(layer as Record<string, unknown>, where, LAYER_KEYS);
    const { units, activation, dropout } = layer as LayerOptions;
    const isOutput = i === (options.layers as unknown[]).length - 1;
    if (isOutput && activation === undefined) throw invalidArgument(`${where}.activation`, `the output layer's activation (${ACTIVATION_NAMES.join(', ')})`, activation);
    const parsed = {
      units: requireInteger(units, `${where}.units`, 1),
      activation: requireOneOf(activation ?? 'relu', `${where}.activation`, ACTIVATION_NAMES),
    };
    if (dropout === undefined || dropout === 0) return parsed;
    if (typeof dropout !== 'number' || !(dropout > 0 && dropout < 1)) throw invalidArgument(`${where}.dropout`, 'a rate in [0, 1)', dropout);
    if (isOutput) throw new InvalidArgumentError(`${where}.dropout: only hidden layers drop (the output layer is what the loss sees)`);
    return { ...parsed, dropout };
  });
  const loss = requireOneOf(options.loss, 'loss', LOSS_NAMES);
  layers.slice(0, -1).forEach((layer, i) => {
    if (layer.activation === 'softmax') throw new InvalidArgumentError(`layers[${i}].activation: softmax is only supported on the output layer`);
  });
  return { inputs, layers, loss };
}

/** The kernels' view of an architecture; `seed` seeds the dropout masks. */
export function toNetSpec(arch: Architecture, seed = 0): NetSpec {
  return {
    sizes: [arch.inputs, ...arch.layers.map((l) => l.units)],
    activations: arch.layers.map((l) => Activation[l.activation]),
    loss: Loss[arch.loss],
    dropout: arch.layers.map((l) => l.dropout ?? 0),
    seed,
  };
}

export const hasDropout = (arch: Architecture): boolean => arch.layers.some((l) => (l.dropout ?? 0) > 0);

/** Accuracy is meaningful when the outputs are class scores or probabilities. */
export function isClassifier(arch: Architecture): boolean {
  const last = arch.layers[arch.layers.length - 1]!.activation;
  return arch.loss === 'cross_entropy' || arch.loss === 'binary_cross_entropy' || last === 'softmax' || last === 'sigmoid';
}

/** `784 → 128 relu (dropout 0.2) → 10 softmax · cross_entropy` */
export function describeArchitecture(arch: Architecture): string {
  const layer = (l: Architecture['layers'][number]) => `${l.units} ${l.activation}${l.dropout === undefined ? '' : ` (dropout ${l.dropout})`}`;
  return [String(arch.inputs), ...arch.layers.map(layer)].join(' → ') + ` · ${arch.loss}`;
}
