// TF.js layers-format import (model.json as TF.js or tensorflowjs_converter writes it, and the
// weights in manifest order).
//
// Read: a Sequential model (modelTopology, or modelTopology.model_config) of
//   - Dense layers: activation linear, relu, sigmoid, tanh or softmax; with or without bias;
//   - an optional InputLayer, and Flatten as the first layer (its input shape flattened);
//   - Activation layers and LeakyReLU(alpha 0.01) directly after a linear Dense layer.
// Refused, each with a FormatError naming the layer: functional (non-Sequential) models; any other
// layer class (Dropout, BatchNormalization, Conv…, …); other activations (elu, selu, gelu, swish,
// softplus, relu6, …); LeakyReLU with another alpha; regularizers or constraints on a Dense
// layer (training here would not honour them); dtypes other than float32; quantized weights.
import { LEAKY_SLOPE, type ActivationName, type LossName } from '../backend/kernels.js';
import { FormatError } from '../util/errors.js';
import type { SavedNetwork } from '../nn/serialize.js';
import { importedNetwork, lossFor, type DenseLayer } from './layers.js';

const SOURCE = 'TF.js model';
const ACTIVATIONS: Readonly<Record<string, ActivationName>> = { linear: 'linear', relu: 'relu', sigmoid: 'sigmoid', tanh: 'tanh', softmax: 'softmax' };
const REFUSED_DENSE_OPTIONS = ['kernel_regularizer', 'bias_regularizer', 'activity_regularizer', 'kernel_constraint', 'bias_constraint'];

type Json = Record<string, unknown>;
const fail = (what: string): never => {
  throw new FormatError(`${SOURCE}: ${what}`);
};
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

export function decodeTfjs(modelJson: unknown, weights: Uint8Array | ArrayBuffer, loss?: LossName): SavedNetwork {
  if (!isObject(modelJson) || !isObject(modelJson.modelTopology)) return fail('model.json has no modelTopology object');
  const topology = isObject(modelJson.modelTopology.model_config) ? modelJson.modelTopology.model_config : modelJson.modelTopology;
  if (topology.class_name !== 'Sequential') fail(`only Sequential models are read; this one is ${String(topology.class_name)}`);
  const config = topology.config;
  const layerList = Array.isArray(config) ? config : isObject(config) && Array.isArray(config.layers) ? config.layers : fail('the Sequential model lists no layers');
  const bytes = weights instanceof ArrayBuffer ? new Uint8Array(weights) : weights instanceof Uint8Array ? weights : fail('weights must be a Uint8Array or ArrayBuffer');
  const stored = readWeights(modelJson.weightsManifest, bytes);

  const layers: DenseLayer[] = [];
  let width: number | null = null;
  let activated = false;
  (layerList as unknown[]).forEach((entry, index) => {
    const layer = isObject(entry) ? entry : fail(`layer ${index} is not an object`);
    const layerConfig = isObject(layer.config) ? layer.config : {};
    const name = typeof layerConfig.name === 'string' ? layerConfig.name : `#${index}`;
    const where = `layer '${name}' (${String(layer.class_name)})`;
    if (layerConfig.dtype !== undefined && layerConfig.dtype !== 'float32') fail(`${where} has dtype ${String(layerConfig.dtype)}; only float32 is read`);
    const shape = layerConfig.batch_input_shape ?? layerConfig.batch_shape;
    if (shape !== undefined) {
      if (layers.length > 0) fail(`${where} declares an input shape after the first layer`);
      const dims = Array.isArray(shape) ? shape.slice(1) : [];
      if (dims.length === 0 || dims.some((d) => !Number.isInteger(d) || (d as number) < 1)) fail(`${where}: input shape ${JSON.stringify(shape)} is not [null, features]`);
      if (dims.length > 1 && layer.class_name !== 'Flatten' && layer.class_name !== 'InputLayer') fail(`${where}: input shape ${JSON.stringify(shape)} has more than one feature dimension`);
      width = (dims as number[]).reduce((a, b) => a * b, 1);
    }
    const activation = (value: unknown): ActivationName =>
      ACTIVATIONS[String(value ?? 'linear')] ?? fail(`${where}: activation '${String(value)}' is refused (mlpx reads ${Object.keys(ACTIVATIONS).join(', ')})`);
    const amendLast = (to: ActivationName) => {
      if (layers.length === 0 || activated || layers.at(-1)!.activation !== 'linear') fail(`${where} must follow a Dense layer with linear activation`);
      layers.at(-1)!.activation = to;
      activated = true;
    };
    switch (layer.class_name) {
      case 'InputLayer':
        break;
      case 'Flatten':
        if (layers.length > 0) fail(`${where}: Flatten is read only as the first layer`);
        break;
      case 'Dense': {
        for (const option of REFUSED_DENSE_OPTIONS) {
          if (layerConfig[option] !== undefined && layerConfig[option] !== null) fail(`${where} has a ${option}, which mlpx's training would not honour`);
        }
        const units = Number.isInteger(layerConfig.units) && (layerConfig.units as number) >= 1 ? layerConfig.units as number : fail(`${where}: units ${String(layerConfig.units)} is not an integer ≥ 1`);
        const kernel = stored.take(name, 'kernel', where);
        if (kernel.shape.length !== 2 || kernel.shape[1] !== units) fail(`${where}: kernel has shape [${kernel.shape.join(', ')}]; expected [inputs, ${units}]`);
        const fanIn = kernel.shape[0]!;
        if (width !== null && fanIn !== width) fail(`${where}: kernel takes ${fanIn} inputs but the layer before gives ${width}`);
        const useBias = layerConfig.use_bias !== false;
        const bias = useBias ? stored.take(name, 'bias', where) : null;
        if (bias !== null && (bias.shape.length !== 1 || bias.shape[0] !== units)) fail(`${where}: bias has shape [${bias.shape.join(', ')}]; expected [${units}]`);
        layers.push({ inputs: fanIn, units, weights: kernel.values, biases: bias?.values ?? new Float32Array(units), activation: activation(layerConfig.activation) });
        activated = layers.at(-1)!.activation !== 'linear';
        width = units;
        break;
      }
      case 'Activation':
        amendLast(activation(layerConfig.activation));
        break;
      case 'LeakyReLU': {
        const alpha = typeof layerConfig.alpha === 'number' ? layerConfig.alpha : 0.3; // TF.js's default
        if (Math.fround(alpha) !== Math.fround(LEAKY_SLOPE)) fail(`${where}: alpha ${alpha} is refused (mlpx's leaky ReLU has slope ${LEAKY_SLOPE})`);
        amendLast('leaky_relu');
        break;
      }
      default:
        fail(`${where} is refused: mlpx reads Sequential models of Dense layers (with InputLayer, Flatten first, Activation, LeakyReLU)`);
    }
  });
  const unused = stored.unused();
  if (unused.length > 0) fail(`weights ${unused.join(', ')} belong to no Dense layer`);
  const metadata = isObject(modelJson.userDefinedMetadata) && isObject(modelJson.userDefinedMetadata.mlpx) ? modelJson.userDefinedMetadata.mlpx : {};
  const named = (key: string) => (metadata[key] === undefined ? null : metadata[key]) as never;
  return importedNetwork(SOURCE, layers, loss ?? (typeof metadata.loss === 'string' ? metadata.loss as LossName : lossFor(layers.at(-1)?.activation ?? 'linear')), {
    features: named('features'), target: named('target'), classes: named('classes'),
  });
}

interface StoredWeight { shape: number[]; values: Float32Array }

/** The manifest's weights, read from the bytes in manifest order, looked up by layer name. */
function readWeights(manifest: unknown, bytes: Uint8Array) {
  if (!Array.isArray(manifest)) fail('model.json has no weightsManifest');
  const specs = (manifest as unknown[]).flatMap((group) => (isObject(group) && Array.isArray(group.weights) ? group.weights : fail('weightsManifest has a group without weights')) as unknown[]);
  const found = new Map<string, StoredWeight>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  for (const spec of specs) {
    if (!isObject(spec) || typeof spec.name !== 'string' || !Array.isArray(spec.shape)) return fail('weightsManifest has an entry without name and shape');
    if (spec.dtype !== 'float32') fail(`weight ${spec.name} has dtype ${String(spec.dtype)}; only float32 is read`);
    if (spec.quantization !== undefined) fail(`weight ${spec.name} is quantized, which mlpx does not read`);
    const shape = spec.shape as unknown[];
    if (shape.some((d) => !Number.isInteger(d) || (d as number) < 0)) fail(`weight ${spec.name} has shape ${JSON.stringify(shape)}`);
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (offset + 4 * count > bytes.length) fail(`weights hold ${bytes.length} bytes, fewer than the manifest's weights need (at ${spec.name})`);
    const values = new Float32Array(count);
    for (let i = 0; i < count; i++, offset += 4) values[i] = view.getFloat32(offset, true);
    found.set(spec.name, { shape: shape as number[], values });
  }
  if (offset !== bytes.length) fail(`weights hold ${bytes.length} bytes but the manifest describes ${offset}`);
  return {
    /** `dense_1/kernel`, or a name ending `/dense_1/kernel` (converted Keras models prefix the model's name) */
    take(layer: string, kind: string, where: string): StoredWeight {
      const key = [...found.keys()].find((k) => k === `${layer}/${kind}` || k.endsWith(`/${layer}/${kind}`));
      if (key === undefined) return fail(`${where}: no ${kind} weights named ${layer}/${kind} in the manifest`);
      const weight = found.get(key)!;
      found.delete(key);
      return weight;
    },
    unused: () => [...found.keys()],
  };
}
