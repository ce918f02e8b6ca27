// Types of wasm-work.js (plain JS so the Chromium page can load it as it is).
import type { WasmBackend } from '../../src/backend/wasm/backend.js';

export interface TrainCaseOptions { net: string; batch: number; rows: number; opt?: string; sigmoid?: boolean; hidden?: string }
export const THREAD_CASES: readonly TrainCaseOptions[];

export interface Work { readonly unit: string; readonly work: number; run(): void | Promise<void> }
export function trainWork(backend: WasmBackend, ids: { Activation: object; Loss: object; Optimizer: object }, options: TrainCaseOptions): Work;
export interface GemmCaseOptions { m: number; k: number; n: number; reps: number }
export function gemmWork(backend: WasmBackend, options: GemmCaseOptions): Work;
export function caseName(c: ({ kind: 'train' } & TrainCaseOptions) | ({ kind: 'gemm' } & GemmCaseOptions)): string;

export interface RoundsResult {
  rates: [number, number];
  ratio: number;
  quartiles: [number, number];
  cpuRatio: number | undefined;
  probe: number | undefined;
  probeQuartiles: [number, number] | undefined;
  gatedOut: number;
  /** The B/A ratios of the rounds on close and on distant cores (with coreTrip), if any. */
  closeCores: CoreRounds | undefined;
  distantCores: CoreRounds | undefined;
}
export interface CoreRounds { ratio: number; quartiles: [number, number]; rounds: number }
export function abRounds(works: readonly Work[], options: {
  rounds: number; roundMs: number; now?: () => number; cpu?: () => number; probe?: () => Promise<number>; gate?: number;
  coreTrip?: () => number; closeNs?: number;
}): Promise<RoundsResult>;

export const PROBE_WORKER_SOURCE: string;
export function capabilityProbe<W>(workers: readonly W[], ask: (worker: W, reps: number) => Promise<number>, reps?: number): () => Promise<number>;
export function calibrate(single: WasmBackend, pair: WasmBackend, options: { now?: () => number; sleep: (ms: number) => Promise<void> }): Promise<string[]>;
export function format(rate: number, unit: string): string;
