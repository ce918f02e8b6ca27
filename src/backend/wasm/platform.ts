// What the wasm backend needs from its host, implemented by node.ts (worker_threads) and
// browser.ts (Web Workers, fetch for self-hosted .wasm files), so nothing Node-only is reachable
// from the browser entry; and where a site that hosts the .wasm files serves them.

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

/**
 * The backend's modules: SIMD, and SIMD + shared memory for worker threads; each also with
 * relaxed SIMD (the GEMM's multiply-adds fused).
 */
export type WasmFile = 'mlpx.wasm' | 'mlpx-threads.wasm' | 'mlpx-relaxed.wasm' | 'mlpx-threads-relaxed.wasm';

export interface WasmPlatform {
  /** e.g. 'worker_threads', 'Web Workers' */
  readonly workerKind: string;
  /** Default thread count: one per core. */
  readonly cores: number;
  /** Whether the calling thread may block in Atomics.wait (not a browser's main thread). */
  readonly callerMayBlock: boolean;
  /** Compile one of the modules. */
  compile(file: WasmFile): Promise<WebAssembly.Module>;
  /** Why worker threads cannot be used here, or undefined when they can. */
  threadsUnavailable(): string | undefined;
  /** Start a worker running WORKER_SOURCE; `onMessage` gets 'ready' once it is parked, or an error text. */
  startWorker(init: WorkerInit, onMessage: (message: string) => void): WorkerHandle;
}

let wasmBase: URL | undefined;

/**
 * Load the .wasm files from `base` (a URL, or a path relative to the page) instead of the copies
 * embedded in mlpx's JavaScript: for sites that serve node_modules/mlpx/dist/wasm/*.wasm
 * themselves, e.g. to cache them apart from the script. Call it before the first network.
 */
export function setWasmLocation(base: string | URL): void {
  const text = String(base);
  wasmBase = new URL(text.endsWith('/') ? text : `${text}/`, globalThis.location?.href);
}

/** Where setWasmLocation said `file` is served, or undefined: use the embedded copy. */
export function wasmLocation(file: WasmFile): URL | undefined {
  return wasmBase === undefined ? undefined : new URL(file, wasmBase);
}
