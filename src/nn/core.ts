// What a Network owns and users never touch: its engine, its training state, and the rules for
// using them while a fit runs. One fit at a time: while it runs, calls that would change the
// network (another fit, setWeights, save/toBuffer, dispose) throw a BusyError before touching
// anything; reads (predict, evaluate, getWeights) see a consistent snapshot: the weights at the
// start of the fit, then at the end of each finished epoch.
import type { Backend, Engine } from '../backend/engine.js';
import type { NetSpec } from '../backend/layout.js';
import { BusyError, DisposedError } from '../util/errors.js';
import type { Architecture } from './architecture.js';
import { EMPTY_SCHEMA, type DataSchema } from './data-schema.js';
import type { ResolvedOptimizer } from './optimizers.js';

/** Training progress that a saved network carries so training resumes where it stopped. */
export interface TrainingState {
  /** optimizer updates applied (Adam's t) */
  step: number;
  epochsTrained: number;
  optimizer: ResolvedOptimizer | null;
}

export class NetworkCore {
  readonly training: TrainingState = { step: 0, epochsTrained: 0, optimizer: null };
  /** input standardisation and column/class names; replaced whole, never mutated */
  schema: DataSchema = EMPTY_SCHEMA;
  #fitting = false;
  #disposed = false;
  /** the weights reads see while a fit runs, and their version */
  #snapshot: Float32Array | null = null;
  #snapshotVersion = 0;
  /** a second engine holding the snapshot, made when something reads during a fit */
  #reader: Engine | null = null;
  #readerVersion = -1;

  constructor(
    readonly architecture: Architecture,
    readonly spec: NetSpec,
    readonly seed: number,
    readonly backend: Backend,
    readonly engine: Engine,
  ) {}

  get inputs(): number { return this.spec.sizes[0]!; }
  get outputs(): number { return this.spec.sizes[this.spec.sizes.length - 1]!; }

  /** For calls that change the network: a DisposedError, or a BusyError while a fit runs. */
  requireIdle(call: string): void {
    this.requireAlive(call);
    if (this.#fitting) throw new BusyError(`${call}: this network is training (fit has not settled yet); await the running fit first`);
  }

  /** For reads: a DisposedError once disposed. */
  requireAlive(call: string): void {
    if (this.#disposed) throw new DisposedError(`${call}: this network was disposed`);
  }

  /** Runs a fit: the network is busy until it settles. */
  async runFit<T>(body: () => Promise<T>): Promise<T> {
    this.requireIdle('fit');
    this.#fitting = true;
    try {
      this.publish(this.engine.readParams());
      return await body();
    } finally {
      this.#fitting = false;
      this.#snapshot = null;
      this.#reader?.dispose();
      this.#reader = null;
    }
  }

  /** During a fit: the weights reads see from now on (the fit hands over a copy it will not change). */
  publish(weights: Float32Array): void {
    this.#snapshot = weights;
    this.#snapshotVersion++;
  }

  /** The engine to read through: the network's own, or during a fit one holding the snapshot. */
  reader(call: string): Engine {
    this.requireAlive(call);
    if (this.#snapshot === null) return this.engine;
    this.#reader ??= this.backend.createEngine(this.spec);
    if (this.#readerVersion !== this.#snapshotVersion) {
      this.#reader.writeParams(this.#snapshot);
      this.#readerVersion = this.#snapshotVersion;
    }
    return this.#reader;
  }

  /** A copy of the weights: during a fit, of the snapshot. */
  weights(call: string): Float32Array {
    this.requireAlive(call);
    return this.#snapshot?.slice() ?? this.engine.readParams();
  }

  dispose(): void {
    if (this.#disposed) return;
    this.requireIdle('dispose');
    this.#disposed = true;
    this.engine.dispose();
  }
}
