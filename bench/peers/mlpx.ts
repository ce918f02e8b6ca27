// mlpx contenders: every backend that loads (native and wasm at 1 thread and all cores, js
// at 1), driven through the Backend/Engine contract. Backends that do not load are printed
// with the registry's reason.
import os from 'node:os';
import { backendInfo, loadBackend } from '../../src/index.js';
import type { Backend, BackendName, BoundData, Engine } from '../../src/backend/engine.js';
import { STAT_LOSS, STATS_PER_BATCH } from '../../src/backend/engine.js';
import { loadAddon } from '../../src/backend/native/load.js';
import type { Contender, PeakProbe, Runner } from '../harness.js';
import { VALIDATION_STEPS, forwardFlopsPerSample, trainFlopsPerSample, validationLosses, type GemmCase, type InferCase, type TrainCase } from '../cases.js';
import { checkClose, checkGemm, checkLosses } from '../validate.js';
import { log } from '../log.js';

export interface MlpxTarget {
  readonly name: BackendName;
  readonly backend: Backend;
  readonly threads: number;
}

/** Loadable backends × thread counts (as the backend reports them after setThreads). */
export async function mlpxTargets(): Promise<MlpxTarget[]> {
  const cores = os.availableParallelism();
  const targets: MlpxTarget[] = [];
  for (const status of await backendInfo()) {
    if (!status.available) {
      log(`note: mlpx ${status.name} backend not measured: ${status.reason}`);
      continue;
    }
    const backend = await loadBackend(status.name);
    const seen = new Set<number>();
    for (const wanted of status.name === 'js' ? [1] : [1, cores]) {
      backend.setThreads(wanted);
      const threads = backend.details().threads;
      if (threads !== wanted) log(`note: mlpx ${status.name} asked for ${wanted} threads, runs ${threads}: ${backend.details().notes.join('; ')}`);
      if (!seen.has(threads)) targets.push({ name: status.name, backend, threads });
      seen.add(threads);
    }
    log(`mlpx ${status.name}: ${backend.details().kernelPath}, threads ${[...seen].join(' and ')}`);
  }
  return targets;
}

/** setThreads, then wait until the wasm backend's workers run, so timing starts at full strength. */
export async function selectThreads(target: MlpxTarget): Promise<void> {
  const backend = target.backend as Backend & { threadsReady?: () => Promise<void> };
  const before = backend.details().threads;
  backend.setThreads(target.threads);
  if (backend.threadsReady === undefined || before === target.threads) return;
  await backend.threadsReady();
}

/** Round trips per core round-trip probe: ~2 ms at 400 ns, ~65 ms where both threads share a core. */
const ROUND_TRIPS = 5000;

/**
 * The native addon's FMA peak (its widest kernel path in use), probed for `seconds` per thread
 * count, or undefined when native does not load.
 */
export function nativePeakProbe(targets: readonly MlpxTarget[], seconds: number): PeakProbe | undefined {
  if (!targets.some((t) => t.name === 'native')) return undefined;
  const addon = loadAddon(); // the module the native backend loaded (require caches it)
  const cores = os.availableParallelism();
  return {
    path: addon.kernelPath(), cores, seconds,
    measure: () => ({ one: addon.fmaPeak(1, seconds), all: addon.fmaPeak(cores, seconds), roundTripNs: addon.coreRoundTrip(ROUND_TRIPS) }),
  };
}

/** The reference backend only takes small work; bigger cases would dominate the run. */
const JS_MAX_GFLOP = 0.07;

abstract class MlpxContender<C> implements Contender<C> {
  readonly impl = 'mlpx';
  readonly backend: string;
  readonly threads: number;
  constructor(protected readonly target: MlpxTarget) {
    this.backend = target.name;
    this.threads = target.threads;
  }
  /**
   * setThreads before building anything and before every round (engines may read it either
   * time), then wait for the wasm backend's workers to be running, so no round is timed while
   * they start.
   */
  protected select = (): Promise<void> => selectThreads(this.target);
  abstract prepare(c: C): Promise<Runner>;
  /**
   * The native and wasm rows name their flops per call, so the harness probes the FMA peak and the
   * core round trip after each of their rounds: native rows are read against that bound, and the
   * multi-thread rows of both count their scaling in the rounds whose threads had a core each.
   */
  flopsPerCall?: (c: C) => number;
  protected boundBy(flops: (c: C) => number): void {
    if (this.target.name !== 'js') this.flopsPerCall = flops;
  }
}

export class MlpxGemm extends MlpxContender<GemmCase> {
  constructor(target: MlpxTarget) {
    super(target);
    this.boundBy((c) => 2 * c.m * c.k * c.n);
  }
  skip(c: GemmCase): string | undefined {
    return this.target.name === 'js' && (2 * c.m * c.k * c.n) / 1e9 > JS_MAX_GFLOP ? 'reference loops: small shapes only' : undefined;
  }
  async prepare({ m, k, n, a, b }: GemmCase): Promise<Runner> {
    await this.select();
    const kernels = this.target.backend.kernels;
    const out = new Float32Array(m * n);
    kernels.matmul_nn(out, a, b, m, k, n);
    checkGemm(out, a, b, m, k, n);
    return { select: this.select, run: () => kernels.matmul_nn(out, a, b, m, k, n) };
  }
}

/**
 * What a backend times a case on, shared by its thread counts: each contender validates on an
 * engine of its own, then all of them time the same engine, so a row's ratio to one thread
 * compares the same buffers and only the threads differ. Two engines of one network land at
 * different addresses, and that alone moved a batch-1 call by up to 5% either way between
 * processes (bench/ab/ab.ts infer with both sides on one thread).
 */
class TimedOnOneEngine<C extends object, T> {
  readonly #shared = new WeakMap<C, Map<BackendName, { timed: T; users: number }>>();
  constructor(private readonly create: (backend: Backend, c: C) => T, private readonly release: (timed: T) => void) {}

  /** The case's timed state on `backend` (created by the first caller), and its release for this caller. */
  take(backend: MlpxTarget, c: C): { timed: T; done: () => void } {
    let perCase = this.#shared.get(c);
    if (perCase === undefined) this.#shared.set(c, perCase = new Map());
    let entry = perCase.get(backend.name);
    if (entry === undefined) perCase.set(backend.name, entry = { timed: this.create(backend.backend, c), users: 0 });
    entry.users++;
    const shared = entry;
    return {
      timed: shared.timed,
      done: () => {
        if (--shared.users > 0) return;
        perCase!.delete(backend.name);
        this.release(shared.timed);
      },
    };
  }
}

interface TimedTraining { engine: Engine; data: BoundData; stats: Float64Array; batches: number; step: number }

const timedTraining = new TimedOnOneEngine<TrainCase, TimedTraining>((backend, c) => {
  const engine = backend.createEngine(c.spec);
  engine.writeParams(c.params);
  engine.setOptimizer(c.opt.kind);
  engine.reserve(c.batch);
  const batches = Math.ceil(c.samplesPerCall / c.batch);
  return { engine, data: engine.bindData(c.data.x, c.data.y, c.samplesPerCall), stats: new Float64Array(batches * STATS_PER_BATCH), batches, step: 0 };
}, ({ engine, data }) => {
  data.release();
  engine.dispose();
});

export class MlpxTrain extends MlpxContender<TrainCase> {
  constructor(target: MlpxTarget) {
    super(target);
    this.boundBy((c) => c.samplesPerCall * trainFlopsPerSample(c.spec.sizes));
  }
  async prepare(c: TrainCase): Promise<Runner> {
    await this.select();
    const validated = this.target.backend.createEngine(c.spec);
    try {
      checkLosses(validationLosses(validated, c), c.referenceLosses, 1e-3, `${this.backend} losses of ${VALIDATION_STEPS} steps`);
    } finally {
      validated.dispose();
    }
    const { timed, done } = timedTraining.take(this.target, c);
    return {
      select: this.select,
      run: async () => {
        const { engine, data, stats, batches } = timed;
        const finished = await engine.trainEpoch(data, c.order, c.batch, c.opt, timed.step + 1, stats);
        if (finished !== batches || !Number.isFinite(stats[(batches - 1) * STATS_PER_BATCH + STAT_LOSS]!)) throw new Error(`training diverged after ${finished} batches`);
        timed.step += batches;
      },
      dispose: done,
    };
  }
}

const timedInference = new TimedOnOneEngine<InferCase, Engine>((backend, c) => {
  const engine = backend.createEngine(c.spec);
  engine.writeParams(c.params);
  engine.reserve(c.batch);
  return engine;
}, (engine) => engine.dispose());

export class MlpxInfer extends MlpxContender<InferCase> {
  constructor(target: MlpxTarget) {
    super(target);
    this.boundBy((c) => c.batch * forwardFlopsPerSample(c.spec.sizes));
  }
  async prepare(c: InferCase): Promise<Runner> {
    await this.select();
    const { timed: engine, done } = timedInference.take(this.target, c);
    const out = new Float32Array(c.reference.length);
    try {
      engine.forward(c.x, c.batch, out);
      checkClose(out, c.reference, 1e-6, 1e-4, `${this.backend} forward`);
    } catch (error) {
      done();
      throw error;
    }
    return { select: this.select, run: () => engine.forward(c.x, c.batch, out), dispose: done };
  }
}
