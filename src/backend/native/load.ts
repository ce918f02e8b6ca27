// Finds and loads the native addon, sharp-style: try each candidate .node file, remember why each
// one failed, and if none loads throw one message listing every reason and the exact commands
// that fix it. A clone builds build/Release/mlpx.node; the package ships prebuilds/<platform>-
// <arch>/mlpx.node for linux-x64 and linux-arm64 and compiles nothing when installed, so on any
// other platform auto uses wasm until `npx mlpx build-native` builds the addon.
// MLPX_NATIVE_PATH names a single file to load instead (the sanitizer build, other binaries).
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Kernels } from '../kernels.js';
import { KERNEL_NAMES } from '../kernels.js';
import { BackendUnavailableError } from '../../util/errors.js';

/** The Net class of the addon (native/net_napi.cc); the arguments are validated by NativeEngine. */
export interface NativeNet {
  paramCount(): number;
  capacity(): number;
  optimizerKind(): number;
  readParams(out?: Float32Array): Float32Array;
  writeParams(values: Float32Array): void;
  readGrads(out?: Float32Array): Float32Array;
  readOptimizerState(out?: Float32Array): Float32Array;
  writeOptimizerState(values: Float32Array): void;
  setOptimizer(kind: number): void;
  reserve(rows: number): void;
  forward(x: Float32Array, rows: number, out: Float32Array): void;
  /** The forward pass of rows of x into out (rows × outputs), without the training workspace. */
  predict(x: Float32Array, rows: number, out: Float32Array): void;
  evaluate(x: Float32Array, y: Float32Array, rows: number, stats: Float64Array): void;
  gradient(x: Float32Array, y: Float32Array, rows: number, stats: Float64Array): void;
  /** opt: OptimizerParams packed (packOptimizer in kernels.ts) */
  trainStep(x: Float32Array, y: Float32Array, weights: Float32Array | null, rows: number, opt: Float64Array, step: number, stats: Float64Array): void;
  /** Whether the split choice (split_choice.h) runs the next step of `rows` rows on one thread. */
  nextStepOnCaller(rows: number): boolean;
  /** Tests: tells the split choice a step's time in ms; with restart, it starts over first. */
  observeSplitChoice(ms: number, restart?: boolean): void;
  trainEpoch(
    x: Float32Array, y: Float32Array, weights: Float32Array | null, rows: number, order: Uint32Array, batchSize: number,
    opt: Float64Array, rates: Float32Array | null, firstStep: number,
    batchStats: Float64Array, onProgress?: (batchesDone: number) => boolean | void,
    /** run it on this thread if its steps run on their caller: settled on return (native/net_napi.cc) */
    now?: boolean,
  ): Promise<number>;
  dispose(): void;
}

export interface NativeAddon extends Kernels {
  Net: new (packedSpec: Int32Array) => NativeNet;
  /** The error classes the addon throws (src/backend/native/engine.ts registers them). */
  setErrorClasses(classes: Record<'InvalidArgumentError' | 'BusyError' | 'DisposedError' | 'MlpxError', new (message: string) => Error>): void;
  /**
   * Bytes of the split forward GEMMs' K-block products (native/net.h depth_partials_floats) that
   * a network of these layer sizes makes room for in the process's buffer when it reserves `rows` rows.
   */
  depthPartialsBytes(sizes: Int32Array, rows: number): number;
  /**
   * Bytes of the copy of the weights that predict packs (native/inference.h packed_weights_floats)
   * for a network of these layer sizes, on the kernel path in use.
   */
  packedWeightsBytes(sizes: Int32Array): number;
  /** The numbers the addon shares with TypeScript (test/parity/layout.test.ts). */
  readonly layout: Readonly<Record<string, number | readonly number[]>>;
  setThreads(threads: number): void;
  threads(): number;
  /** The kernel path in use ('avx512', 'avx2' or 'portable'). */
  kernelPath(): string;
  /** The kernel paths this CPU and OS can run, fastest first. */
  kernelPaths(): string[];
  /** Switch to one of kernelPaths(); false (and no change) for any other name. */
  setKernelPath(path: string): boolean;
  /**
   * GFLOP/s of `threads` fresh threads running the kernel path's independent multiply-add chains
   * for `seconds` (blocks meanwhile): the arithmetic bound benchmarks compare native rows to.
   */
  fmaPeak(threads: number, seconds: number): number;
  /**
   * Mean nanoseconds per round trip of a flag handed back and forth `roundTrips` times between
   * two threads (blocks meanwhile): what any work split across cores pays per hand-over.
   */
  coreRoundTrip(roundTrips: number): number;
  /**
   * Tests: the way the split choice runs each of `steps` steps from its start (1: on the caller
   * alone), told times[2i] ms for step i run split and times[2i + 1] ms run on the caller.
   */
  splitChoiceWays(steps: number, times: Float64Array): Uint8Array;
  /** Tests and benchmarks: the jobs the thread pool has handed to its workers, ever (mod 2³²). */
  poolJobsPosted(): number;
  /** Benchmarks: the jobs the pool kept on the caller after finding a worker preempted, ever. */
  poolBackedOffJobs(): number;
}

// This file is src/backend/native/load.ts under tests and dist/backend/native/load.js when
// installed: the package root is three levels up either way.
const ROOT = new URL('../../../', import.meta.url);

export const platformTag = `${process.platform}-${process.arch}`;

export function candidatePaths(): string[] {
  const override = process.env['MLPX_NATIVE_PATH'];
  if (override !== undefined && override !== '') return [override];
  return [
    'build/Release/mlpx.node', // cmake-js and node-gyp
    'build/Debug/mlpx.node',
    `prebuilds/${platformTag}/mlpx.node`,
  ].map((relative) => fileURLToPath(new URL(relative, ROOT)));
}

function missingExports(addon: Record<string, unknown>): string[] {
  const required = [...KERNEL_NAMES, 'Net', 'depthPartialsBytes', 'packedWeightsBytes', 'setThreads', 'threads', 'kernelPath', 'kernelPaths', 'setKernelPath', 'fmaPeak', 'coreRoundTrip', 'setErrorClasses'];
  return required.filter((name) => typeof addon[name] !== 'function');
}

export function loadAddon(): NativeAddon {
  return loadAddonFile().addon;
}

/** loadAddon, and which of candidatePaths() it loaded (a child process can require the same file). */
export function loadAddonFile(): { addon: NativeAddon; file: string } {
  const require = createRequire(import.meta.url);
  const failures: string[] = [];
  for (const file of candidatePaths()) {
    if (!existsSync(file)) {
      failures.push(`${file}: not found`);
      continue;
    }
    try {
      const addon = require(file) as Record<string, unknown>;
      const missing = missingExports(addon);
      if (missing.length === 0) return { addon: addon as unknown as NativeAddon, file };
      failures.push(`${file}: out of date (no ${missing.join(', ')}); rebuild it`);
    } catch (error) {
      failures.push(`${file}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new BackendUnavailableError(loadFailureMessage(failures));
}

/** How to get the addon where none loads: `mlpx info` prints it too. */
export const BUILD_HINT = 'npx mlpx build-native (needs CMake ≥ 3.15 and a C++17 compiler, e.g. apt-get install cmake g++; it fetches cmake-js, node-addon-api and node-api-headers from npm)';

/** The platforms this package carries a prebuilt addon for. */
export function prebuiltPlatforms(): string[] {
  try {
    return readdirSync(new URL('prebuilds/', ROOT)).filter((dir) => existsSync(new URL(`prebuilds/${dir}/mlpx.node`, ROOT))).sort();
  } catch {
    return [];
  }
}

function loadFailureMessage(failures: readonly string[]): string {
  const prebuilt = prebuiltPlatforms();
  const noPrebuilt = prebuilt.includes(platformTag) ? [] : [
    `This package has no prebuilt addon for ${platformTag} (it has: ${prebuilt.length > 0 ? prebuilt.join(', ') : 'none'}).`,
  ];
  return [
    `Could not load the native backend (mlpx.node) for ${platformTag}, Node ${process.versions.node}.`,
    ...noPrebuilt,
    'Tried:',
    ...failures.map((failure) => `  - ${failure}`),
    'Possible solutions:',
    `  - Build it from source: ${BUILD_HINT}`,
    '  - In a clone of the mlpx repository: npm run build:native',
    "  - Or use another backend: backend: 'wasm' in Network.create, or MLPX_BACKEND=wasm",
  ].join('\n');
}
