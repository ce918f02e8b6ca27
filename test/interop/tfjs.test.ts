// TF.js layers format out and in: exported networks of every activation, loss and depth load in
// @tensorflow/tfjs with mlpx's predictions; models TF.js itself saves (and Keras conversions)
// import; the refused configurations are refused with the layer named.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Network, type TfjsModelJson } from '../../src/index.js';
import { FormatError } from '../../src/util/errors.js';
import { RELATIVE_TOLERANCE, worstRelativeError } from './compare.js';
import { INPUTS, randomRows, ROUND_TRIP_CASES, ROWS, trainedNetwork } from './round-trip-cases.js';

await tf.setBackend('cpu');

async function loadInTfjs(modelJson: TfjsModelJson | Record<string, any>, weights: Uint8Array): Promise<tf.LayersModel> {
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData }));
}

function tfjsPredict(model: tf.LayersModel, x: Float32Array, rows: number, columns: number): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor2d(x, [rows, columns])) as tf.Tensor).dataSync() as Float32Array);
}

describe('export → TF.js: the same predictions for every activation, loss and depth', () => {
  it.each(ROUND_TRIP_CASES)('$depth hidden $hidden layer(s), $output output, $loss', async (c) => {
    // every other case standardises, which the export folds into the first Dense layer
    const standardize = c.depth % 2 === 1;
    const { net, x } = await trainedNetwork(c, standardize);
    const { modelJson, weights } = net.toTfjs();
    const model = await loadInTfjs(modelJson, weights);
    expect(worstRelativeError(tfjsPredict(model, x, ROWS, INPUTS), net.predict(x))).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
    model.dispose();

    const back = await Network.fromTfjs(modelJson, weights, { backend: 'js' });
    expect(back.architecture).toEqual(net.architecture);
    if (!standardize) expect(back.getWeights()).toEqual(net.getWeights());
    expect(worstRelativeError(back.predict(x), net.predict(x))).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
  });

  it('carries loss, column names and class names in userDefinedMetadata', async () => {
    const net = await Network.create({ inputs: 2, layers: [{ units: 3, activation: 'leaky_relu' }, { units: 2, activation: 'softmax' }], loss: 'cross_entropy', backend: 'js' });
    net.setDataSchema({ features: ['u', 'v'], target: 'side', classes: ['left', 'right'] });
    const { modelJson, weights } = net.toTfjs();
    expect(modelJson.modelTopology.config.layers.map((l) => l.class_name)).toEqual(['Dense', 'LeakyReLU', 'Dense']);
    expect(modelJson.weightsManifest[0]!.weights.map((w) => `${w.name} [${w.shape}]`)).toEqual(['dense_1/kernel [2,3]', 'dense_1/bias [3]', 'dense_2/kernel [3,2]', 'dense_2/bias [2]']);
    const back = await Network.fromTfjs(JSON.parse(JSON.stringify(modelJson)), weights, { backend: 'js' });
    expect(back.dataSchema).toMatchObject({ features: ['u', 'v'], target: 'side', classes: ['left', 'right'], standardization: null });
  });
});

describe('import: models TF.js and Keras write', () => {
  it('a model TF.js itself built and saved, with an Activation layer; it trains one more epoch', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 6, activation: 'tanh' }),
        tf.layers.dense({ units: 5 }),
        tf.layers.activation({ activation: 'relu' }),
        tf.layers.dense({ units: 3, activation: 'softmax', useBias: false }),
      ],
    });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const modelJson = { modelTopology: saved!.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: saved!.weightSpecs }] };
    const weights = new Uint8Array(saved!.weightData as ArrayBuffer);
    const net = await Network.fromTfjs(modelJson, weights, { backend: 'js' });
    expect(net.architecture.layers).toEqual([{ units: 6, activation: 'tanh' }, { units: 5, activation: 'relu' }, { units: 3, activation: 'softmax' }]);
    expect(net.architecture.loss).toBe('cross_entropy');
    const x = randomRows(12, 4, 8);
    expect(worstRelativeError(net.predict(x), tfjsPredict(model, x, 12, 4))).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
    const labels = new Int32Array(12).map((_, i) => i % 3);
    const before = net.evaluate(x, labels).loss;
    await net.fit(x, labels, { epochs: 1, batchSize: 12, optimizer: { type: 'sgd', lr: 0.05 } });
    expect(net.evaluate(x, labels).loss).toBeLessThan(before);
    model.dispose();
  });

  it('a Keras conversion: model_config wrapper, InputLayer, weights named under the model', async () => {
    const kernel = randomRows(3, 2, 1);
    const bias = Float32Array.from([0.5, -0.25]);
    const modelJson = {
      modelTopology: {
        keras_version: '2.15.0', backend: 'tensorflow',
        model_config: { class_name: 'Sequential', config: { name: 'sequential', layers: [
          { class_name: 'InputLayer', config: { batch_input_shape: [null, 3], dtype: 'float32', name: 'input_1' } },
          { class_name: 'Dense', config: { name: 'dense', trainable: true, dtype: 'float32', units: 2, activation: 'sigmoid', use_bias: true, kernel_regularizer: null, bias_constraint: null } },
        ] } },
      },
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [{ name: 'sequential/dense/kernel', shape: [3, 2], dtype: 'float32' }, { name: 'sequential/dense/bias', shape: [2], dtype: 'float32' }] }],
    };
    const weights = new Uint8Array([...new Uint8Array(kernel.buffer), ...new Uint8Array(bias.buffer)]);
    const net = await Network.fromTfjs(modelJson, weights, { backend: 'js' });
    expect(net.architecture).toEqual({ inputs: 3, layers: [{ units: 2, activation: 'sigmoid' }], loss: 'binary_cross_entropy' });
    expect(net.layerWeights(0)).toEqual({ weights: kernel, biases: bias });
  });
});

describe('import refuses the configurations it states, naming the layer', () => {
  const dense = (name: string, units: number, extra: Record<string, unknown> = {}) => ({ class_name: 'Dense', config: { name, units, activation: 'relu', use_bias: true, dtype: 'float32', ...extra } });
  const base = () => ({
    modelTopology: { class_name: 'Sequential', config: { name: 's', layers: [dense('d1', 3, { batch_input_shape: [null, 2] }), dense('d2', 1, { activation: 'sigmoid' })] as any[] } },
    weightsManifest: [{ paths: ['w.bin'], weights: [
      { name: 'd1/kernel', shape: [2, 3], dtype: 'float32' }, { name: 'd1/bias', shape: [3], dtype: 'float32' },
      { name: 'd2/kernel', shape: [3, 1], dtype: 'float32' }, { name: 'd2/bias', shape: [1], dtype: 'float32' },
    ] as any[] }],
  });
  const weights = new Uint8Array(4 * 13);
  const edit = (change: (m: ReturnType<typeof base>) => void) => {
    const model = base();
    change(model);
    return model;
  };
  const cases: [string, unknown, Uint8Array, RegExp][] = [
    ['a convolution layer', edit((m) => (m.modelTopology.config.layers[1] = { class_name: 'Conv2D', config: { name: 'conv' } })), weights, /layer 'conv' \(Conv2D\) is refused: mlpx reads Sequential models of Dense layers/],
    ['Dropout', edit((m) => m.modelTopology.config.layers.splice(1, 0, { class_name: 'Dropout', config: { name: 'drop', rate: 0.5 } })), weights, /layer 'drop' \(Dropout\) is refused/],
    ['an elu activation', edit((m) => (m.modelTopology.config.layers[0].config.activation = 'elu')), weights, /layer 'd1' \(Dense\): activation 'elu' is refused \(mlpx reads linear, relu, sigmoid, tanh, softmax\)/],
    ['LeakyReLU with TF.js\'s default alpha', edit((m) => {
      m.modelTopology.config.layers[0].config.activation = 'linear';
      m.modelTopology.config.layers.splice(1, 0, { class_name: 'LeakyReLU', config: { name: 'lr' } });
    }), weights, /layer 'lr' \(LeakyReLU\): alpha 0\.3 is refused \(mlpx's leaky ReLU has slope 0\.01\)/],
    ['an activation after a non-linear Dense', edit((m) => m.modelTopology.config.layers.splice(1, 0, { class_name: 'Activation', config: { name: 'act', activation: 'tanh' } })), weights, /layer 'act' \(Activation\) must follow a Dense layer with linear activation/],
    ['a regularizer', edit((m) => (m.modelTopology.config.layers[0].config.kernel_regularizer = { class_name: 'L1L2', config: { l2: 0.01 } })), weights, /layer 'd1' \(Dense\) has a kernel_regularizer, which mlpx's training would not honour/],
    ['a functional model', edit((m) => ((m.modelTopology as any).class_name = 'Model')), weights, /only Sequential models are read; this one is Model/],
    ['quantized weights', edit((m) => (m.weightsManifest[0]!.weights[0].quantization = { dtype: 'uint8', scale: 1, min: 0 })), weights, /weight d1\/kernel is quantized/],
    ['int32 weights', edit((m) => (m.weightsManifest[0]!.weights[1].dtype = 'int32')), weights, /weight d1\/bias has dtype int32; only float32 is read/],
    ['too few weight bytes', base(), weights.subarray(4), /weights hold 48 bytes, fewer than the manifest's weights need \(at d2\/bias\)/],
    ['too many weight bytes', base(), new Uint8Array(4 * 14), /weights hold 56 bytes but the manifest describes 52/],
    ['a kernel that does not chain', edit((m) => (m.weightsManifest[0]!.weights[2].shape = [4, 1])), new Uint8Array(4 * 14), /layer 'd2' \(Dense\): kernel takes 4 inputs but the layer before gives 3/],
    ['a missing kernel', edit((m) => (m.weightsManifest[0]!.weights[2].name = 'other/kernel')), weights, /layer 'd2' \(Dense\): no kernel weights named d2\/kernel/],
    ['softmax in a hidden layer', edit((m) => (m.modelTopology.config.layers[0].config.activation = 'softmax')), weights, /softmax is only supported on the output layer/],
    ['no topology', { weightsManifest: [] }, weights, /model\.json has no modelTopology object/],
  ];
  it.each(cases)('%s', async (_name, modelJson, bytes, message) => {
    const error = await Network.fromTfjs(modelJson, bytes, { backend: 'js' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FormatError);
    expect((error as Error).message).toMatch(/^TF\.js model: /);
    expect((error as Error).message).toMatch(message);
  });

  it('the unmodified model loads (the cases above differ from it only in what they name)', async () => {
    await expect(Network.fromTfjs(base(), weights, { backend: 'js' })).resolves.toBeInstanceOf(Network);
  });
});
