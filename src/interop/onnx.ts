// ONNX export. The graph, for input `input` of shape [batch, inputs] (batch a symbolic dimension):
//
//   Sub(input, standardize.mean) → Div(·, standardize.std)       when the network standardises
//   per layer l: Gemm(·, dense_l.W, dense_l.b) → activation       W stored inputs × units (transB = 0)
//   activations: Relu, Sigmoid, Tanh, LeakyRelu(alpha 0.01), Softmax(axis −1); linear writes none
//
// ending in `output` [batch, outputs] (probabilities for softmax/sigmoid outputs). The loss, the
// column names and the class names go into metadata_props (mlpx.loss, mlpx.features, mlpx.target,
// mlpx.classes as JSON), which Network.fromOnnx reads back. Opset 13, IR version 7.
import { LEAKY_SLOPE, type ActivationName } from '../backend/kernels.js';
import { denseLayers, float32Bytes, type NetworkParts } from './layers.js';
import { ATTRIBUTE, FLOAT, IR_VERSION, ModelProto, OPSET } from './onnx-proto.js';

export const INPUT_NAME = 'input';
export const OUTPUT_NAME = 'output';
export const BATCH_DIM = 'batch';

const ACTIVATION_OPS: Readonly<Record<ActivationName, string | null>> = {
  linear: null, sigmoid: 'Sigmoid', tanh: 'Tanh', relu: 'Relu', leaky_relu: 'LeakyRelu', softmax: 'Softmax',
};

interface Node { op_type: string; name: string; input: string[]; output: string[]; attribute?: object[] }

function tensor(name: string, dims: number[], values: Float32Array) {
  return { name, dims, data_type: FLOAT, raw_data: float32Bytes([values]) };
}

function valueInfo(name: string, width: number) {
  return { name, type: { tensor_type: { elem_type: FLOAT, shape: { dim: [{ dim_param: BATCH_DIM }, { dim_value: width }] } } } };
}

export function encodeOnnx(parts: NetworkParts): Uint8Array {
  const { architecture, schema } = parts;
  const nodes: Node[] = [];
  const initializers: object[] = [];
  let current = INPUT_NAME;
  // each node writes a fresh tensor; the last one is renamed to the graph output
  const add = (op_type: string, name: string, inputs: string[], attribute?: object[]): void => {
    const output = `${name}/out`;
    nodes.push({ op_type, name, input: [current, ...inputs], output: [output], ...(attribute ? { attribute } : {}) });
    current = output;
  };
  if (schema.standardization !== null) {
    initializers.push(tensor('standardize.mean', [architecture.inputs], schema.standardization.mean));
    initializers.push(tensor('standardize.std', [architecture.inputs], schema.standardization.std));
    add('Sub', 'standardize/sub', ['standardize.mean']);
    add('Div', 'standardize/div', ['standardize.std']);
  }
  denseLayers(parts).forEach((layer, l) => {
    const name = `dense${l + 1}`;
    initializers.push(tensor(`${name}.W`, [layer.inputs, layer.units], layer.weights));
    initializers.push(tensor(`${name}.b`, [layer.units], layer.biases));
    add('Gemm', `${name}/gemm`, [`${name}.W`, `${name}.b`]);
    const op = ACTIVATION_OPS[layer.activation];
    if (op === 'LeakyRelu') add(op, `${name}/${op}`, [], [{ name: 'alpha', type: ATTRIBUTE.FLOAT, f: LEAKY_SLOPE }]);
    else if (op === 'Softmax') add(op, `${name}/${op}`, [], [{ name: 'axis', type: ATTRIBUTE.INT, i: -1 }]);
    else if (op !== null) add(op, `${name}/${op}`, []);
  });
  nodes.at(-1)!.output = [OUTPUT_NAME];
  const metadata = [
    ['mlpx.loss', architecture.loss],
    ...(schema.features === null ? [] : [['mlpx.features', JSON.stringify(schema.features)]]),
    ...(schema.target === null ? [] : [['mlpx.target', schema.target]]),
    ...(schema.classes === null ? [] : [['mlpx.classes', JSON.stringify(schema.classes)]]),
  ].map(([key, value]) => ({ key, value }));
  const outputs = architecture.layers.at(-1)!.units;
  const model = ModelProto.fromObject({
    ir_version: IR_VERSION,
    opset_import: [{ domain: '', version: OPSET }],
    producer_name: 'mlpx',
    graph: { name: 'mlpx', node: nodes, initializer: initializers, input: [valueInfo(INPUT_NAME, architecture.inputs)], output: [valueInfo(OUTPUT_NAME, outputs)] },
    metadata_props: metadata,
  });
  // a copy: in Node, protobufjs hands out a Buffer that may be a slice of a shared pool, whose
  // .buffer would expose unrelated memory to a caller who writes it out
  return new Uint8Array(ModelProto.encode(model).finish());
}
