// Where a training step's time goes, per kernel path and backend, for the headline training case
// and the MNIST recipe's network.
//   instrumented: the profile build of the addon (native/profile.h, built here into
//     build/profile/ when missing or older than a native source) runs whole epochs; its phase
//     clocks give the wall time of each kernel on the training thread per step, and within it the
//     time the thread waited for pool workers; the rest of the epoch's time per step is the loop
//     around the kernels (gathering each batch, the step's bookkeeping). Every kernel path the
//     CPU has, on 1 thread; the widest also on all cores. The same for the wasm threads module's
//     profile build (assembly/profile.ts, built into build/wasm-profile/), on 1 and 2 threads;
//     its phases include the waits for workers, which it does not count apart.
//   by subtraction (wasm, and native's default build as a check of the instrumented one): the
//     engine's own entry points, each timed alone on one batch (the fastest of 7 rounds):
//     evaluate (forward + loss), gradient − evaluate (backward and ‖g‖²), trainStep − gradient
//     (the optimizer update); and an epoch's time per step minus trainStep (the epoch loop
//     around the steps).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { STATS_PER_BATCH, type Engine } from '../../src/backend/engine.js';
import type { NetSpec } from '../../src/backend/layout.js';
import { NativeEngine } from '../../src/backend/native/engine.js';
import { createWasmBackend } from '../../src/backend/wasm/backend.js';
import { embeddedWasm } from '../../src/backend/wasm/embedded.js';
import { nodePlatform } from '../../src/backend/wasm/node.js';
import type { NativeAddon } from '../../src/backend/native/load.js';
import { buildNative } from '../../native/build.mjs';
import { classifierSpec, OPTIMIZERS, shapeName, type OptimizerName } from '../cases.js';
import { classification, initParams, permutation } from '../data.js';
import { log } from '../log.js';
import type { Peers } from '../peers/index.js';
import { selectThreads, type MlpxTarget } from '../peers/mlpx.js';
import { OUTSIDE_STEP, PHASE_GROUPS, type ProfileRecord } from '../results.js';
import { MNIST_RECIPE } from '../recipe.js';
import { MNIST_SIZES } from './mnist.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PROFILE_BUILD = path.join(ROOT, 'build', 'profile');
const PROFILE_ADDON = path.join(PROFILE_BUILD, 'Release', 'mlpx.node');
const PROFILE_WASM = path.join(ROOT, 'build', 'wasm-profile', 'mlpx-threads.wasm');
/** The wasm profile build's phases by index (assembly/profile.ts PHASE_*), named as native/profile.cc names them. */
export const WASM_PHASES = [
  'forward GEMM', 'activation', 'loss', 'output delta', 'backward GEMM dW', 'bias gradient', 'backward GEMM dX',
  'activation backward', 'gradient norm', 'optimizer update',
];

export const PROFILE_CASES: readonly { sizes: number[]; batch: number; optimizer: OptimizerName }[] = [
  { sizes: [784, 128, 10], batch: 128, optimizer: 'sgd' },
  { sizes: MNIST_SIZES, batch: MNIST_RECIPE.batch, optimizer: MNIST_RECIPE.optimizer },
];

interface ProfileAddon extends NativeAddon {
  profileRead(): { phase: string; seconds: number; waitSeconds: number }[];
  profileReset(): void;
}

/** The profile build, (re)built when missing or older than any native source. */
function profileAddon(): ProfileAddon | string {
  const newest = Math.max(newestIn(path.join(ROOT, 'native'), /\.(cc|h|inc)$/), statSync(path.join(ROOT, 'CMakeLists.txt')).mtimeMs);
  if (!existsSync(PROFILE_ADDON) || statSync(PROFILE_ADDON).mtimeMs < newest) {
    log(`profile: building the profile addon into ${path.relative(ROOT, PROFILE_BUILD)} (native/build.mjs --profile)`);
    const built = buildNative({ out: PROFILE_BUILD, profile: true, log: (line) => log(`  ${line}`) });
    if (!built.ok) return `the profile build failed: ${built.reason}`;
  }
  const addon = createRequire(import.meta.url)(PROFILE_ADDON) as Partial<ProfileAddon>;
  return typeof addon.profileRead === 'function' ? addon as ProfileAddon : `${PROFILE_ADDON} has no profileRead (not a profile build)`;
}

/** Newest modification time of the files in `dir` whose names match `pattern`. */
const newestIn = (dir: string, pattern: RegExp): number =>
  Math.max(...readdirSync(dir).filter((f) => pattern.test(f)).map((f) => statSync(path.join(dir, f)).mtimeMs));

/** What an instrumented build reports: its phase clocks since the last reset. */
interface Profiler {
  reset(): void;
  read(): { phase: string; seconds: number; waitSeconds: number | null }[];
}

interface WasmProfileExports { profile_read(phase: number): number; profile_reset(): void; PHASE_COUNT: WebAssembly.Global }

/** A wasm backend running the profile build of the threads module on `threads` threads, with its clocks; (re)built when missing or older than an assembly source. */
export async function wasmProfiled(threads: number): Promise<{ backend: Awaited<ReturnType<typeof createWasmBackend>>; profiler: Profiler }> {
  const newest = Math.max(newestIn(path.join(ROOT, 'assembly'), /\.(ts|mjs|json)$/),
    statSync(createRequire(import.meta.url).resolve('assemblyscript/package.json')).mtimeMs);
  if (!existsSync(PROFILE_WASM) || statSync(PROFILE_WASM).mtimeMs < newest) {
    log(`profile: building the wasm profile module into ${path.relative(ROOT, path.dirname(PROFILE_WASM))} (assembly/build.mjs --profile)`);
    execFileSync(process.execPath, [path.join(ROOT, 'assembly', 'build.mjs'), '--profile'], { stdio: 'pipe' });
  }
  const bytes = readFileSync(PROFILE_WASM);
  const backend = await createWasmBackend({
    ...nodePlatform,
    compile: (file) => WebAssembly.compile(file === 'mlpx-threads.wasm' ? bytes : embeddedWasm(file)),
  }, 'simd128'); // the profile build is of the simd128 module
  backend.setThreads(threads);
  await backend.threadsReady();
  const running = backend.runtime.pool?.active ?? 1;
  if (running !== threads) throw new Error(`the wasm profile module runs ${running} threads, not ${threads}`);
  const clocks = backend.runtime.exports as unknown as Partial<WasmProfileExports>;
  if (typeof clocks.profile_read !== 'function' || typeof clocks.profile_reset !== 'function' || clocks.PHASE_COUNT === undefined) {
    throw new Error(`${PROFILE_WASM} has no profile_read (not a profile build)`);
  }
  if (clocks.PHASE_COUNT.value !== WASM_PHASES.length) throw new Error(`${PROFILE_WASM} has ${String(clocks.PHASE_COUNT.value)} phases, the bench names ${WASM_PHASES.length}`);
  const { profile_read: read, profile_reset: reset } = clocks;
  return {
    backend,
    profiler: { reset, read: () => WASM_PHASES.map((phase, i) => ({ phase, seconds: read(i) / 1000, waitSeconds: null })) },
  };
}

interface Work { spec: NetSpec; batch: number; optimizer: OptimizerName; x: Float32Array; y: Float32Array; rows: number; order: Uint32Array }

function work(c: (typeof PROFILE_CASES)[number]): Work {
  const rows = c.batch * 64;
  const data = classification(rows, c.sizes[0]!, c.sizes[c.sizes.length - 1]!, 21);
  return { spec: classifierSpec(c.sizes), batch: c.batch, optimizer: c.optimizer, x: data.x, y: data.y, rows, order: permutation(rows, 2) };
}

/** An engine with the case's initial weights, its data bound, and a function running one epoch. */
function trainer(engine: Engine, w: Work): { epoch: () => Promise<void>; steps: number; release: () => void } {
  engine.writeParams(initParams(w.spec.sizes, 3));
  engine.setOptimizer(OPTIMIZERS[w.optimizer].kind);
  engine.reserve(w.batch);
  const bound = engine.bindData(w.x, w.y, w.rows);
  const steps = Math.ceil(w.rows / w.batch);
  const stats = new Float64Array(steps * STATS_PER_BATCH);
  let step = 1;
  return {
    steps,
    epoch: async () => {
      const done = await engine.trainEpoch(bound, w.order, w.batch, OPTIMIZERS[w.optimizer], step, stats);
      if (done !== steps) throw new Error(`profile: training stopped after ${done} of ${steps} batches`);
      step += steps;
    },
    release: () => bound.release(),
  };
}

/** Epochs for at least `seconds` (after one to warm up): the steps run and their wall time per step in µs. */
async function timeEpochs(t: ReturnType<typeof trainer>, seconds: number, before?: () => void): Promise<{ steps: number; stepUs: number }> {
  await t.epoch();
  before?.();
  const start = performance.now();
  let epochs = 0;
  do {
    await t.epoch();
    epochs++;
  } while (performance.now() - start < seconds * 1000);
  return { steps: epochs * t.steps, stepUs: ((performance.now() - start) * 1000) / (epochs * t.steps) };
}

const caseOf = (w: Work) => ({ shape: shapeName(w.spec), batch: w.batch, optimizer: w.optimizer });

/** Epochs of `engine` under an instrumented build's clocks: the time per step of each phase, and the rest. */
async function instrumented(engine: Engine, profiler: Profiler, w: Work, label: string, backend: string, path: string, threads: number, seconds: number): Promise<ProfileRecord> {
  const t = trainer(engine, w);
  try {
    const { steps, stepUs } = await timeEpochs(t, seconds, () => profiler.reset());
    const phases: ProfileRecord['phases'] = profiler.read().filter((ph) => ph.seconds > 0 || (ph.waitSeconds ?? 0) > 0).map((ph) => ({
      phase: ph.phase, us: (ph.seconds * 1e6) / steps, waitUs: ph.waitSeconds === null ? null : (ph.waitSeconds * 1e6) / steps,
    }));
    phases.push({ phase: OUTSIDE_STEP, us: stepUs - phases.reduce((sum, ph) => sum + ph.us, 0), waitUs: null });
    return { label, backend, path, threads, ...caseOf(w), method: 'instrumented build', stepUs, phases };
  } finally {
    t.release();
    engine.dispose();
  }
}

function nativeInstrumented(addon: ProfileAddon, w: Work, path: string, threads: number, seconds: number): Promise<ProfileRecord> {
  if (!addon.setKernelPath(path)) throw new Error(`profile: kernel path ${path} not available`);
  addon.setThreads(threads);
  const profiler: Profiler = { reset: () => addon.profileReset(), read: () => addon.profileRead() };
  return instrumented(new NativeEngine(w.spec, addon), profiler, w, `native ${path} ${threads}t`, 'native', path, threads, seconds);
}

/** Mean µs of `call` over `ms` of calls. */
function timeCalls(call: () => void, ms: number): number {
  call();
  const start = performance.now();
  let calls = 0;
  do {
    call();
    calls++;
  } while (performance.now() - start < ms);
  return ((performance.now() - start) * 1000) / calls;
}


async function bySubtraction(engine: Engine, w: Work, label: string, backend: string, path: string, threads: number, seconds: number): Promise<ProfileRecord> {
  const t = trainer(engine, w);
  try {
    const x = w.x.subarray(0, w.batch * w.spec.sizes[0]!);
    const y = w.y.subarray(0, w.batch * w.spec.sizes[w.spec.sizes.length - 1]!);
    const stats = new Float64Array(STATS_PER_BATCH);
    const opt = OPTIMIZERS[w.optimizer];
    let step = 1_000_000; // Adam's bias correction is then ~1, as late in training
    const calls = {
      evaluate: () => engine.evaluate(x, y, w.batch, stats),
      gradient: () => engine.gradient(x, y, w.batch, stats),
      trainStep: () => engine.trainStep(x, y, w.batch, opt, step++, stats),
    };
    const rounds = 7;
    const ms = (seconds * 1000) / (rounds * 4);
    const samples: Record<keyof typeof calls | 'epoch', number[]> = { evaluate: [], gradient: [], trainStep: [], epoch: [] };
    for (let round = 0; round < rounds; round++) {
      for (const name of Object.keys(calls) as (keyof typeof calls)[]) samples[name].push(timeCalls(calls[name], ms));
      samples.epoch.push((await timeEpochs(t, ms / 1000)).stepUs);
    }
    // The fastest round of each: interference from other processes only ever adds time, and a
    // difference of two noisy means would carry the noise of both.
    const fastest = (values: number[]): number => Math.min(...values);
    const [evaluate, gradient, trainStep, stepUs] = [samples.evaluate, samples.gradient, samples.trainStep, samples.epoch].map(fastest) as [number, number, number, number];
    const [forwardLoss, backward, update] = Object.keys(PHASE_GROUPS);
    return {
      label, backend, path, threads, ...caseOf(w), method: 'subtraction of the engine\'s calls', stepUs,
      phases: [
        { phase: forwardLoss!, us: evaluate, waitUs: null },
        { phase: backward!, us: gradient - evaluate, waitUs: null },
        { phase: update!, us: trainStep - gradient, waitUs: null },
        { phase: OUTSIDE_STEP, us: stepUs - trainStep, waitUs: null },
      ],
    };
  } finally {
    t.release();
  }
}

export async function profileSuite(peers: Peers, quick: boolean): Promise<ProfileRecord[]> {
  const seconds = quick ? 0.2 : 2;
  const cores = os.availableParallelism();
  const records: ProfileRecord[] = [];
  const measure = async (what: string, run: () => Promise<ProfileRecord>): Promise<void> => {
    log(`profile: ${what}`, true);
    try {
      const record = await run();
      records.push(record);
      log(`profile: ${record.label} ${record.shape} batch ${record.batch} ${record.optimizer}: ${record.stepUs.toFixed(0)} µs per step`);
    } catch (error) {
      log(`note: profile ${what} not measured: ${(error as Error).message}`);
    }
  };
  const native = peers.mlpx.find((t) => t.name === 'native');
  const addon = native === undefined ? 'the native backend does not load' : profileAddon();
  if (typeof addon === 'string') log(`note: native profile not measured: ${addon}`);
  const wasm = peers.mlpx.filter((t) => t.name === 'wasm');
  for (const c of PROFILE_CASES) {
    const w = work(c);
    if (typeof addon !== 'string') {
      const paths = addon.kernelPaths();
      for (const p of paths) await measure(`native ${p} 1t`, () => nativeInstrumented(addon, w, p, 1, seconds));
      if (cores > 1) await measure(`native ${paths[0]} ${cores}t`, () => nativeInstrumented(addon, w, paths[0]!, cores, seconds));
    }
    if (native !== undefined) {
      const target: MlpxTarget = { ...native, threads: 1 };
      await measure('native default build 1t', async () => {
        await selectThreads(target);
        const path = native.backend.details().kernelPath;
        return bySubtraction(native.backend.createEngine(w.spec), w, `native ${path} 1t (default build)`, 'native', path, 1, seconds);
      });
    }
    for (const target of wasm) {
      await measure(`wasm ${target.threads}t (profile build)`, async () => {
        const { backend, profiler } = await wasmProfiled(target.threads);
        try {
          return await instrumented(backend.createEngine(w.spec), profiler, w, `wasm ${target.threads}t (profile build)`, 'wasm', 'simd128', target.threads, seconds);
        } finally {
          backend.setThreads(1);
        }
      });
      await measure(`wasm ${target.threads}t`, async () => {
        await selectThreads(target);
        return bySubtraction(target.backend.createEngine(w.spec), w, `wasm ${target.threads}t`, 'wasm', 'simd128', target.threads, seconds);
      });
    }
  }
  return records;
}
