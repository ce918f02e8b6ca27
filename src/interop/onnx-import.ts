// ONNX import: a dense MLP as common exporters write it.
//
// Read: one float input of shape [batch, n] (or [batch, d1, d2, …] flattened by a leading
// Flatten(axis 1)); optional Sub/Div by per-feature constants before the first layer (kept as the
// network's standardisation); dense layers as Gemm (transA 0, transB 0 or 1 — PyTorch writes
// transB 1 —, any alpha/beta, bias optional) or MatMul followed by an optional Add of a bias
// (tf2onnx's form); each followed by at most one of Relu, Sigmoid, Tanh, LeakyRelu (alpha 0.01,
// the slope mlpx computes), Softmax (over the last axis); Identity anywhere. Weights come from
// initializers or Constant nodes, float or double, raw_data or typed fields. The nodes must form
// one chain from the input to the single graph output.
//
// Anything else is a FormatError naming the node and its op: mlpx does not guess at graphs it
// cannot compute exactly.
import { LEAKY_SLOPE, type ActivationName, type LossName } from '../backend/kernels.js';
import { FormatError } from '../util/errors.js';
import type { SavedNetwork } from '../nn/serialize.js';
import { importedNetwork, lossFor, type DenseLayer } from './layers.js';
import { DOUBLE, FLOAT, int64, ModelProto } from './onnx-proto.js';

// decoded protobuf messages are plain objects whose fields the code checks as it reads them
type Message = Record<string, any>;

const ACTIVATIONS: Readonly<Record<string, ActivationName>> = {
  Relu: 'relu', Sigmoid: 'sigmoid', Tanh: 'tanh', LeakyRelu: 'leaky_relu', Softmax: 'softmax',
};
const READ_OPS = ['Gemm', 'MatMul', 'Add', ...Object.keys(ACTIVATIONS), 'Sub', 'Div', 'Flatten', 'Identity', 'Constant'];

interface Constant { dims: number[]; values: Float32Array }

export function decodeOnnx(bytes: Uint8Array, source: string, loss?: LossName): SavedNetwork {
  if (!(bytes instanceof Uint8Array)) throw new FormatError(`${source}: expected the bytes of an ONNX model (a Uint8Array)`);
  const fail = (what: string): never => {
    throw new FormatError(`${source}: ${what}`);
  };
  let model: Message;
  try {
    model = ModelProto.toObject(ModelProto.decode(bytes), { defaults: false, arrays: true }) as Message;
  } catch (error) {
    return fail(`not an ONNX model (${(error as Error).message})`);
  }
  const graph: Message | undefined = model.graph;
  if (graph === undefined || (graph.node ?? []).length === 0) return fail('not an ONNX model (no graph nodes)');

  const constants = new Map<string, Constant>();
  for (const init of graph.initializer ?? []) constants.set(init.name, readTensor(init, `initializer '${init.name}'`, fail));

  const inputs = (graph.input ?? []).filter((v: Message) => !constants.has(v.name));
  if (inputs.length !== 1) fail(`expected one graph input, found ${inputs.length} (${inputs.map((v: Message) => v.name).join(', ')})`);
  const outputs = graph.output ?? [];
  if (outputs.length !== 1) fail(`expected one graph output, found ${outputs.length}`);
  const input = inputs[0]!;
  const tensorType = input.type?.tensor_type;
  if (tensorType?.elem_type !== FLOAT) fail(`input '${input.name}' must be a float32 tensor (elem_type ${tensorType?.elem_type ?? 'missing'})`);
  const inputDims: (number | null)[] = (tensorType.shape?.dim ?? []).map((d: Message) => (d.dim_value !== undefined ? int64(d.dim_value) : null));
  if (inputDims.length < 2) fail(`input '${input.name}' has ${inputDims.length} dimension(s); expected [batch, features]`);

  let current: string = input.name;
  let width: number | null = inputDims.length === 2 ? inputDims[1]! : null;
  // an input of more than two dimensions becomes rows of features only through Flatten
  let flat = inputDims.length === 2;
  const requireFlat = (where: string) => {
    if (!flat) fail(`${where}: the input '${input.name}' has ${inputDims.length} dimensions; only a Flatten(axis 1) before it makes rows of features`);
  };
  const layers: DenseLayer[] = [];
  let mean: Float32Array | null = null;
  let std: Float32Array | null = null;
  let pendingBias = false; // the last layer came from a MatMul, so an Add may give its bias
  let activated = false; // the last layer already has its activation

  graph.node.forEach((node: Message, index: number) => {
    const op: string = node.op_type ?? '';
    const where = `node '${node.name || `#${index}`}' (${op})`;
    if (node.domain && node.domain !== 'ai.onnx') fail(`${where} is in domain '${node.domain}'; mlpx reads only standard ONNX ops`);
    if (!READ_OPS.includes(op)) fail(`${where} is not supported: mlpx reads dense MLPs (${READ_OPS.join(', ')})`);
    const attrs = new Map<string, Message>((node.attribute ?? []).map((a: Message) => [a.name, a]));
    const ins: string[] = node.input ?? [];
    const outs: string[] = node.output ?? [];
    if (op === 'Constant') {
      const value = attrs.get('value')?.t;
      if (value === undefined || outs.length !== 1) fail(`${where}: only a 'value' tensor constant is supported`);
      constants.set(outs[0]!, readTensor(value, where, fail));
      return;
    }
    if (outs.length !== 1) fail(`${where} has ${outs.length} outputs; expected 1`);
    if (ins[0] !== current) {
      // a binary op may take the running tensor second (Add(bias, x))
      if (!(op === 'Add' && ins[1] === current)) fail(`${where} does not continue the chain from '${current}' (its inputs are ${ins.join(', ')})`);
    }
    const other = (k: number, what: string): Constant => {
      const name = ins[k];
      return (name !== undefined && constants.get(name)) || fail(`${where}: its ${what} '${name ?? ''}' is not a constant (initializer or Constant node)`);
    };
    const attrInt = (name: string, fallback: number): number => (attrs.has(name) ? int64(attrs.get(name)!.i) ?? fail(`${where}: attribute ${name} is not an integer`) : fallback);
    const attrFloat = (name: string, fallback: number): number => (attrs.has(name) ? Number(attrs.get(name)!.f ?? 0) : fallback);
    const requireVector = (c: Constant, what: string, length: number): Float32Array => {
      const ok = c.values.length === length && (c.dims.length === 1 || (c.dims.length === 2 && c.dims[0] === 1));
      return ok ? c.values : fail(`${where}: ${what} has shape [${c.dims.join(', ')}]; expected [${length}]`);
    };
    const dense = (weights: Float32Array, fanIn: number, units: number) => {
      requireFlat(where);
      if (width !== null && fanIn !== width) fail(`${where}: weights take ${fanIn} inputs but the previous layer gives ${width}`);
      layers.push({ inputs: fanIn, units, weights, biases: new Float32Array(units), activation: 'linear' });
      width = units;
      activated = false;
    };

    switch (op) {
      case 'Identity':
        break;
      case 'Flatten': {
        if (layers.length > 0 || mean !== null || std !== null || attrInt('axis', 1) !== 1) fail(`${where}: only Flatten(axis 1) of the graph input is supported`);
        const rest = inputDims.slice(1);
        if (rest.some((d) => d === null)) fail(`${where}: the input's feature dimensions must be fixed numbers to flatten`);
        width = rest.reduce((a, b) => a! * b!, 1);
        flat = true;
        break;
      }
      case 'Sub':
      case 'Div': {
        if (layers.length > 0) fail(`${where}: Sub/Div is read only as standardisation of the input, before the first layer`);
        requireFlat(where);
        const constant = other(1, op === 'Sub' ? 'subtrahend' : 'divisor');
        width ??= constant.values.length;
        const c = requireVector(constant, op === 'Sub' ? 'the mean' : 'the standard deviation', width);
        if (op === 'Sub') {
          if (mean !== null || std !== null) fail(`${where}: expected Sub (mean) then Div (standard deviation), once each`);
          mean = c.slice();
        } else {
          if (std !== null) fail(`${where}: expected Sub (mean) then Div (standard deviation), once each`);
          std = c.slice();
        }
        break;
      }
      case 'Gemm': {
        if (attrInt('transA', 0) !== 0) fail(`${where}: transA = 1 is not a dense layer`);
        const b = other(1, 'weight');
        if (b.dims.length !== 2) fail(`${where}: weight has shape [${b.dims.join(', ')}]; expected 2 dimensions`);
        const transB = attrInt('transB', 0);
        const [fanIn, units] = transB === 1 ? [b.dims[1]!, b.dims[0]!] : [b.dims[0]!, b.dims[1]!];
        const alpha = attrFloat('alpha', 1);
        const beta = attrFloat('beta', 1);
        const weights = new Float32Array(fanIn * units);
        for (let i = 0; i < fanIn; i++) {
          for (let j = 0; j < units; j++) weights[i * units + j] = alpha * (transB === 1 ? b.values[j * fanIn + i]! : b.values[i * units + j]!);
        }
        dense(weights, fanIn, units);
        if (ins.length > 2 && ins[2] !== '') {
          const c = other(2, 'bias');
          // Gemm broadcasts C; a per-unit vector ([units] or [1, units]) is what a dense layer has
          layers.at(-1)!.biases = requireVector(c, 'the bias', units).map((v) => beta * v);
        }
        pendingBias = false;
        break;
      }
      case 'MatMul': {
        const b = other(1, 'weight');
        if (b.dims.length !== 2) fail(`${where}: weight has shape [${b.dims.join(', ')}]; expected 2 dimensions`);
        dense(b.values.slice(), b.dims[0]!, b.dims[1]!);
        pendingBias = true;
        break;
      }
      case 'Add': {
        if (!pendingBias) fail(`${where}: Add is read only as the bias of a MatMul layer`);
        const layer = layers.at(-1)!;
        layer.biases = requireVector(other(ins[0] === current ? 1 : 0, 'bias'), 'the bias', layer.units).slice();
        pendingBias = false;
        break;
      }
      default: {
        const activation = ACTIVATIONS[op]!;
        if (layers.length === 0 || activated) fail(`${where}: an activation must follow a dense layer (Gemm or MatMul)`);
        if (activation === 'leaky_relu' && Math.fround(attrFloat('alpha', 0.01)) !== Math.fround(LEAKY_SLOPE)) {
          fail(`${where}: LeakyRelu alpha ${attrFloat('alpha', 0.01)} is not supported (mlpx's leaky ReLU has slope ${LEAKY_SLOPE})`);
        }
        if (activation === 'softmax') {
          const opset = (model.opset_import ?? []).find((o: Message) => !o.domain || o.domain === 'ai.onnx');
          const axis = attrInt('axis', (int64(opset?.version) ?? 13) >= 13 ? -1 : 1);
          if (axis !== -1 && axis !== 1) fail(`${where}: Softmax over axis ${axis} is not per row`);
        }
        layers.at(-1)!.activation = activation;
        activated = true;
        pendingBias = false;
      }
    }
    current = outs[0]!;
  });
  if (current !== outputs[0].name) fail(`the graph output '${outputs[0].name}' is not the end of the dense chain ('${current}')`);

  const metadata = new Map<string, string>((model.metadata_props ?? []).map((p: Message) => [p.key, p.value]));
  const json = (key: string): unknown => {
    const text = metadata.get(key);
    if (text === undefined) return null;
    try {
      return JSON.parse(text);
    } catch {
      return fail(`metadata ${key} is not JSON`);
    }
  };
  const lastActivation = layers.at(-1)?.activation ?? 'linear';
  const inputsWidth = layers[0]?.inputs ?? 0;
  const standardization = mean === null && std === null ? null
    : { mean: mean ?? new Float32Array(inputsWidth), std: std ?? new Float32Array(inputsWidth).fill(1) };
  return importedNetwork(source, layers, loss ?? (metadata.get('mlpx.loss') as LossName | undefined) ?? lossFor(lastActivation), {
    standardization, features: json('mlpx.features') as string[] | null, target: metadata.get('mlpx.target') ?? null, classes: json('mlpx.classes') as string[] | null,
  });
}

/** A float or double tensor's dims and values (as float32), its stored size checked against its dims first. */
function readTensor(t: Message, what: string, fail: (what: string) => never): Constant {
  if (t.data_location === 1) fail(`${what} keeps its data in an external file, which mlpx does not read`);
  const dims = (t.dims ?? []).map((d: unknown) => int64(d) ?? -1);
  if (dims.some((d: number) => d < 0)) fail(`${what} has invalid dimensions`);
  const count = dims.reduce((a: number, b: number) => a * b, 1);
  const type = t.data_type;
  if (type !== FLOAT && type !== DOUBLE) fail(`${what} has data type ${type}; mlpx reads float and double weights`);
  const size = type === FLOAT ? 4 : 8;
  const raw: Uint8Array | undefined = t.raw_data;
  const typed: number[] = (type === FLOAT ? t.float_data : t.double_data) ?? [];
  if (raw !== undefined && raw.length > 0) {
    if (raw.length !== count * size) fail(`${what} holds ${raw.length} bytes but its shape [${dims.join(', ')}] needs ${count * size}`);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const values = new Float32Array(count);
    for (let i = 0; i < count; i++) values[i] = type === FLOAT ? view.getFloat32(4 * i, true) : view.getFloat64(8 * i, true);
    return { dims, values };
  }
  if (typed.length !== count) fail(`${what} holds ${typed.length} values but its shape [${dims.join(', ')}] needs ${count}`);
  return { dims, values: Float32Array.from(typed) };
}
