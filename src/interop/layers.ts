// What every exporter reads from a network and every importer builds: dense layers with their
// weights (inputs × units, row-major, as mlpx stores them), biases and activation.
import type { ActivationName, LossName } from '../backend/kernels.js';
import type { ParamLayout } from '../backend/layout.js';
import { FormatError, MlpxError } from '../util/errors.js';
import { parseArchitecture, type Architecture } from '../nn/architecture.js';
import { EMPTY_SCHEMA, requireDataSchema, type DataSchema, type DataSchemaOptions } from '../nn/data-schema.js';
import type { SavedNetwork } from '../nn/serialize.js';

/** A network as exporters see it. */
export interface NetworkParts {
  architecture: Architecture;
  params: Float32Array;
  layout: ParamLayout;
  schema: DataSchema;
}

export interface DenseLayer {
  inputs: number;
  units: number;
  /** inputs × units, row-major */
  weights: Float32Array;
  biases: Float32Array;
  activation: ActivationName;
}

export function denseLayers(parts: NetworkParts): DenseLayer[] {
  return parts.layout.layers.map((slot, l) => ({
    inputs: slot.inputs, units: slot.units,
    weights: parts.params.subarray(slot.weightOffset, slot.biasOffset),
    biases: parts.params.subarray(slot.biasOffset, slot.biasOffset + slot.units),
    activation: parts.architecture.layers[l]!.activation,
  }));
}

/** The loss a model file that does not name one most likely trained with, from its output activation. */
export function lossFor(output: ActivationName): LossName {
  return output === 'softmax' ? 'cross_entropy' : output === 'sigmoid' ? 'binary_cross_entropy' : 'mse';
}

/**
 * An imported model as a network to restore: untrained state (no optimizer, step 0), the default
 * seed. Architecture and schema are checked as the library checks a user's; a refusal becomes a
 * FormatError naming `source`.
 */
export function importedNetwork(source: string, layers: readonly DenseLayer[], loss: LossName, schema: DataSchemaOptions): SavedNetwork {
  try {
    if (layers.length === 0) throw new FormatError(`${source}: no dense layer found`);
    const architecture = parseArchitecture({ inputs: layers[0]!.inputs, layers: layers.map(({ units, activation }) => ({ units, activation })), loss });
    const params = new Float32Array(layers.reduce((n, l) => n + l.inputs * l.units + l.units, 0));
    let offset = 0;
    for (const layer of layers) {
      for (const values of [layer.weights, layer.biases]) {
        const at = values.findIndex((v) => !Number.isFinite(v));
        if (at >= 0) throw new FormatError(`${source}: a weight of layer ${layers.indexOf(layer) + 1} is ${values[at]}`);
        params.set(values, offset);
        offset += values.length;
      }
    }
    return {
      architecture, init: undefined, seed: 1, training: { step: 0, epochsTrained: 0, optimizer: null },
      params, optimizerState: new Float32Array(0),
      schema: requireDataSchema(schema, EMPTY_SCHEMA, architecture, 'metadata'),
    };
  } catch (error) {
    if (error instanceof FormatError || !(error instanceof MlpxError)) throw error;
    throw new FormatError(`${source}: ${error.message}`);
  }
}

/** Fold a standardisation into the first layer (W' = W / std row-wise, b' = b − Σ mean/std · W), in float64. */
export function foldStandardization(layer: DenseLayer, schema: DataSchema): DenseLayer {
  const stats = schema.standardization;
  if (stats === null) return layer;
  const { inputs, units } = layer;
  const weights = new Float32Array(inputs * units);
  const biases = new Float64Array(layer.biases);
  for (let i = 0; i < inputs; i++) {
    const scale = 1 / stats.std[i]!;
    const shift = stats.mean[i]! * scale;
    for (let j = 0; j < units; j++) {
      const w = layer.weights[i * units + j]!;
      weights[i * units + j] = w * scale;
      biases[j] = biases[j]! - shift * w;
    }
  }
  return { ...layer, weights, biases: Float32Array.from(biases) };
}

/** Little-endian float32 bytes of the arrays, back to back. */
export function float32Bytes(arrays: readonly Float32Array[]): Uint8Array {
  const bytes = new Uint8Array(4 * arrays.reduce((n, a) => n + a.length, 0));
  const view = new DataView(bytes.buffer);
  let offset = 0;
  for (const array of arrays) {
    for (let i = 0; i < array.length; i++, offset += 4) view.setFloat32(offset, array[i]!, true);
  }
  return bytes;
}
