// The wasm backend for these tests: loaded directly (not through the registry) so a test can
// change its thread count without affecting other suites.
import { loadWasmBackend } from '../../src/backend/wasm/node.js';
import type { WasmBackend } from '../../src/backend/wasm/backend.js';

let loaded: Promise<WasmBackend> | undefined;

export function wasmBackend(): Promise<WasmBackend> {
  loaded ??= loadWasmBackend();
  return loaded;
}
