// What the wasm backend needs from its host, implemented by node.ts (fs, worker_threads) and
// browser.ts (fetch, Web Workers), so nothing Node-only is reachable from the browser entry.

/** What a worker receives: it instantiates `module` over `memory` and parks in worker_loop(ctrl, id, incarnation). */
export interface WorkerInit {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly ctrl: number;
  readonly id: number;
  /** the worker returns once its id's incarnation word no longer holds this */
  readonly incarnation: number;
}

export interface WorkerHandle {
  terminate(): void;
}

export interface WasmPlatform {
  /** e.g. 'worker_threads', 'Web Workers' */
  readonly workerKind: string;
  /** Default thread count: one per core. */
  readonly cores: number;
  /** Whether the calling thread may block in Atomics.wait (not a browser's main thread). */
  readonly callerMayBlock: boolean;
  /** Compile dist/wasm/<file>. */
  compile(file: string): Promise<WebAssembly.Module>;
  /** Why worker threads cannot be used here, or undefined when they can. */
  threadsUnavailable(): string | undefined;
  /** Start a worker running WORKER_SOURCE; `onMessage` gets 'ready' once it is parked, or an error text. */
  startWorker(init: WorkerInit, onMessage: (message: string) => void): WorkerHandle;
}

let wasmBase: URL | undefined;

/**
 * Where the .wasm files are served from, for bundles that move this module away from the
 * package layout (copy node_modules/mlpx/dist/wasm/*.wasm there). Call before the first network.
 */
export function setWasmLocation(base: string | URL): void {
  wasmBase = new URL(String(base).endsWith('/') ? String(base) : `${String(base)}/`, globalThis.location?.href);
}

/** dist/wasm/<file>: relative to this file (src/ or dist/backend/wasm, 3 levels below the root) unless set. */
export function wasmUrl(file: string): URL {
  return new URL(wasmBase === undefined ? `../../../dist/wasm/${file}` : file, wasmBase ?? import.meta.url);
}
