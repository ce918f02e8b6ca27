// A feed-forward network: its architecture, its engine (parameters and workspace in the chosen
// backend's memory), and what training has done so far (update count, epochs, optimizer), so
// that saving and loading resumes training exactly.
import type { Backend, Engine } from '../backend/engine.js';
import { paramLayout, type NetSpec, type ParamLayout } from '../backend/layout.js';
import { loadBackend, parseBackendChoice, type BackendChoice } from '../backend/registry.js';
import { invalidArgument } from '../util/errors.js';
import { Random } from '../util/prng.js';
import { requireInteger, requireMatrix, requireOneOf, requireTargets } from '../util/validate.js';
import {
  describeArchitecture, INIT_NAMES, isClassifier, parseArchitecture, toNetSpec,
  type Architecture, type InitName, type LayerOptions,
} from './architecture.js';
import { evaluateRows, predictRows } from './evaluate.js';
import { fit, type FitOptions, type History } from './fit.js';
import { initializeParams } from './init.js';
import type { ResolvedOptimizer } from './optimizers.js';
import { decodeNetwork, encodeNetwork, type SavedNetwork } from './serialize.js';
import { EMPTY_SCHEMA, requireDataSchema, type DataSchema, type DataSchemaOptions } from './data-schema.js';
import { computeStandardization, standardize } from '../data/standardize.js';
import { toTfjs, type TfjsModel } from '../interop/tfjs.js';
import { decodeTfjs } from '../interop/tfjs-import.js';
import { fileStorage } from './storage.js';
import type { LossName } from '../backend/kernels.js';

export interface NetworkOptions {
  inputs: number;
  layers: LayerOptions[];
  loss: LossName;
  /** default: He for ReLU-like layers, Xavier/Glorot otherwise */
  init?: InitName;
  /** seeds initialisation, shuffling and random search (default 1) */
  seed?: number;
  backend?: BackendChoice;
  /** kernel threads for the backend (default MLPX_THREADS, else all cores) */
  threads?: number;
}

export interface BackendOptions {
  backend?: BackendChoice;
  threads?: number;
}

/** Training progress that a saved network carries so training resumes where it stopped. */
export interface TrainingState {
  /** optimizer updates applied (Adam's t) */
  step: number;
  epochsTrained: number;
  optimizer: ResolvedOptimizer | null;
}

export class Network {
  readonly architecture: Architecture;
  readonly spec: NetSpec;
  readonly layout: ParamLayout;
  readonly seed: number;
  readonly init: InitName | undefined;
  readonly training: TrainingState = { step: 0, epochsTrained: 0, optimizer: null };
  #schema: DataSchema = EMPTY_SCHEMA;

  private constructor(architecture: Architecture, init: InitName | undefined, seed: number, readonly backend: Backend, readonly engine: Engine) {
    this.architecture = architecture;
    this.spec = engine.spec;
    this.layout = paramLayout(this.spec.sizes);
    this.init = init;
    this.seed = seed;
  }

  static async create(options: NetworkOptions): Promise<Network> {
    if (typeof options !== 'object' || options === null) throw invalidArgument('options', '{ inputs, layers, loss, … }', options);
    const architecture = parseArchitecture(options);
    const init = options.init === undefined ? undefined : requireOneOf(options.init, 'init', INIT_NAMES);
    const seed = options.seed === undefined ? 1 : requireInteger(options.seed, 'seed', 0);
    const net = await Network.#withBackend(architecture, init, seed, options);
    initializeParams(net.engine.params(), net.layout, architecture, init, new Random(seed));
    return net;
  }

  static async #withBackend(architecture: Architecture, init: InitName | undefined, seed: number, options: BackendOptions): Promise<Network> {
    const backend = await loadBackend(options.backend === undefined ? undefined : parseBackendChoice(options.backend));
    if (options.threads !== undefined) backend.setThreads(requireInteger(options.threads, 'threads', 1));
    return new Network(architecture, init, seed, backend, backend.createEngine(toNetSpec(architecture)));
  }

  get inputs(): number { return this.architecture.inputs; }
  get outputs(): number { return this.spec.sizes[this.spec.sizes.length - 1]!; }
  get parameterCount(): number { return this.engine.paramCount; }
  get isClassifier(): boolean { return isClassifier(this.architecture); }

  /** A copy of all parameters (layer by layer: W row-major, then b). */
  getWeights(): Float32Array {
    return this.engine.params().slice();
  }

  setWeights(weights: Float32Array): void {
    if (!(weights instanceof Float32Array) || weights.length !== this.parameterCount) {
      throw invalidArgument('weights', `a Float32Array of ${this.parameterCount} parameters`, weights);
    }
    requireMatrix(weights, 'weights', 1);
    this.engine.params().set(weights);
  }

  /** Copies of layer `index`'s weights (inputs × units, row-major) and biases (0-based index). */
  layerWeights(index: number): { weights: Float32Array; biases: Float32Array } {
    const slot = this.layout.layers[index];
    if (slot === undefined) throw invalidArgument('index', `a layer index in 0..${this.layout.layers.length - 1}`, index);
    const params = this.engine.params();
    return { weights: params.slice(slot.weightOffset, slot.biasOffset), biases: params.slice(slot.biasOffset, slot.biasOffset + slot.units) };
  }

  /** Input standardisation, column names and class names (all null until set). Arrays are copies. */
  get dataSchema(): DataSchema {
    const { standardization: s, features, classes } = this.#schema;
    return { ...this.#schema, standardization: s && { mean: s.mean.slice(), std: s.std.slice() }, features: features && [...features], classes: classes && [...classes] };
  }

  /**
   * Set any of: `standardization` ({ mean, std } per input; predict, evaluate and fit then take raw
   * features), `features` and `target` (column names), `classes` (class i's name). null clears one.
   */
  setDataSchema(changes: DataSchemaOptions): void {
    this.#schema = requireDataSchema(changes, this.#schema, this.architecture);
  }

  /** x as the layers see it: standardised when the network standardises its inputs (a copy), else x itself. */
  #layerInputs(x: Float32Array, name: string): { data: Float32Array; rows: number } {
    const checked = requireMatrix(x, name, this.inputs);
    const stats = this.#schema.standardization;
    return stats === null ? checked : { data: standardize(checked.data, stats), rows: checked.rows };
  }

  /** Outputs (rows × outputs) for x (rows × inputs). */
  predict(x: Float32Array): Float32Array {
    const { data, rows } = this.#layerInputs(x, 'x');
    return predictRows(this.engine, data, rows);
  }

  /** Mean loss, and accuracy for classifiers (null for regression). */
  evaluate(x: Float32Array, y: Float32Array | Uint8Array | Int32Array): { loss: number; accuracy: number | null } {
    const { data, rows } = this.#layerInputs(x, 'x');
    const targets = requireTargets(y, 'y', rows, this.outputs);
    const { loss, correct } = evaluateRows(this.engine, data, targets, rows);
    return { loss, accuracy: this.isClassifier ? correct / rows : null };
  }

  /**
   * Train; see FitOptions. Resolves to the per-epoch history. With `standardize: true` a network
   * that has no standardisation yet takes it from the training rows (not the validation rows).
   */
  fit(x: Float32Array, y: Float32Array | Uint8Array | Int32Array, options: FitOptions = {}): Promise<History> {
    if (options?.standardize === true && this.#schema.standardization === null) {
      const { rows } = requireMatrix(x, 'x', this.inputs);
      const split = options.validationData === undefined ? options.validationSplit ?? 0 : 0;
      const trainRows = typeof split === 'number' && split > 0 && split < 1 ? rows - Math.floor(rows * split) : rows;
      this.setDataSchema({ standardization: computeStandardization(x, this.inputs, Math.max(trainRows, 1)) });
    }
    if (this.#schema.standardization === null) return fit(this, x, y, options);
    const validationData = options.validationData === undefined ? undefined
      : [this.#layerInputs(options.validationData[0], 'validationData[0]').data, options.validationData[1]] as [Float32Array, typeof y];
    return fit(this, this.#layerInputs(x, 'x').data, y, { ...options, validationData });
  }

  /** This network as an ONNX model (opset 13): see src/interop/onnx.ts for the graph it writes. */
  async toOnnx(): Promise<Uint8Array> {
    // loaded on first use: protobufjs stays out of programs that never touch ONNX
    const { encodeOnnx } = await import('../interop/onnx.js');
    return encodeOnnx({ architecture: this.architecture, params: this.engine.params(), layout: this.layout, schema: this.#schema });
  }

  /** A network from an ONNX model of a dense MLP (see src/interop/onnx-import.ts for what is read). */
  static async fromOnnx(bytes: Uint8Array, options: BackendOptions & { loss?: LossName } = {}, source = 'ONNX model'): Promise<Network> {
    const { decodeOnnx } = await import('../interop/onnx-import.js');
    return Network.#restore(decodeOnnx(bytes, source, options.loss), options);
  }

  /** TF.js layers format: model.json's content and the weights.bin bytes (see src/interop/tfjs.ts). */
  toTfjs(): TfjsModel {
    return toTfjs({ architecture: this.architecture, params: this.engine.params(), layout: this.layout, schema: this.#schema });
  }

  /** A network from a TF.js layers model (model.json's content and its weights, in manifest order). */
  static async fromTfjs(modelJson: unknown, weights: Uint8Array | ArrayBuffer, options: BackendOptions & { loss?: LossName } = {}): Promise<Network> {
    return Network.#restore(decodeTfjs(modelJson, weights, options.loss), options);
  }

  /** Architecture, weights and optimizer state in the versioned, checksummed mlpx format. */
  toBuffer(): Uint8Array {
    return encodeNetwork({
      architecture: this.architecture, init: this.init, seed: this.seed, training: this.training,
      params: this.engine.params(), optimizerState: this.engine.optimizerState(), schema: this.#schema,
    });
  }

  static async fromBuffer(bytes: Uint8Array, options: BackendOptions = {}, source = 'buffer'): Promise<Network> {
    // decoding validates every size and value before the backend allocates anything
    return Network.#restore(decodeNetwork(bytes, source), options);
  }

  static async #restore(saved: SavedNetwork, options: BackendOptions): Promise<Network> {
    const net = await Network.#withBackend(saved.architecture, saved.init, saved.seed, options);
    net.engine.params().set(saved.params);
    net.#schema = saved.schema;
    Object.assign(net.training, saved.training);
    if (saved.training.optimizer !== null && saved.training.optimizer.type !== 'armijo' && saved.training.optimizer.type !== 'random') {
      net.engine.setOptimizer(saved.training.optimizer.params.kind);
      net.engine.optimizerState().set(saved.optimizerState);
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

  toString(): string {
    return `Network(${describeArchitecture(this.architecture)}; ${this.parameterCount} parameters; backend ${this.backend.name})`;
  }
}
