// Splitting work across workers that share this module's memory: GEMMs (by columns or rows of C),
// the optimizer update and Σg² (by ranges of the flat parameter vector), the batch gather (by rows).
//
// The control block (CTRL_BYTES at `ctrl`, allocated by the JS memory manager above the data
// segments, also holding each thread's GEMM packing scratch) is the only shared state. The
// calling thread writes a task, publishes it by bumping GEN (which also says how many threads
// take part) and notifies; each worker (its own instance, parked in worker_loop) and the caller
// claim chunks of the task from a shared counter until none is left, counting each one completed;
// the caller returns once all are (spinning first; blocking only where allowed: a browser main
// thread may not memory.atomic.wait). Chunks are claimed dynamically, so a thread on a slower
// (shared, throttled) core takes fewer of them, and one that has not woken up yet (or was
// preempted before claiming) holds nothing up: the caller does its share. Each output element
// (of a block of C, a parameter, a block of Σg²) is computed exactly as in the single-threaded
// kernel whichever chunk and thread it falls in: results do not depend on the thread count.
import { gather_rows } from './gather';
import { gemm_kind_block, PACK_BYTES } from './gemm';
import { sum_squares, sum_squares_blocks, SUM_BLOCKS, update_range, UPD_COUNT } from './optim';

// Byte offsets in the control block. GEN packs (task counter << 6) | participants, so a worker
// learns from one atomic load both that a task is new and whether it takes part.
const GEN = 0;
const COMPLETED = 4;  // chunks of the current task completed (or trapped in a worker)
const ERROR = 8;      // set by a worker whose chunk trapped (its JS wrapper sets it)
const WORKERS = 12;   // workers ready to take part (threads − 1), set by JS
const TASK = 16;      // TASK_* below
const ACTIVE = 20;    // workers inside take_chunks (its JS wrapper decrements it after a trap)
const CLAIM = 24;     // (task tag << 16) | next chunk to claim; tag CLOSED between tasks
const NONFINITE = 28; // set by an update chunk that wrote a non-finite value
const BLOCKING = 48;  // 1: the caller may block in memory.atomic.wait (not a browser main thread)
const BUSY = 52;      // 1 while the caller is inside a call that posts tasks in quick succession (set by JS)
const CHUNKS = 60;    // chunks in the current task
const LAST = 64;      // i32 per worker: last GEN it saw (kept across re-entry after a trap)
const INCARNATION = 192; // i32 per worker id: bumped by JS when it stops or replaces that worker
const ARGS = 320;     // the task's arguments, 8 bytes each (ARG_* per task)
const PARTIALS = 448; // f64 per Σx² block
const HEADER_BYTES = PARTIALS + SUM_BLOCKS * 8;

// The words JS reads or writes (src/backend/wasm/layout.ts CTRL, checked by test/parity/layout.test.ts).
export const CTRL_GEN: i32 = GEN;
export const CTRL_COMPLETED: i32 = COMPLETED;
export const CTRL_ERROR: i32 = ERROR;
export const CTRL_WORKERS: i32 = WORKERS;
export const CTRL_ACTIVE: i32 = ACTIVE;
export const CTRL_BLOCKING: i32 = BLOCKING;
export const CTRL_BUSY: i32 = BUSY;
export const CTRL_INCARNATION: i32 = INCARNATION;
export const CTRL_HEADER_BYTES: i32 = HEADER_BYTES;

const TASK_GEMM = 0, TASK_UPDATE = 1, TASK_SUM_SQUARES = 2, TASK_GATHER = 3;
// arguments (slots of 8 bytes): GEMM kind, c, a, b, m, k, n, rows and columns per chunk; update
// block (optim.ts UPD_*), parameters per chunk; Σx² x, count, blocks per chunk; gather bx, by,
// dataX, dataY, order, start, rows, xBytes, yBytes, rows per chunk
const ARG_KIND = 0, ARG_C = 1, ARG_A = 2, ARG_B = 3, ARG_M = 4, ARG_K = 5, ARG_N = 6, ARG_CHUNK_ROWS = 7, ARG_CHUNK_COLS = 8;
const ARG_UPDATE = 0, ARG_CHUNK = 1;
const ARG_X = 0, ARG_X_COUNT = 1, ARG_CHUNK_BLOCKS = 2;
const ARG_BX = 0, ARG_BY = 1, ARG_DATA_X = 2, ARG_DATA_Y = 3, ARG_ORDER = 4, ARG_START = 5, ARG_ROWS = 6, ARG_X_BYTES = 7, ARG_Y_BYTES = 8, ARG_GATHER_CHUNK = 9;
/** Chunks per taking thread: enough that a slower thread can hand work over, few enough to be cheap. */
const CHUNKS_PER_THREAD: i32 = 8;
const PARTS_BITS = 6;
const PARTS_MASK = (1 << PARTS_BITS) - 1;
// A task's tag: the low bits of its GEN counter, so a worker late from an earlier task cannot
// claim chunks of the current one (whose arguments it never read).
const TAG_MASK = 0x7fff;
const CLOSED = 0xffff;
export const MAX_WORKERS: i32 = 31;
/** The control words, then one GEMM packing scratch per thread (caller = 0, workers 1…). */
export const CTRL_BYTES: i32 = HEADER_BYTES + (MAX_WORKERS + 1) * PACK_BYTES;

/** Work below this many multiply-adds (~20 µs) is not worth waking workers for. */
const MIN_PARALLEL_MACS: i64 = 1 << 18;
/** Nor updates or Σx² of fewer parameters (Adam: ~15 µs). */
const MIN_PARALLEL_PARAMS: i32 = 1 << 14;
/** Nor gathers of fewer bytes. */
const MIN_PARALLEL_GATHER_BYTES: usize = 1 << 16;
/** While BUSY the workers are spinning, not parked, so much smaller GEMMs are worth splitting. */
const MIN_PARALLEL_MACS_BUSY: i64 = 1 << 15;
/**
 * Spins before falling back to memory.atomic.wait: tasks come in quick bursts, but on a busy
 * machine a spinning thread takes the core from the one it waits for.
 */
const SPIN_BEFORE_WAIT: i32 = 20000;
/**
 * Spins while BUSY is set (a training step or epoch chunk is running): the gaps between a step's
 * tasks (~0.1 ms) outlast SPIN_BEFORE_WAIT, and waking a thread parked in wait made every task
 * start late on its worker. Still bounded, so an oversubscribed machine loses little.
 */
const SPIN_WHILE_BUSY: i32 = 1 << 18;

// @ts-ignore: decorator
@inline function spins(base: usize): i32 {
  return atomic.load<i32>(base + BUSY) != 0 ? SPIN_WHILE_BUSY : SPIN_BEFORE_WAIT;
}

let ctrl: usize = 0;

/** Once per calling instance, before any GEMM: the zeroed CTRL_BYTES block (single-threaded too). */
export function threads_init(control: usize): void {
  ctrl = control;
}

// @ts-ignore: decorator
@inline function scratch(base: usize, id: i32): usize {
  return base + HEADER_BYTES + <usize>id * PACK_BYTES;
}

// @ts-ignore: decorator
@inline function ceil_div(a: i32, b: i32): i32 { return (a + b - 1) / b; }

// @ts-ignore: decorator
@inline function round4(a: i32): i32 { return (a + 3) & ~3; }

// @ts-ignore: decorator
@inline function arg_i32(base: usize, i: i32): i32 { return load<i32>(base + ARGS + (<usize>i << 3)); }
// @ts-ignore: decorator
@inline function set_i32(base: usize, i: i32, v: i32): void { store<i32>(base + ARGS + (<usize>i << 3), v); }

function run_chunk(base: usize, chunk: i32, pack: usize): void {
  const task = load<i32>(base + TASK);
  if (task == TASK_GEMM) {
    const m = arg_i32(base, ARG_M), n = arg_i32(base, ARG_N);
    const rows = arg_i32(base, ARG_CHUNK_ROWS), cols = arg_i32(base, ARG_CHUNK_COLS);
    const across = ceil_div(n, cols);
    const r0 = (chunk / across) * rows, c0 = (chunk % across) * cols;
    gemm_kind_block(arg_i32(base, ARG_KIND), <usize>arg_i32(base, ARG_C), <usize>arg_i32(base, ARG_A), <usize>arg_i32(base, ARG_B),
      r0, min(m, r0 + rows), c0, min(n, c0 + cols), m, arg_i32(base, ARG_K), n, pack);
  } else if (task == TASK_UPDATE) {
    const upd = <usize>arg_i32(base, ARG_UPDATE), size = arg_i32(base, ARG_CHUNK);
    const i0 = chunk * size;
    if (!update_range(upd, i0, min(load<i32>(upd + UPD_COUNT), i0 + size))) atomic.store<i32>(base + NONFINITE, 1);
  } else if (task == TASK_GATHER) {
    const size = arg_i32(base, ARG_GATHER_CHUNK), r0 = chunk * size;
    gather_rows(<usize>arg_i32(base, ARG_BX), <usize>arg_i32(base, ARG_BY), <usize>arg_i32(base, ARG_DATA_X), <usize>arg_i32(base, ARG_DATA_Y),
      <usize>arg_i32(base, ARG_ORDER), arg_i32(base, ARG_START), r0, min(arg_i32(base, ARG_ROWS), r0 + size),
      <usize>arg_i32(base, ARG_X_BYTES), <usize>arg_i32(base, ARG_Y_BYTES));
  } else {
    const size = arg_i32(base, ARG_CHUNK_BLOCKS), b0 = chunk * size;
    sum_squares_blocks(base + PARTIALS, <usize>arg_i32(base, ARG_X), arg_i32(base, ARG_X_COUNT), b0, min(SUM_BLOCKS, b0 + size));
  }
}

// Claim and run chunks of the task tagged `tag` until none is left. Arguments are read only after
// a successful claim: the caller cannot start another task before every claimed chunk completes.
function take_chunks(base: usize, id: i32, tag: i32): void {
  const pack = scratch(base, id);
  while (true) {
    const claim = atomic.load<i32>(base + CLAIM);
    if ((claim >>> 16) != tag || (claim & 0xffff) >= load<i32>(base + CHUNKS)) return;
    if (atomic.cmpxchg<i32>(base + CLAIM, claim, claim + 1) != claim) continue;
    run_chunk(base, claim & 0xffff, pack);
    if (atomic.add<i32>(base + COMPLETED, 1) + 1 == load<i32>(base + CHUNKS)) atomic.notify(base + COMPLETED);
  }
}

// Spin, then block if this thread may, until *word reaches target (from below if `rising`, else from above).
function wait_until(base: usize, word: usize, target: i32, rising: bool): void {
  let value = atomic.load<i32>(word);
  for (let spin = 0, limit = spins(base); (rising ? value < target : value > target) && spin < limit; spin++) value = atomic.load<i32>(word);
  const blocking = atomic.load<i32>(base + BLOCKING) != 0;
  while (rising ? value < target : value > target) {
    if (blocking) memory.atomic.wait32(word, value, -1);
    value = atomic.load<i32>(word);
  }
}

// Close the previous task to new claims and wait until no worker is inside take_chunks: after a
// trap in the caller's own chunk, workers may still be running chunks of it (and a worker trap of
// that task is never reported). Then the caller may write the new task's arguments.
function begin_task(base: usize, task: i32): void {
  atomic.store<i32>(base + CLAIM, CLOSED << 16);
  wait_until(base, base + ACTIVE, 0, false);
  atomic.store<i32>(base + ERROR, 0);
  store<i32>(base + TASK, task);
}

// Publish the task's `chunks` to the caller and up to `threads` − 1 workers, take chunks, wait
// until all are completed.
function run_task(base: usize, chunks: i32, threads: i32): void {
  const parts = min(threads, chunks);
  const counter = (atomic.load<i32>(base + GEN) >>> PARTS_BITS) + 1;
  const tag = counter & TAG_MASK;
  store<i32>(base + CHUNKS, chunks);
  atomic.store<i32>(base + COMPLETED, 0);
  atomic.store<i32>(base + CLAIM, tag << 16);
  atomic.store<i32>(base + GEN, (counter << PARTS_BITS) | parts);
  atomic.notify(base + GEN); // all waiters: a stopped worker may still be parked there
  take_chunks(base, 0, tag);
  wait_until(base, base + COMPLETED, chunks, true);
  if (atomic.load<i32>(base + ERROR) != 0) {
    atomic.store<i32>(base + ERROR, 0);
    unreachable(); // a worker's chunk trapped; the JS wrapper names the kernel
  }
}

/**
 * C (m, n) of a GEMM, in chunks across the workers when it is big enough: chunks of columns (each
 * packs only its part of op(B)) when there are enough 16-column groups, else of rows (multiples of 4).
 * Column chunks are multiples of 16 floats, a 64-byte cache line: with 8-column chunks two threads
 * wrote the two halves of the same lines of C (a 784×1×128 GEMM took 2× longer on 2 threads than on 1).
 */
export function gemm_parallel(kind: i32, c: usize, a: usize, b: usize, m: i32, k: i32, n: i32): void {
  const base = ctrl;
  const workers = atomic.load<i32>(base + WORKERS);
  const minMacs = atomic.load<i32>(base + BUSY) != 0 ? MIN_PARALLEL_MACS_BUSY : MIN_PARALLEL_MACS;
  if (workers == 0 || m < 8 || <i64>m * k * n < minMacs) {
    gemm_kind_block(kind, c, a, b, 0, m, 0, n, m, k, n, scratch(base, 0));
    return;
  }
  const threads = workers + 1, target = threads * CHUNKS_PER_THREAD;
  const groups = ceil_div(n, 16);
  let rows = m, cols = n;
  if (groups >= 2 * threads) cols = 16 * ceil_div(groups, target);
  else rows = round4(ceil_div(m, target));
  begin_task(base, TASK_GEMM);
  set_i32(base, ARG_KIND, kind);
  set_i32(base, ARG_C, <i32>c); set_i32(base, ARG_A, <i32>a); set_i32(base, ARG_B, <i32>b);
  set_i32(base, ARG_M, m); set_i32(base, ARG_K, k); set_i32(base, ARG_N, n);
  set_i32(base, ARG_CHUNK_ROWS, rows); set_i32(base, ARG_CHUNK_COLS, cols);
  run_task(base, ceil_div(m, rows) * ceil_div(n, cols), threads);
}

/**
 * The update described by the block at `upd` (optim.ts UPD_*, update_range), split across the
 * workers. False if any chunk wrote a non-finite value.
 */
export function update_parallel(upd: usize): bool {
  const base = ctrl;
  const workers = atomic.load<i32>(base + WORKERS);
  const count = load<i32>(upd + UPD_COUNT);
  if (workers == 0 || count < MIN_PARALLEL_PARAMS) return update_range(upd, 0, count);
  begin_task(base, TASK_UPDATE);
  atomic.store<i32>(base + NONFINITE, 0);
  set_i32(base, ARG_UPDATE, <i32>upd);
  // chunks start at multiples of 4 parameters (update_range)
  const size = round4(ceil_div(count, (workers + 1) * CHUNKS_PER_THREAD));
  set_i32(base, ARG_CHUNK, size);
  run_task(base, ceil_div(count, size), workers + 1);
  return atomic.load<i32>(base + NONFINITE) == 0;
}

/** Σ x² (optim.ts sum_squares: the same blocks, summed in the same order), blocks split across the workers. */
export function sum_squares_parallel(x: usize, count: i32): f64 {
  const base = ctrl;
  const workers = atomic.load<i32>(base + WORKERS);
  if (workers == 0 || count < MIN_PARALLEL_PARAMS) return sum_squares(x, count);
  begin_task(base, TASK_SUM_SQUARES);
  const size = ceil_div(SUM_BLOCKS, (workers + 1) * CHUNKS_PER_THREAD);
  set_i32(base, ARG_X, <i32>x); set_i32(base, ARG_X_COUNT, count); set_i32(base, ARG_CHUNK_BLOCKS, size);
  run_task(base, ceil_div(SUM_BLOCKS, size), workers + 1);
  let sum: f64 = 0;
  for (let b = 0; b < SUM_BLOCKS; b++) sum += load<f64>(base + PARTIALS + (<usize>b << 3));
  return sum;
}

/** gather_rows of batch rows [0, rows), in chunks of rows across the workers. */
export function gather_parallel(
  bx: usize, by: usize, dataX: usize, dataY: usize, order: usize, start: i32, rows: i32, xBytes: usize, yBytes: usize,
): void {
  const base = ctrl;
  const workers = atomic.load<i32>(base + WORKERS);
  if (workers == 0 || <usize>rows * (xBytes + yBytes) < MIN_PARALLEL_GATHER_BYTES) {
    gather_rows(bx, by, dataX, dataY, order, start, 0, rows, xBytes, yBytes);
    return;
  }
  begin_task(base, TASK_GATHER);
  set_i32(base, ARG_BX, <i32>bx); set_i32(base, ARG_BY, <i32>by);
  set_i32(base, ARG_DATA_X, <i32>dataX); set_i32(base, ARG_DATA_Y, <i32>dataY);
  set_i32(base, ARG_ORDER, <i32>order); set_i32(base, ARG_START, start); set_i32(base, ARG_ROWS, rows);
  set_i32(base, ARG_X_BYTES, <i32>xBytes); set_i32(base, ARG_Y_BYTES, <i32>yBytes);
  const size = ceil_div(rows, (workers + 1) * CHUNKS_PER_THREAD);
  set_i32(base, ARG_GATHER_CHUNK, size);
  run_task(base, ceil_div(rows, size), workers + 1);
}

/** A new worker's first step, before it reports ready: tasks posted before now are not its own. */
export function worker_enter(control: usize, id: i32): void {
  atomic.store<i32>(control + LAST + (<usize>id << 2), atomic.load<i32>(control + GEN));
}

/**
 * A worker's life: wait for a task, take its chunks if it takes part. Returns when JS bumps its
 * id's incarnation (stopped or replaced). Re-entered after a trap.
 */
export function worker_loop(control: usize, id: i32, incarnation: i32): void {
  const base = control;
  const last = base + LAST + (<usize>id << 2);
  const mine = base + INCARNATION + (<usize>id << 2);
  let seen = atomic.load<i32>(last);
  while (true) {
    let gen = atomic.load<i32>(base + GEN);
    for (let spin = 0, limit = spins(base); gen == seen && spin < limit; spin++) gen = atomic.load<i32>(base + GEN);
    while (gen == seen) {
      if (atomic.load<i32>(mine) != incarnation) return;
      memory.atomic.wait32(base + GEN, seen, -1);
      gen = atomic.load<i32>(base + GEN);
    }
    if (atomic.load<i32>(mine) != incarnation) return;
    seen = gen;
    atomic.store<i32>(last, gen);
    if (id < (gen & PARTS_MASK)) {
      atomic.add<i32>(base + ACTIVE, 1);
      // once active, the caller cannot post past the next task; if it already has, this one is
      // over (tags repeat, so a worker stalled for 2^15 tasks must not claim by tag alone)
      if (atomic.load<i32>(base + GEN) == gen) take_chunks(base, id, (gen >>> PARTS_BITS) & TAG_MASK);
      if (atomic.sub<i32>(base + ACTIVE, 1) == 1) atomic.notify(base + ACTIVE);
    }
  }
}
