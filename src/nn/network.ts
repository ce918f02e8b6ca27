// A feed-forward network: its architecture, and (private, in NetworkCore) its engine and what
// training has done so far (update count, epochs, optimizer), so that saving and loading resumes
// training exactly. See core.ts for what may be called while a fit runs.
import type { Backend } from '../backend/engine.js';
import { checkedParameterCount, paramLayout, type NetSpec, type ParamLayout } from '../backend/layout.js';
import { loadBackend, parseBackendChoice, type BackendChoice } from '../backend/registry.js';
import { InvalidArgumentError, invalidArgument } from '../util/errors.js';
import '../util/dispose.js';
import { Random } from '../util/prng.js';
import { requireCount, requireInteger, requireMatrix, requireOneOf } from '../util/validate.js';
import {
  describeArchitecture, INIT_NAMES, isClassifier, parseArchitecture, toNetSpec,
  type Architecture, type InitName, type LayerOptions,
} from './architecture.js';
import { NetworkCore, type TrainingState } from './core.js';
import { requireSamples } from './data.js';
import { evaluateRows, predictRows } from './evaluate.js';
import { fit, mebibytes, type FitOptions, type History } from './fit.js';
import { initializeParams } from './init.js';
import { decodeNetwork, encodeNetwork, type SavedNetwork } from './serialize.js';
import { requireDataSchema, type DataSchema, type DataSchemaOptions } from './data-schema.js';
import { standardize } from '../data/standardize.js';
import { toTfjs, type TfjsModel } from '../interop/tfjs.js';
import { decodeTfjs } from '../interop/tfjs-import.js';
import { fileStorage } from './storage.js';
import type { LossName } from '../backend/kernels.js';

export type { TrainingState } from './core.js';

export interface NetworkOptions {
  inputs: number;
  layers: LayerOptions[];
  loss: LossName;
  /** default: He for ReLU-like layers, Xavier/Glorot otherwise */
  init?: InitName;
  /** seeds initialisation, shuffling, the validation split, dropout masks and random search: an integer in [0, 2^53) (default 1) */
  seed?: number;
  backend?: BackendChoice;
  /** kernel threads for the backend (default MLPX_THREADS, else all cores) */
  threads?: number;
}

export interface BackendOptions {
  backend?: BackendChoice;
  threads?: number;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export class Network {
  readonly architecture: Architecture;
  readonly spec: NetSpec;
  readonly layout: ParamLayout;
  readonly seed: number;
  readonly init: InitName | undefined;
  readonly #core: NetworkCore;

  private constructor(architecture: Architecture, init: InitName | undefined, seed: number, readonly backend: Backend) {
    this.architecture = deepFreeze(architecture);
    this.spec = deepFreeze(toNetSpec(architecture, seed));
    this.layout = deepFreeze(paramLayout(this.spec.sizes));
    this.init = init;
    this.seed = seed;
    this.#core = new NetworkCore(this.architecture, this.spec, seed, backend, backend.createEngine(this.spec));
  }

  static async create(options: NetworkOptions): Promise<Network> {
    if (typeof options !== 'object' || options === null) throw invalidArgument('options', '{ inputs, layers, loss, … }', options);
    const architecture = parseArchitecture(options);
    const init = options.init === undefined ? undefined : requireOneOf(options.init, 'init', INIT_NAMES);
    const seed = options.seed === undefined ? 1 : requireCount(options.seed, 'seed');
    const net = await Network.#withBackend(architecture, init, seed, options);
    const params = new Float32Array(net.parameterCount);
    initializeParams(params, net.layout, architecture, init, new Random(seed));
    net.#core.engine.writeParams(params);
    return net;
  }

  /** Refuses, before allocating anything, a network the backends cannot index or this backend cannot hold. */
  static async #withBackend(architecture: Architecture, init: InitName | undefined, seed: number, options: BackendOptions): Promise<Network> {
    const spec = toNetSpec(architecture);
    checkedParameterCount(spec.sizes);
    const threads = options.threads === undefined ? undefined : requireInteger(options.threads, 'threads', 1);
    const backend = await loadBackend(options.backend === undefined ? undefined : parseBackendChoice(options.backend));
    const need = backend.engineBytes(spec) + backend.workspaceBytes(spec, 1);
    if (need > backend.memoryLimit) {
      throw new InvalidArgumentError(
        `The network ${describeArchitecture(architecture)} needs about ${mebibytes(need)} to train (${backend.engineBytesHold}); ` +
          `the ${backend.name} backend allows one network ${mebibytes(backend.memoryLimit)}: ${backend.memoryLimitReason}`,
      );
    }
    if (threads !== undefined) backend.setThreads(threads);
    return new Network(architecture, init, seed, backend);
  }

  get inputs(): number { return this.architecture.inputs; }
  get outputs(): number { return this.spec.sizes[this.spec.sizes.length - 1]!; }
  get parameterCount(): number { return this.layout.count; }
  get isClassifier(): boolean { return isClassifier(this.architecture); }

  /** What training has done so far (a copy). */
  get training(): Readonly<TrainingState> {
    const { step, epochsTrained, optimizer } = this.#core.training;
    return Object.freeze({ step, epochsTrained, optimizer: optimizer === null ? null : structuredClone(optimizer) });
  }

  /** A copy of all parameters (layer by layer: W row-major, then b). During a fit: as of the last finished epoch. */
  getWeights(): Float32Array {
    return this.#core.weights('getWeights');
  }

  /** Replace all parameters (finite values, exactly parameterCount of them). */
  setWeights(weights: Float32Array): void {
    this.#core.requireIdle('setWeights');
    if (!(weights instanceof Float32Array) || weights.length !== this.parameterCount) {
      throw invalidArgument('weights', `a Float32Array of ${this.parameterCount} parameters`, weights);
    }
    requireMatrix(weights, 'weights', 1);
    this.#core.engine.writeParams(weights);
  }

  /** Copies of layer `index`'s weights (inputs × units, row-major) and biases (0-based index). */
  layerWeights(index: number): { weights: Float32Array; biases: Float32Array } {
    const slot = this.layout.layers[index];
    if (slot === undefined) throw invalidArgument('index', `a layer index in 0..${this.layout.layers.length - 1}`, index);
    const params = this.#core.weights('layerWeights');
    return { weights: params.slice(slot.weightOffset, slot.biasOffset), biases: params.slice(slot.biasOffset, slot.biasOffset + slot.units) };
  }

  /** Input standardisation, column names and class names (all null until set). Arrays are copies. */
  get dataSchema(): DataSchema {
    const schema = this.#core.schema;
    const { standardization: s, features, classes } = schema;
    return { ...schema, standardization: s && { mean: s.mean.slice(), std: s.std.slice() }, features: features && [...features], classes: classes && [...classes] };
  }

  /**
   * Set any of: `standardization` ({ mean, std } per input; predict, evaluate and fit then take raw
   * features), `features` and `target` (column names), `classes` (class i's name). null clears one.
   */
  setDataSchema(changes: DataSchemaOptions): void {
    this.#core.requireIdle('setDataSchema');
    this.#core.schema = requireDataSchema(changes, this.#core.schema, this.architecture);
  }

  /** Validated rows of x as the layers see them: standardised (a copy) when the network standardises its inputs. */
  #layerInputs(x: Float32Array): Float32Array {
    const stats = this.#core.schema.standardization;
    return stats === null ? x : standardize(x, stats);
  }

  /** Outputs (rows × outputs) for x (rows × inputs). During a fit: with the weights of the last finished epoch. */
  predict(x: Float32Array): Float32Array {
    const engine = this.#core.reader('predict');
    const { data, rows } = requireMatrix(x, 'x', this.inputs);
    return predictRows(engine, this.#layerInputs(data), rows);
  }

  /** Mean loss, and accuracy for classifiers (null for regression). During a fit: as predict. */
  evaluate(x: Float32Array, y: Float32Array | Uint8Array | Int32Array): { loss: number; accuracy: number | null } {
    const engine = this.#core.reader('evaluate');
    const samples = requireSamples(this.architecture, x, y);
    const { loss, correct } = evaluateRows(engine, this.#layerInputs(samples.x), samples.y, samples.rows);
    return { loss, accuracy: this.isClassifier ? correct / samples.rows : null };
  }

  /**
   * Train; see FitOptions. Resolves to the per-epoch history. One fit at a time per network. With
   * `standardize: true` a network without standardisation takes it from the training rows.
   */
  fit(x: Float32Array, y: Float32Array | Uint8Array | Int32Array, options: FitOptions = {}): Promise<History> {
    return fit(this.#core, x, y, options);
  }

  /** This network as an ONNX model (opset 13): see src/interop/onnx.ts for the graph it writes. */
  async toOnnx(): Promise<Uint8Array> {
    const params = this.#core.weights('toOnnx');
    // loaded on first use: protobufjs stays out of programs that never touch ONNX
    const { encodeOnnx } = await import('../interop/onnx.js');
    return encodeOnnx({ architecture: this.architecture, params, layout: this.layout, schema: this.#core.schema });
  }

  /** A network from an ONNX model of a dense MLP (see src/interop/onnx-import.ts for what is read). */
  static async fromOnnx(bytes: Uint8Array, options: BackendOptions & { loss?: LossName } = {}, source = 'ONNX model'): Promise<Network> {
    const { decodeOnnx } = await import('../interop/onnx-import.js');
    return Network.#restore(decodeOnnx(bytes, source, options.loss), options);
  }

  /** TF.js layers format: model.json's content and the weights.bin bytes (see src/interop/tfjs.ts). */
  toTfjs(): TfjsModel {
    return toTfjs({ architecture: this.architecture, params: this.#core.weights('toTfjs'), layout: this.layout, schema: this.#core.schema });
  }

  /** A network from a TF.js layers model (model.json's content and its weights, in manifest order). */
  static async fromTfjs(modelJson: unknown, weights: Uint8Array | ArrayBuffer, options: BackendOptions & { loss?: LossName } = {}): Promise<Network> {
    return Network.#restore(decodeTfjs(modelJson, weights, options.loss), options);
  }

  /** Architecture, weights and optimizer state in the versioned, checksummed mlpx format. */
  toBuffer(): Uint8Array {
    this.#core.requireIdle('toBuffer');
    const { engine, training } = this.#core;
    return encodeNetwork({
      architecture: this.architecture, init: this.init, seed: this.seed, training,
      params: engine.readParams(), optimizerState: engine.readOptimizerState(), schema: this.#core.schema,
    });
  }

  static async fromBuffer(bytes: Uint8Array, options: BackendOptions = {}, source = 'buffer'): Promise<Network> {
    // decoding validates every size and value before the backend allocates anything
    return Network.#restore(decodeNetwork(bytes, source), options);
  }

  /** A network from a decoded model (every format's decoder has checked its sizes and finite values). */
  static async #restore(saved: SavedNetwork, options: BackendOptions): Promise<Network> {
    const net = await Network.#withBackend(saved.architecture, saved.init, saved.seed, options);
    const { engine, training } = net.#core;
    engine.writeParams(saved.params);
    Object.assign(training, saved.training);
    net.#core.schema = saved.schema;
    if (saved.training.optimizer !== null && saved.training.optimizer.type !== 'armijo' && saved.training.optimizer.type !== 'random') {
      engine.setOptimizer(saved.training.optimizer.params.kind);
      engine.writeOptimizerState(saved.optimizerState);
    }
    return net;
  }

  /** Write atomically (temp file + rename): a crash never leaves a half-written model. */
  async save(path: string): Promise<void> {
    await fileStorage().writeAtomic(path, this.toBuffer());
  }

  static async load(path: string, options: BackendOptions = {}): Promise<Network> {
    return Network.fromBuffer(await fileStorage().read(path), options, path);
  }

  /**
   * Free the network's memory now (wasm: back to its allocator; otherwise garbage collection
   * does it eventually). Afterwards every method throws a DisposedError; disposing twice is a
   * no-op. Refused with a BusyError while a fit runs. `using net = await Network.create(…)`
   * disposes at the end of the scope.
   */
  dispose(): void {
    this.#core.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  toString(): string {
    return `Network(${describeArchitecture(this.architecture)}; ${this.parameterCount} parameters; backend ${this.backend.name})`;
  }
}
