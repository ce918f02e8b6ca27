// mlpx contenders: every backend that loads (native and wasm at 1 thread and all cores, js
// at 1), driven through the Backend/Engine contract. Backends that do not load are printed
// with the registry's reason.
import os from 'node:os';
import { backendInfo, loadBackend } from '../../src/index.js';
import type { Backend, BackendName } from '../../src/backend/engine.js';
import { STAT_LOSS, STATS_PER_BATCH } from '../../src/backend/engine.js';
import { loadAddon } from '../../src/backend/native/load.js';
import type { WasmBackend } from '../../src/backend/wasm/backend.js';
import { countPoolTasks } from '../browser/pool-tasks.js';
import type { Contender, PeakProbe, Runner } from '../harness.js';
import { wasmTasksPosted, type PoolTasks } from '../results.js';
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

/**
 * A counter of the split tasks of a multi-thread native or wasm target: started, it reads the
 * tasks posted to the workers and those the pool kept on the caller after a stall since then.
 */
function poolTaskCounter(target: MlpxTarget): (() => () => PoolTasks) | undefined {
  if (target.threads < 2) return undefined;
  if (target.name === 'native') {
    const addon = loadAddon();
    return () => {
      const posted = addon.poolJobsPosted(), backedOff = addon.poolBackedOffJobs();
      return () => ({ posted: (addon.poolJobsPosted() - posted) >>> 0, backedOff: addon.poolBackedOffJobs() - backedOff });
    };
  }
  if (target.name !== 'wasm') return undefined;
  const backend = target.backend as WasmBackend;
  if (backend.runtime.pool === undefined) return undefined;
  return () => {
    const since = countPoolTasks(backend);
    return () => {
      const { posted, backedOff } = since()!;
      return { posted: wasmTasksPosted(posted), backedOff };
    };
  };
}

/** The reference backend only takes small work; bigger cases would dominate the run. */
const JS_MAX_GFLOP = 0.07;

abstract class MlpxContender<C> implements Contender<C> {
  readonly impl = 'mlpx';
  readonly backend: string;
  readonly threads: number;
  readonly countPoolTasks?: () => () => PoolTasks;
  constructor(protected readonly target: MlpxTarget) {
    this.backend = target.name;
    this.threads = target.threads;
    this.countPoolTasks = poolTaskCounter(target);
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

export class MlpxTrain extends MlpxContender<TrainCase> {
  constructor(target: MlpxTarget) {
    super(target);
    this.boundBy((c) => c.samplesPerCall * trainFlopsPerSample(c.spec.sizes));
  }
  async prepare(c: TrainCase): Promise<Runner> {
    await this.select();
    const engine = this.target.backend.createEngine(c.spec);
    checkLosses(validationLosses(engine, c), c.referenceLosses, 1e-3, `${this.backend} losses of ${VALIDATION_STEPS} steps`);
    const data = engine.bindData(c.data.x, c.data.y, c.samplesPerCall);
    const batches = Math.ceil(c.samplesPerCall / c.batch);
    const stats = new Float64Array(batches * STATS_PER_BATCH);
    let step = VALIDATION_STEPS;
    return {
      select: this.select,
      run: async () => {
        const done = await engine.trainEpoch(data, c.order, c.batch, c.opt, step + 1, stats);
        if (done !== batches || !Number.isFinite(stats[(batches - 1) * STATS_PER_BATCH + STAT_LOSS]!)) throw new Error(`training diverged after ${done} batches`);
        step += batches;
      },
      dispose: () => data.release(),
    };
  }
}

export class MlpxInfer extends MlpxContender<InferCase> {
  constructor(target: MlpxTarget) {
    super(target);
    this.boundBy((c) => c.batch * forwardFlopsPerSample(c.spec.sizes));
  }
  async prepare(c: InferCase): Promise<Runner> {
    await this.select();
    const engine = this.target.backend.createEngine(c.spec);
    engine.writeParams(c.params);
    engine.reserve(c.batch);
    const out = new Float32Array(c.reference.length);
    engine.forward(c.x, c.batch, out);
    checkClose(out, c.reference, 1e-6, 1e-4, `${this.backend} forward`);
    return { select: this.select, run: () => engine.forward(c.x, c.batch, out) };
  }
}
