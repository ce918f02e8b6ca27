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

  /** Outputs (rows × outputs) for x (rows × inputs). */
  predict(x: Float32Array): Float32Array {
    const { data, rows } = requireMatrix(x, 'x', this.inputs);
    return predictRows(this.engine, data, rows);
  }

  /** Mean loss, and accuracy for classifiers (null for regression). */
  evaluate(x: Float32Array, y: Float32Array | Uint8Array | Int32Array): { loss: number; accuracy: number | null } {
    const { data, rows } = requireMatrix(x, 'x', this.inputs);
    const targets = requireTargets(y, 'y', rows, this.outputs);
    const { loss, correct } = evaluateRows(this.engine, data, targets, rows);
    return { loss, accuracy: this.isClassifier ? correct / rows : null };
  }

  /** Train; see FitOptions. Resolves to the per-epoch history. */
  fit(x: Float32Array, y: Float32Array | Uint8Array | Int32Array, options: FitOptions = {}): Promise<History> {
    return fit(this, x, y, options);
  }

  /** Architecture, weights and optimizer state in the versioned, checksummed mlpx format. */
  toBuffer(): Uint8Array {
    return encodeNetwork({
      architecture: this.architecture, init: this.init, seed: this.seed, training: this.training,
      params: this.engine.params(), optimizerState: this.engine.optimizerState(),
    });
  }

  static async fromBuffer(bytes: Uint8Array, options: BackendOptions = {}, source = 'buffer'): Promise<Network> {
    // decoding validates every size and value before the backend allocates anything
    const saved: SavedNetwork = decodeNetwork(bytes, source);
    const net = await Network.#withBackend(saved.architecture, saved.init, saved.seed, options);
    net.engine.params().set(saved.params);
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
