// ONNX models built message by message with protobufjs and the official schema, the way other
// exporters write them: PyTorch's torch.onnx.export of nn.Sequential(Linear, ReLU, Linear)
// (Gemm with transB = 1 on [out, in] weights, raw_data initializers, a named dynamic batch
// dimension) and tf2onnx's conversion of a Keras Sequential model (MatMul + Add, Identity on the
// output, float_data initializers, opset 13).
import { ModelProto } from '../../src/interop/onnx-proto.js';
import { Random } from '../../src/util/prng.js';

export interface Dense { weights: Float32Array; biases: Float32Array; inputs: number; units: number }

/** Seeded weights for a dense layer: inputs × units row-major (mlpx's layout). */
export function randomDense(inputs: number, units: number, seed: number): Dense {
  const random = new Random(seed);
  return {
    inputs, units,
    weights: Float32Array.from({ length: inputs * units }, () => random.uniform(-1, 1)),
    biases: Float32Array.from({ length: units }, () => random.uniform(-0.5, 0.5)),
  };
}

/** [out, in] from mlpx's [in, out] — PyTorch's nn.Linear weight layout. */
function transposed(d: Dense): Float32Array {
  const out = new Float32Array(d.inputs * d.units);
  for (let i = 0; i < d.inputs; i++) for (let j = 0; j < d.units; j++) out[j * d.inputs + i] = d.weights[i * d.units + j]!;
  return out;
}

const rawTensor = (name: string, dims: number[], values: Float32Array) => ({ name, dims, data_type: 1, raw_data: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)) });
const floatTensor = (name: string, dims: number[], values: Float32Array) => ({ name, dims, data_type: 1, float_data: Array.from(values) });
const tensorInfo = (name: string, batch: string, width: number) => ({
  name, type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_param: batch }, { dim_value: width }] } } },
});

export interface ModelFields { graph: Record<string, unknown>; opset?: number; producer?: string; ir?: number }

export function encodeModel({ graph, opset = 13, producer = 'test', ir = 7 }: ModelFields): Uint8Array {
  return ModelProto.encode(ModelProto.fromObject({ ir_version: ir, producer_name: producer, opset_import: [{ domain: '', version: opset }], graph })).finish();
}

/** nn.Sequential(Linear(a, b), ReLU(), Linear(b, c)) as torch.onnx.export writes it (dynamic_axes on the batch). */
export function pytorchGraph(first: Dense, second: Dense) {
  return {
    name: 'main_graph',
    node: [
      { name: '/0/Gemm', op_type: 'Gemm', input: ['input', '0.weight', '0.bias'], output: ['/0/Gemm_output_0'], attribute: [{ name: 'alpha', type: 1, f: 1 }, { name: 'beta', type: 1, f: 1 }, { name: 'transB', type: 2, i: 1 }] },
      { name: '/1/Relu', op_type: 'Relu', input: ['/0/Gemm_output_0'], output: ['/1/Relu_output_0'] },
      { name: '/2/Gemm', op_type: 'Gemm', input: ['/1/Relu_output_0', '2.weight', '2.bias'], output: ['output'], attribute: [{ name: 'alpha', type: 1, f: 1 }, { name: 'beta', type: 1, f: 1 }, { name: 'transB', type: 2, i: 1 }] },
    ],
    initializer: [
      rawTensor('0.weight', [first.units, first.inputs], transposed(first)), rawTensor('0.bias', [first.units], first.biases),
      rawTensor('2.weight', [second.units, second.inputs], transposed(second)), rawTensor('2.bias', [second.units], second.biases),
    ],
    input: [tensorInfo('input', 'batch_size', first.inputs)],
    output: [tensorInfo('output', 'batch_size', second.units)],
  };
}

export function pytorchModel(first: Dense, second: Dense): Uint8Array {
  return encodeModel({ graph: pytorchGraph(first, second), opset: 17, producer: 'pytorch', ir: 8 });
}

/** Sequential([Dense(b, relu), Dense(c, softmax)]) as tf2onnx converts it (the bias Add takes the bias first in layer 2). */
export function tf2onnxModel(first: Dense, second: Dense): Uint8Array {
  return encodeModel({
    producer: 'tf2onnx',
    graph: {
      name: 'tf2onnx',
      node: [
        { name: 'sequential/dense/MatMul', op_type: 'MatMul', input: ['dense_input', 'sequential/dense/MatMul/ReadVariableOp:0'], output: ['sequential/dense/MatMul:0'] },
        { name: 'sequential/dense/BiasAdd', op_type: 'Add', input: ['sequential/dense/MatMul:0', 'sequential/dense/BiasAdd/ReadVariableOp:0'], output: ['sequential/dense/BiasAdd:0'] },
        { name: 'sequential/dense/Relu', op_type: 'Relu', input: ['sequential/dense/BiasAdd:0'], output: ['sequential/dense/Relu:0'] },
        { name: 'sequential/dense_1/MatMul', op_type: 'MatMul', input: ['sequential/dense/Relu:0', 'sequential/dense_1/MatMul/ReadVariableOp:0'], output: ['sequential/dense_1/MatMul:0'] },
        { name: 'sequential/dense_1/BiasAdd', op_type: 'Add', input: ['sequential/dense_1/BiasAdd/ReadVariableOp:0', 'sequential/dense_1/MatMul:0'], output: ['sequential/dense_1/BiasAdd:0'] },
        { name: 'sequential/dense_1/Softmax', op_type: 'Softmax', input: ['sequential/dense_1/BiasAdd:0'], output: ['sequential/dense_1/Softmax:0'], attribute: [{ name: 'axis', type: 2, i: -1 }] },
        { name: 'Identity', op_type: 'Identity', input: ['sequential/dense_1/Softmax:0'], output: ['dense_1'] },
      ],
      initializer: [
        floatTensor('sequential/dense/MatMul/ReadVariableOp:0', [first.inputs, first.units], first.weights),
        floatTensor('sequential/dense/BiasAdd/ReadVariableOp:0', [first.units], first.biases),
        floatTensor('sequential/dense_1/MatMul/ReadVariableOp:0', [second.inputs, second.units], second.weights),
        floatTensor('sequential/dense_1/BiasAdd/ReadVariableOp:0', [second.units], second.biases),
      ],
      input: [tensorInfo('dense_input', 'unk__6', first.inputs)],
      output: [tensorInfo('dense_1', 'unk__7', second.units)],
    },
  });
}
