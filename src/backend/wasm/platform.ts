// What the wasm backend needs from its host, implemented by node.ts (fs, worker_threads) and
// browser.ts (fetch, Web Workers), so nothing Node-only is reachable from the browser entry.

/** What a worker receives: it instantiates `module` over `memory` and parks in worker_loop(ctrl, id). */
export interface WorkerInit {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly ctrl: number;
  readonly id: number;
}

export interface WorkerHandle {
  terminate(): void;
}

export interface WasmPlatform {
  /** e.g. 'worker_threads', 'Web Workers' */
  readonly workerKind: string;
  /** Default thread count: one per core. */
  readonly cores: number;
  /** Compile build/wasm/<file>. */
  compile(file: string): Promise<WebAssembly.Module>;
  /** Why worker threads cannot be used here, or undefined when they can. */
  threadsUnavailable(): string | undefined;
  /** Start a worker running WORKER_SOURCE; `onMessage` gets 'ready' once it is parked, or an error text. */
  startWorker(init: WorkerInit, onMessage: (message: string) => void): WorkerHandle;
}

/** build/wasm/<file>, relative to this file: src/backend/wasm in tests, dist/backend/wasm in the package. */
export function wasmUrl(file: string): URL {
  return new URL(`../../../build/wasm/${file}`, import.meta.url);
}
