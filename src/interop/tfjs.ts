// TF.js layers-format export: model.json's content (a Sequential of Dense layers) and weights.bin.
// Load it with
//   tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology,
//     weightSpecs: modelJson.weightsManifest[0].weights, weightData: weights.buffer }))
// or write both files to a folder and load model.json from there.
//
// TF.js has no standardisation layer, so a network's standardisation is folded into the first
// Dense layer (W / std, b − Σ mean/std · W, computed in float64); the function is the same, and the
// rounding of the folded weights grows with |mean| / std. leaky_relu becomes Dense(linear) +
// LeakyReLU(alpha 0.01), since TF.js has no leaky-ReLU activation string. The loss, column names
// and class names go into userDefinedMetadata.mlpx.
import type { ActivationName } from '../backend/kernels.js';
import { LEAKY_SLOPE } from '../backend/kernels.js';
import { denseLayers, float32Bytes, foldStandardization, type NetworkParts } from './layers.js';

export const WEIGHTS_FILE = 'weights.bin';

export interface TfjsWeightSpec { name: string; shape: number[]; dtype: 'float32' }

export interface TfjsModelJson {
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
  modelTopology: { class_name: 'Sequential'; config: { name: string; layers: { class_name: string; config: Record<string, unknown> }[] }; keras_version: string; backend: string };
  weightsManifest: { paths: string[]; weights: TfjsWeightSpec[] }[];
  userDefinedMetadata: { mlpx: Record<string, unknown> };
}

export interface TfjsModel {
  /** the content of model.json */
  modelJson: TfjsModelJson;
  /** the content of weights.bin: every layer's kernel then bias, float32 little-endian */
  weights: Uint8Array;
}

const TFJS_ACTIVATIONS: Readonly<Record<ActivationName, string>> = {
  linear: 'linear', sigmoid: 'sigmoid', tanh: 'tanh', relu: 'relu', leaky_relu: 'linear', softmax: 'softmax',
};

export function toTfjs(parts: NetworkParts): TfjsModel {
  const dense = denseLayers(parts);
  dense[0] = foldStandardization(dense[0]!, parts.schema);
  const layers: TfjsModelJson['modelTopology']['config']['layers'] = [];
  const specs: TfjsWeightSpec[] = [];
  dense.forEach((layer, l) => {
    const name = `dense_${l + 1}`;
    layers.push({
      class_name: 'Dense',
      config: {
        name, trainable: true, dtype: 'float32', units: layer.units, activation: TFJS_ACTIVATIONS[layer.activation], use_bias: true,
        ...(l === 0 ? { batch_input_shape: [null, layer.inputs] } : {}),
      },
    });
    if (layer.activation === 'leaky_relu') layers.push({ class_name: 'LeakyReLU', config: { name: `leaky_re_lu_${l + 1}`, trainable: true, dtype: 'float32', alpha: LEAKY_SLOPE } });
    specs.push({ name: `${name}/kernel`, shape: [layer.inputs, layer.units], dtype: 'float32' }, { name: `${name}/bias`, shape: [layer.units], dtype: 'float32' });
  });
  const { schema } = parts;
  return {
    modelJson: {
      format: 'layers-model', generatedBy: 'mlpx', convertedBy: null,
      modelTopology: { class_name: 'Sequential', config: { name: 'mlpx', layers }, keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' },
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: specs }],
      userDefinedMetadata: { mlpx: { loss: parts.architecture.loss, features: schema.features, target: schema.target, classes: schema.classes } },
    },
    weights: float32Bytes(dense.flatMap((layer) => [layer.weights, layer.biases])),
  };
}
