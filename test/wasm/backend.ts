// The wasm backend for these tests: loaded directly (not through the registry) so a test can
// change its thread count (and split costs) without affecting other suites; one per kernel build.
import { createWasmBackend, type WasmBackend } from '../../src/backend/wasm/backend.js';
import { nodePlatform } from '../../src/backend/wasm/node.js';
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
