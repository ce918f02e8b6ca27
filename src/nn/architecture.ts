// The user-facing description of a network, validated and turned into the kernels' NetSpec.
import { Activation, Loss, type ActivationName, type LossName } from '../backend/kernels.js';
import type { NetSpec } from '../backend/layout.js';
import { InvalidArgumentError, invalidArgument } from '../util/errors.js';
import { requireInteger, requireOneOf } from '../util/validate.js';

export type InitName = 'uniform' | 'xavier' | 'he';
export const INIT_NAMES: readonly InitName[] = ['uniform', 'xavier', 'he'];
export const ACTIVATION_NAMES = Object.keys(Activation) as ActivationName[];
export const LOSS_NAMES = Object.keys(Loss) as LossName[];

export interface LayerOptions {
  units: number;
  /** default 'relu' for hidden layers; the output layer must say */
  activation?: ActivationName;
}

export interface Architecture {
  inputs: number;
  layers: { units: number; activation: ActivationName }[];
  loss: LossName;
}

export function parseArchitecture(options: { inputs?: unknown; layers?: unknown; loss?: unknown }): Architecture {
  const inputs = requireInteger(options.inputs, 'inputs', 1);
  if (!Array.isArray(options.layers) || options.layers.length === 0) throw invalidArgument('layers', 'a non-empty array of { units, activation }', options.layers);
  const layers = options.layers.map((layer: unknown, i: number) => {
    const where = `layers[${i}]`;
    if (typeof layer !== 'object' || layer === null) throw invalidArgument(where, '{ units, activation }', layer);
    const { units, activation } = layer as LayerOptions;
    const isOutput = i === (options.layers as unknown[]).length - 1;
    if (isOutput && activation === undefined) throw invalidArgument(`${where}.activation`, `the output layer's activation (${ACTIVATION_NAMES.join(', ')})`, activation);
    return {
      units: requireInteger(units, `${where}.units`, 1),
      activation: requireOneOf(activation ?? 'relu', `${where}.activation`, ACTIVATION_NAMES),
    };
  });
  const loss = requireOneOf(options.loss, 'loss', LOSS_NAMES);
  layers.slice(0, -1).forEach((layer, i) => {
    if (layer.activation === 'softmax') throw new InvalidArgumentError(`layers[${i}].activation: softmax is only supported on the output layer`);
  });
  return { inputs, layers, loss };
}

export function toNetSpec(arch: Architecture): NetSpec {
  return {
    sizes: [arch.inputs, ...arch.layers.map((l) => l.units)],
    activations: arch.layers.map((l) => Activation[l.activation]),
    loss: Loss[arch.loss],
  };
}

/** Accuracy is meaningful when the outputs are class scores or probabilities. */
export function isClassifier(arch: Architecture): boolean {
  const last = arch.layers[arch.layers.length - 1]!.activation;
  return arch.loss === 'cross_entropy' || arch.loss === 'binary_cross_entropy' || last === 'softmax' || last === 'sigmoid';
}

/** `784 → 128 relu → 10 softmax · cross_entropy` */
export function describeArchitecture(arch: Architecture): string {
  return [String(arch.inputs), ...arch.layers.map((l) => `${l.units} ${l.activation}`)].join(' → ') + ` · ${arch.loss}`;
}
