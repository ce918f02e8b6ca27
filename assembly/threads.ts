// Splitting GEMMs across workers that share this module's memory.
//
// The control block (CTRL_BYTES at `ctrl`, allocated by the JS memory manager above the data
// segments, also holding each thread's GEMM packing scratch) is the only shared state. The
// calling thread writes a task, publishes it by bumping GEN (which also says how many threads
// take part) and notifies; each worker (its own instance, parked in worker_loop) runs its slice,
// counts itself done and notifies; the caller runs slice 0, then waits for the others (spinning
// first; blocking only where allowed: a browser main thread may not memory.atomic.wait).
// A slice is a contiguous range of C's rows, so every element is computed exactly as in the
// single-threaded kernel: results do not depend on the thread count.
import { gemm_kind_rows, PACK_BYTES } from './gemm';

// Byte offsets in the control block. GEN packs (task counter << 6) | participants, so a worker
// learns from one atomic load both that a task is new and whether it takes part.
const GEN = 0;
const DONE = 4;       // workers done with the current task
const ERROR = 8;      // set by a worker whose slice trapped (its JS wrapper sets it)
const WORKERS = 12;   // workers ready to take part (threads − 1), set by JS
const KIND = 16;
const C = 20, A = 24, B = 28, M = 32, K = 36, N = 40;
const BLOCKING = 48;  // 1: the caller may block in memory.atomic.wait (not a browser main thread)
const BUSY = 52;      // 1 while the caller is inside a call that posts tasks in quick succession (set by JS)
const LAST = 64;      // i32 per worker: last GEN it saw (kept across re-entry after a trap)
const INCARNATION = 192; // i32 per worker id: bumped by JS when it stops or replaces that worker
const HEADER_BYTES = 320;
const PARTS_BITS = 6;
const PARTS_MASK = (1 << PARTS_BITS) - 1;
export const MAX_WORKERS: i32 = 31;
/** The control words, then one GEMM packing scratch per thread (caller = 0, workers 1…). */
export const CTRL_BYTES: i32 = HEADER_BYTES + (MAX_WORKERS + 1) * PACK_BYTES;

/** Work below this many multiply-adds (~20 µs) is not worth waking workers for. */
const MIN_PARALLEL_MACS: i64 = 1 << 18;
/**
 * Spins before falling back to memory.atomic.wait: tasks come in quick bursts, but on a busy
 * machine a spinning thread takes the core from the one it waits for. While BUSY is set (a
 * training step or epoch chunk is running) threads spin without limit instead: the gaps between
 * a step's tasks are ~0.1 ms, shorter than waking a thread parked in wait, which made each task
 * start late on its worker (2 threads: 1.2× instead of ~1.6×).
 */
const SPIN_BEFORE_WAIT: i32 = 20000;

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
@inline function slice(part: i32, parts: i32, m: i32): i32 {
  // slice boundaries on multiples of 4 rows, the microkernel's height
  const rows = (((m + parts - 1) / parts) + 3) & ~3;
  return min(m, part * rows);
}

function run_slice(base: usize, part: i32, parts: i32): void {
  const m = load<i32>(base + M);
  const r0 = slice(part, parts, m), r1 = slice(part + 1, parts, m);
  if (r0 < r1) {
    gemm_kind_rows(load<i32>(base + KIND), load<usize>(base + C), load<usize>(base + A), load<usize>(base + B),
      r0, r1, m, load<i32>(base + K), load<i32>(base + N), scratch(base, part));
  }
}

// The caller waits for the workers' slices of the last task: spin, then block if this thread may.
function wait_done(base: usize): void {
  const expected = (atomic.load<i32>(base + GEN) & PARTS_MASK) - 1;
  let done = atomic.load<i32>(base + DONE);
  for (let spin = 0; done < expected && (spin < SPIN_BEFORE_WAIT || atomic.load<i32>(base + BUSY) != 0); spin++) {
    done = atomic.load<i32>(base + DONE);
  }
  const blocking = atomic.load<i32>(base + BLOCKING) != 0;
  while (done < expected) {
    if (blocking) memory.atomic.wait32(base + DONE, done, -1);
    done = atomic.load<i32>(base + DONE);
  }
}

/** C (m, n) rows of a GEMM, split across the workers when it is big enough. */
export function gemm_parallel(kind: i32, c: usize, a: usize, b: usize, m: i32, k: i32, n: i32): void {
  const base = ctrl;
  const workers = atomic.load<i32>(base + WORKERS);
  if (workers == 0 || m < 8 || <i64>m * k * n < MIN_PARALLEL_MACS) {
    gemm_kind_rows(kind, c, a, b, 0, m, m, k, n, scratch(base, 0));
    return;
  }
  // a slice of an earlier task may still be running if the caller trapped in its own slice,
  // and that task's worker trap (if any) was never reported
  wait_done(base);
  atomic.store<i32>(base + ERROR, 0);
  store<i32>(base + KIND, kind);
  store<usize>(base + C, c); store<usize>(base + A, a); store<usize>(base + B, b);
  store<i32>(base + M, m); store<i32>(base + K, k); store<i32>(base + N, n);
  const parts = min(workers + 1, (m + 3) >> 2);
  atomic.store<i32>(base + DONE, 0);
  const gen = atomic.load<i32>(base + GEN);
  atomic.store<i32>(base + GEN, (((gen >>> PARTS_BITS) + 1) << PARTS_BITS) | parts);
  atomic.notify(base + GEN); // all waiters: a stopped worker may still be parked there
  run_slice(base, 0, parts);
  wait_done(base);
  if (atomic.load<i32>(base + ERROR) != 0) {
    atomic.store<i32>(base + ERROR, 0);
    unreachable(); // a worker's slice trapped; the JS wrapper names the kernel
  }
}

/** A new worker's first step, before it reports ready: tasks posted before now are not its own. */
export function worker_enter(control: usize, id: i32): void {
  atomic.store<i32>(control + LAST + (<usize>id << 2), atomic.load<i32>(control + GEN));
}

/**
 * A worker's life: wait for a task, run its slice if it takes part, count itself done. Returns
 * when JS bumps its id's incarnation (stopped or replaced). Re-entered after a trap.
 */
export function worker_loop(control: usize, id: i32, incarnation: i32): void {
  const base = control;
  const last = base + LAST + (<usize>id << 2);
  const mine = base + INCARNATION + (<usize>id << 2);
  let seen = atomic.load<i32>(last);
  while (true) {
    let gen = atomic.load<i32>(base + GEN);
    for (let spin = 0; gen == seen && (spin < SPIN_BEFORE_WAIT || atomic.load<i32>(base + BUSY) != 0); spin++) {
      if (atomic.load<i32>(mine) != incarnation) return;
      gen = atomic.load<i32>(base + GEN);
    }
    while (gen == seen) {
      if (atomic.load<i32>(mine) != incarnation) return;
      memory.atomic.wait32(base + GEN, seen, -1);
      gen = atomic.load<i32>(base + GEN);
    }
    if (atomic.load<i32>(mine) != incarnation) return;
    seen = gen;
    atomic.store<i32>(last, gen);
    if (id < (gen & PARTS_MASK)) {
      run_slice(base, id, gen & PARTS_MASK);
      atomic.add<i32>(base + DONE, 1);
      atomic.notify(base + DONE, 1);
    }
  }
}
