// ONNX out and in. Exported networks of every activation, loss and depth run in ONNX Runtime
// (onnxruntime-node) with mlpx's predictions; models written the way PyTorch and tf2onnx write
// them import, predict as ONNX Runtime does, and train further on every backend; graphs mlpx
// cannot compute are refused naming the node and the op.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { Network } from '../../src/index.js';
import { ModelProto } from '../../src/interop/onnx-proto.js';
import { FormatError } from '../../src/util/errors.js';
import { loadableBackendNames } from '../helpers/backends.js';
import { RELATIVE_TOLERANCE, worstRelativeError } from './compare.js';
import { encodeModel, pytorchGraph, pytorchModel, randomDense, tf2onnxModel } from './onnx-models.js';
import { INPUTS, randomRows, ROUND_TRIP_CASES, ROWS, trainedNetwork } from './round-trip-cases.js';

const backends = await loadableBackendNames();

async function runOrt(bytes: Uint8Array, inputName: string, x: Float32Array, rows: number, columns: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  const result = await session.run({ [inputName]: new ort.Tensor('float32', x, [rows, columns]) });
  await session.release();
  return result[session.outputNames[0]!]!.data as Float32Array;
}

describe('export → ONNX Runtime: the same predictions for every activation, loss and depth', () => {
  it.each(ROUND_TRIP_CASES)('$depth hidden $hidden layer(s), $output output, $loss', async (c) => {
    // every other case standardises its (offset) inputs, which the export writes as Sub/Div
    const { net, x } = await trainedNetwork(c, c.depth % 2 === 0);
    const bytes = await net.toOnnx();
    const fromOrt = await runOrt(bytes, 'input', x, ROWS, INPUTS);
    expect(worstRelativeError(fromOrt, net.predict(x))).toBeLessThanOrEqual(RELATIVE_TOLERANCE);

    const back = await Network.fromOnnx(bytes, { backend: 'js' });
    expect(back.architecture).toEqual(net.architecture);
    expect(back.getWeights()).toEqual(net.getWeights());
    expect(back.dataSchema).toEqual(net.dataSchema);
    expect(back.predict(x)).toEqual(net.predict(x));
  });

  it('writes opset 13, a symbolic batch dimension, Gemm layers, Sub/Div standardisation and the names as metadata', async () => {
    const net = await Network.create({ inputs: 3, layers: [{ units: 4, activation: 'leaky_relu' }, { units: 2, activation: 'softmax' }], loss: 'cross_entropy', backend: 'js' });
    const x = randomRows(10, 3, 1, 5);
    await net.fit(x, new Int32Array(10).map((_, i) => i % 2), { epochs: 1, standardize: true });
    net.setDataSchema({ features: ['a', 'b', 'c'], target: 'kind', classes: ['no', 'yes'] });
    const model = ModelProto.toObject(ModelProto.decode(await net.toOnnx()), { longs: Number }) as Record<string, any>;
    expect(model.opset_import).toEqual([{ domain: '', version: 13 }]);
    expect(model.graph.node.map((n: { op_type: string }) => n.op_type)).toEqual(['Sub', 'Div', 'Gemm', 'LeakyRelu', 'Gemm', 'Softmax']);
    expect(model.graph.input[0].type.tensor_type.shape.dim).toEqual([{ dim_param: 'batch' }, { dim_value: 3 }]);
    expect(model.graph.output[0].type.tensor_type.shape.dim).toEqual([{ dim_param: 'batch' }, { dim_value: 2 }]);
    expect(Object.fromEntries(model.metadata_props.map((p: { key: string; value: string }) => [p.key, p.value]))).toEqual({
      'mlpx.loss': 'cross_entropy', 'mlpx.features': '["a","b","c"]', 'mlpx.target': 'kind', 'mlpx.classes': '["no","yes"]',
    });
  });
});

describe('import: models as other exporters write them', () => {
  const first = randomDense(4, 8, 11);
  const second = randomDense(8, 3, 12);
  const x = randomRows(17, 4, 5);
  const labels = new Int32Array(17).map((_, i) => i % 3);
  const exporters = [
    { name: 'PyTorch (Gemm transB = 1, raw_data, opset 17)', bytes: pytorchModel(first, second), input: 'input', output: 'linear' },
    { name: 'tf2onnx (MatMul + Add, float_data, Identity output)', bytes: tf2onnxModel(first, second), input: 'dense_input', output: 'softmax' },
  ];
  for (const { name, bytes, input, output } of exporters) {
    it(`${name}: predicts as ONNX Runtime does and trains one more epoch on every backend`, async () => {
      const reference = await runOrt(bytes, input, x, 17, 4);
      for (const backend of backends) {
        const net = await Network.fromOnnx(bytes, { backend });
        expect(net.architecture.layers).toEqual([{ units: 8, activation: 'relu' }, { units: 3, activation: output }]);
        expect(net.architecture.loss).toBe(output === 'softmax' ? 'cross_entropy' : 'mse');
        expect(worstRelativeError(net.predict(x), reference), backend).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
        expect(net.layerWeights(0).weights).toEqual(first.weights); // [out, in] read back into mlpx's [in, out]
        const y = output === 'softmax' ? labels : randomRows(17, 3, 9);
        const before = net.evaluate(x, y).loss;
        const history = await net.fit(x, y, { epochs: 1, batchSize: 17, optimizer: { type: 'sgd', lr: 0.05 } });
        expect(history.epochs).toHaveLength(1);
        expect(net.evaluate(x, y).loss, backend).toBeLessThan(before);
      }
    });
  }

  it('reads Gemm without a bias, with alpha and beta, and an opset-11 Softmax over axis 1', async () => {
    const graph = pytorchGraph(first, second);
    const nodes = graph.node as Record<string, unknown>[];
    nodes[0] = { ...nodes[0], input: ['input', '0.weight'], attribute: [{ name: 'transB', type: 2, i: 1 }, { name: 'alpha', type: 1, f: 0.5 }] };
    nodes[2] = { ...nodes[2], output: ['logits'], attribute: [{ name: 'transB', type: 2, i: 1 }, { name: 'beta', type: 1, f: 2 }] };
    nodes.push({ name: 'softmax', op_type: 'Softmax', input: ['logits'], output: ['output'], attribute: [{ name: 'axis', type: 2, i: 1 }] });
    const bytes = encodeModel({ graph, opset: 11 });
    const net = await Network.fromOnnx(bytes, { backend: 'js' });
    expect(worstRelativeError(net.predict(x), await runOrt(bytes, 'input', x, 17, 4))).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
    expect(Array.from(net.layerWeights(0).biases)).toEqual(new Array(8).fill(0));
  });
});

describe('import: Flatten of an image-shaped input, and weights in Constant nodes', () => {
  it('nn.Sequential(Flatten(), Linear, ReLU, Linear) on [batch, 1, 2, 2] inputs, one weight a Constant node', async () => {
    const first = randomDense(4, 8, 21);
    const second = randomDense(8, 3, 22);
    const graph = pytorchGraph(first, second) as Record<string, any>;
    graph.input[0].type.tensor_type.shape.dim = [{ dim_param: 'batch_size' }, { dim_value: 1 }, { dim_value: 2 }, { dim_value: 2 }];
    graph.node[0].input[0] = '/flatten/out';
    const bias = graph.initializer.splice(1, 1)[0];
    graph.node.unshift(
      { name: '/flatten/Flatten', op_type: 'Flatten', input: ['input'], output: ['/flatten/out'], attribute: [{ name: 'axis', type: 2, i: 1 }] },
      { name: '/Constant', op_type: 'Constant', input: [], output: ['0.bias'], attribute: [{ name: 'value', type: 4, t: bias }] },
    );
    const bytes = encodeModel({ graph, opset: 17 });
    const x = randomRows(9, 4, 3);
    const session = await ort.InferenceSession.create(bytes);
    const reference = (await session.run({ input: new ort.Tensor('float32', x, [9, 1, 2, 2]) })).output!.data as Float32Array;
    const net = await Network.fromOnnx(bytes, { backend: 'js' });
    expect(net.inputs).toBe(4);
    expect(worstRelativeError(net.predict(x), reference)).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
    expect(net.layerWeights(0).biases).toEqual(first.biases);
  });
});

describe('import refuses what mlpx cannot compute, naming the node and the op', () => {
  const first = randomDense(4, 8, 1);
  const second = randomDense(8, 3, 2);
  const edit = (change: (graph: Record<string, any>) => void, opset = 13) => {
    const graph = pytorchGraph(first, second) as Record<string, any>;
    change(graph);
    return encodeModel({ graph, opset });
  };
  const cases: [string, Uint8Array, RegExp][] = [
    ['an unsupported op', edit((g) => (g.node[1] = { ...g.node[1], op_type: 'Elu', name: 'act1' })), /model\.onnx: node 'act1' \(Elu\) is not supported: mlpx reads dense MLPs \(Gemm, MatMul, Add, Relu, Sigmoid, Tanh, LeakyRelu, Softmax, Sub, Div, Flatten, Identity, Constant\)$/],
    ['a convolution', edit((g) => (g.node[0] = { ...g.node[0], op_type: 'Conv', name: 'conv1' })), /node 'conv1' \(Conv\) is not supported/],
    ['an op from another domain', edit((g) => (g.node[1] = { ...g.node[1], domain: 'com.microsoft' })), /node '\/1\/Relu' \(Relu\) is in domain 'com\.microsoft'/],
    ['LeakyRelu with another slope', edit((g) => (g.node[1] = { ...g.node[1], op_type: 'LeakyRelu', attribute: [{ name: 'alpha', type: 1, f: 0.2 }] })), /node '\/1\/Relu' \(LeakyRelu\): LeakyRelu alpha 0\.2\d* is not supported \(mlpx's leaky ReLU has slope 0\.01\)/],
    ['Gemm with transA', edit((g) => g.node[0].attribute.push({ name: 'transA', type: 2, i: 1 })), /node '\/0\/Gemm' \(Gemm\): transA = 1 is not a dense layer/],
    ['an activation before any layer', edit((g) => g.node.unshift({ name: 'early', op_type: 'Relu', input: ['input'], output: ['input'] })), /node 'early' \(Relu\): an activation must follow a dense layer/],
    ['softmax in a hidden layer', edit((g) => (g.node[1] = { ...g.node[1], op_type: 'Softmax' })), /softmax is only supported on the output layer/],
    ['weights that do not chain', edit((g) => (g.initializer[2] = { ...g.initializer[2], dims: [4, 6], raw_data: new Uint8Array(96) })), /node '\/2\/Gemm' \(Gemm\): weights take 6 inputs but the previous layer gives 8/],
    ['a branch off the chain', edit((g) => (g.node[2] = { ...g.node[2], input: ['input', '2.weight', '2.bias'] })), /node '\/2\/Gemm' \(Gemm\) does not continue the chain from '\/1\/Relu_output_0'/],
    ['a weight that is a graph input', edit((g) => (g.node[0] = { ...g.node[0], input: ['input', 'w_in', '0.bias'] })), /its weight 'w_in' is not a constant/],
    ['int64 weights', edit((g) => (g.initializer[0] = { name: '0.weight', dims: [8, 4], data_type: 7, int64_data: new Array(32).fill(1) })), /initializer '0\.weight' has data type 7; mlpx reads float and double weights/],
    ['external weights', edit((g) => (g.initializer[0] = { ...g.initializer[0], data_location: 1, raw_data: undefined })), /initializer '0\.weight' keeps its data in an external file/],
    ['short raw_data', edit((g) => (g.initializer[1] = { ...g.initializer[1], raw_data: new Uint8Array(12) })), /initializer '0\.bias' holds 12 bytes but its shape \[8\] needs 32/],
    ['two inputs', edit((g) => g.input.push({ name: 'extra', type: g.input[0].type })), /expected one graph input, found 2 \(input, extra\)/],
    ['an output off the chain', edit((g) => (g.output[0] = { ...g.output[0], name: 'other' })), /the graph output 'other' is not the end of the dense chain \('output'\)/],
    ['a 3-D input', edit((g) => g.input[0].type.tensor_type.shape.dim.push({ dim_value: 2 })), /node '\/0\/Gemm' \(Gemm\): the input 'input' has 3 dimensions; only a Flatten\(axis 1\) before it makes rows of features/],
    ['bytes that are not ONNX', new TextEncoder().encode('definitely not a protobuf message'), /model\.onnx: not an ONNX model/],
    ['an empty file', new Uint8Array(0), /model\.onnx: not an ONNX model \(no graph nodes\)/],
  ];
  it.each(cases)('%s', async (_name, bytes, message) => {
    const error = await Network.fromOnnx(bytes, { backend: 'js' }, 'model.onnx').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FormatError);
    expect((error as Error).message).toMatch(message);
  });
});
