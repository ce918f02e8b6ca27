// The wasm backend for these tests: loaded directly (not through the registry) so a test can
// change its thread count (and split costs) without affecting other suites; one per kernel build.
import { createWasmBackend, type WasmBackend } from '../../src/backend/wasm/backend.js';
import { loadWasmBackend, nodePlatform } from '../../src/backend/wasm/node.js';
import type { WasmKernels } from '../../src/backend/wasm/kernel-choice.js';
import { WASM_BUILDS } from '../helpers/backends.js';
import type { SplitCosts } from '../../src/backend/wasm/threads.js';

/** Every task split into as many chunks as the threads allow, the most the workers can share. */
export const SPLIT_ALL: SplitCosts = { split: 0, splitIdle: 0, chunk: 1, adaptive: false };

const loaded = new Map<WasmKernels, Promise<WasmBackend>>();

/** The backend with `kernels` (default: the first build this engine runs, as `auto` picks). */
export function wasmBackend(kernels: WasmKernels = WASM_BUILDS[0]!): Promise<WasmBackend> {
  let backend = loaded.get(kernels);
  if (backend === undefined) {
    backend = createWasmBackend(nodePlatform, kernels);
    loaded.set(kernels, backend);
  }
  return backend;
}

/** Two backends of their own (not shared with other suites): one on one thread, one on two. */
export async function oneAndTwoThreads(): Promise<[WasmBackend, WasmBackend]> {
  const [one, two] = await Promise.all([loadWasmBackend(), loadWasmBackend()]);
  one.setThreads(1);
  two.setThreads(2);
  await Promise.all([one.threadsReady(), two.threadsReady()]);
  if (two.runtime.pool?.active !== 2) throw new Error(`two wasm threads needed: ${two.details().notes.join('; ')}`);
  return [one, two];
}
