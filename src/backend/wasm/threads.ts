// Worker threads for the wasm backend: `threads` = the calling thread + (threads − 1) workers,
// each its own instance of the module over the one shared memory, parked in worker_loop
// (assembly/threads.ts). A worker takes part in GEMMs once it reports 'ready'; results do not
// depend on how many do.
import { CTRL, word } from './layout.js';
import type { LinearMemory } from './memory.js';
import type { WasmPlatform, WorkerHandle } from './platform.js';

const GEN_WORD = word(CTRL.CTRL_GEN);
const WORKERS_WORD = word(CTRL.CTRL_WORKERS);
const BLOCKING_WORD = word(CTRL.CTRL_BLOCKING);
const BUSY_WORD = word(CTRL.CTRL_BUSY);
const INCARNATION_WORD = word(CTRL.CTRL_INCARNATION);
const PARKED_WORD = word(CTRL.CTRL_PARKED);
const SPLIT_COST_WORD = word(CTRL.CTRL_SPLIT_COST);
const SPLIT_COST_IDLE_WORD = word(CTRL.CTRL_SPLIT_COST_IDLE);
const CHUNK_COST_WORD = word(CTRL.CTRL_CHUNK_COST);
const ADAPTIVE_WORD = word(CTRL.CTRL_ADAPTIVE);

/**
 * When a task is worth splitting (assembly/threads.ts chunks_for), in its cost model's unit: a
 * GEMM multiply-add on one thread. `split`: the least cost of a task split while a training
 * step runs (workers spinning between tasks); `splitIdle`: the same for a single kernel call
 * (workers parked); `chunk`: the least cost of one chunk; `adaptive`: after a split task stalled
 * (no worker ran, or the caller waited longer than it computed) the next ones stay on the caller
 * for a while (tests and the calibration turn that off to split exactly what the model says).
 */
export interface SplitCosts { readonly split: number; readonly splitIdle: number; readonly chunk: number; readonly adaptive: boolean }

export const DEFAULT_SPLIT_COSTS: SplitCosts = { split: 1 << 18, splitIdle: 1 << 22, chunk: 1 << 17, adaptive: true };

export class ThreadPool {
  readonly #handles: (WorkerHandle | undefined)[] = [];
  readonly #ready: boolean[] = [];
  #threads = 1;
  #waiters: (() => void)[] = [];
  /** last worker failure, shown in details().notes */
  failure: string | undefined;

  constructor(
    private readonly platform: WasmPlatform,
    private readonly module: WebAssembly.Module,
    private readonly mem: LinearMemory,
    /** address of the control block (assembly/threads.ts) */
    readonly ctrl: number,
    private readonly maxWorkers: number,
  ) {
    Atomics.store(this.#words(), BLOCKING_WORD, platform.callerMayBlock ? 1 : 0);
    this.splitCosts = DEFAULT_SPLIT_COSTS;
  }

  /** Tasks posted to the workers so far (tests and benchmarks: which calls were split). */
  get tasksPosted(): number { return Atomics.load(this.#words(), GEN_WORD) >>> CTRL.CTRL_GEN_PARTS_BITS; }

  /** The cost model's thresholds (tests and benchmarks move them to either side of a task). */
  get splitCosts(): SplitCosts {
    const words = this.#words();
    return {
      split: Atomics.load(words, SPLIT_COST_WORD), splitIdle: Atomics.load(words, SPLIT_COST_IDLE_WORD),
      chunk: Atomics.load(words, CHUNK_COST_WORD), adaptive: Atomics.load(words, ADAPTIVE_WORD) !== 0,
    };
  }

  set splitCosts(costs: SplitCosts) {
    const words = this.#words();
    Atomics.store(words, SPLIT_COST_WORD, costs.split);
    Atomics.store(words, SPLIT_COST_IDLE_WORD, costs.splitIdle);
    Atomics.store(words, CHUNK_COST_WORD, costs.chunk);
    Atomics.store(words, ADAPTIVE_WORD, costs.adaptive ? 1 : 0);
  }

  /** Most threads the module supports (caller + MAX_WORKERS). */
  get maxThreads(): number { return this.maxWorkers + 1; }

  /** Requested thread count (caller + workers). */
  get threads(): number { return this.#threads; }

  /** Threads taking part right now (workers that are ready, plus the caller). */
  get active(): number { return Atomics.load(this.#words(), WORKERS_WORD) + 1; }

  setThreads(threads: number): void {
    const workers = Math.min(threads - 1, this.maxWorkers);
    this.#threads = workers + 1;
    this.#publish();
    for (let id = this.#handles.length; id > workers; id--) this.#stop(id);
    for (let id = 1; id <= workers; id++) if (this.#handles[id - 1] === undefined) this.#start(id);
    this.#settle();
  }

  /**
   * Runs a call that posts many tasks in quick succession (a training step, an epoch chunk):
   * meanwhile the workers spin between tasks instead of parking (assembly/threads.ts BUSY, which
   * a small training step also marks: cleared here however the call ends).
   */
  busy<T>(call: () => T): T {
    const words = this.#words();
    Atomics.store(words, BUSY_WORD, 1);
    try {
      return call();
    } finally {
      Atomics.store(words, BUSY_WORD, 0);
    }
  }

  /** Resolves once every requested worker is ready (or has failed). */
  whenReady(): Promise<void> {
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      this.#settle();
    });
  }

  /** the control words */
  #words(): Int32Array { return this.mem.i32(this.ctrl, word(CTRL.CTRL_HEADER_BYTES)); }

  #start(id: number): void {
    const incarnation = Atomics.add(this.#words(), INCARNATION_WORD + id, 1) + 1;
    this.#ready[id - 1] = false;
    const init = { module: this.module, memory: this.mem.memory, ctrl: this.ctrl, id, incarnation };
    this.#handles[id - 1] = this.platform.startWorker(init, (message) => {
      if (this.#handles[id - 1] === undefined) return; // stopped meanwhile
      if (message === 'ready') {
        this.#ready[id - 1] = true;
      } else {
        this.failure = `worker ${id} failed: ${message}`;
        this.#handles[id - 1]?.terminate();
        this.#handles[id - 1] = undefined;
      }
      this.#publish();
      this.#settle();
    });
  }

  #stop(id: number): void {
    const words = this.#words();
    Atomics.add(words, INCARNATION_WORD + id, 1); // its worker_loop returns
    Atomics.notify(words, GEN_WORD);
    this.#handles[id - 1]?.terminate();
    Atomics.store(words, PARKED_WORD + id, 0); // terminated, it may never clear it itself
    this.#handles.length = id - 1;
    this.#ready.length = id - 1;
  }

  /** Wake whenReady() callers once no requested worker is still starting. */
  #settle(): void {
    for (let id = 1; id < this.#threads; id++) if (this.#handles[id - 1] !== undefined && !this.#ready[id - 1]) return;
    for (const resolve of this.#waiters.splice(0)) resolve();
  }

  /** Workers 1..n take part when all of them are ready (ids index their packing scratch). */
  #publish(): void {
    let n = 0;
    while (n + 1 < this.#threads && this.#ready[n] === true) n++;
    Atomics.store(this.#words(), WORKERS_WORD, n);
  }
}
