// The wasm backend for these tests: loaded directly (not through the registry) so a test can
// change its thread count (and split costs) without affecting other suites.
import { loadWasmBackend } from '../../src/backend/wasm/node.js';
import type { WasmBackend } from '../../src/backend/wasm/backend.js';
import type { SplitCosts } from '../../src/backend/wasm/threads.js';

/** Every task split into as many chunks as the threads allow, the most the workers can share. */
export const SPLIT_ALL: SplitCosts = { split: 0, splitIdle: 0, chunk: 1, adaptive: false };

let loaded: Promise<WasmBackend> | undefined;

export function wasmBackend(): Promise<WasmBackend> {
  loaded ??= loadWasmBackend();
  return loaded;
}
