// Splitting work across workers that share this module's memory: GEMMs (by columns or rows of C,
// or a layer's forward GEMM by K blocks or by owned rows), the optimizer update (by rows of each
// layer's W), the batch gather (by rows, or by the first layer's K blocks).
//
// The control block (CTRL_BYTES at `ctrl`, allocated by the JS memory manager above the data
// segments, also holding each thread's GEMM packing scratch) is the only shared state. The
// calling thread writes a task, publishes it by bumping GEN (which also says how many threads
// take part) and wakes parked workers; each worker (its own instance, parked in worker_loop) and
// the caller claim chunks of the task until none is left, counting each one completed; the caller
// returns once all are (spinning first; blocking only where allowed: a browser main thread may not
// memory.atomic.wait). Chunks are claimed dynamically, so a thread on a slower (shared, throttled)
// core takes fewer of them, and one that has not woken up yet (or was preempted before claiming)
// holds nothing up: the caller does its share. Each output element (of a block of C and its 4-row
// blocks' Σc², a parameter) is computed exactly as in the single-threaded kernel whichever chunk and
// thread it falls in: results do not depend on the thread count.
//
// Affinity: a task of at most AFFINE_CHUNKS chunks deals them out as contiguous runs, one per
// taking thread; each thread claims its own run first (lowest chunk first), then the highest chunk
// still unclaimed of the others', so a late thread still holds nothing up. The update is split by
// rows of each layer's W (and of its state), into a multiple of the threads: then every thread's
// run covers the same rows whatever the chunk count (owned_start), and each core updates the rows
// of W and the optimizer state it updated the step before, in its own cache; the weight-gradient
// GEMM is split by the same rows of dW. A layer's forward GEMM split by K blocks (the depth split,
// gemm_depth_parallel) reads those same rows of W on each thread, and its rows of z are summed and
// activated in owned_start spans of 4-row blocks, which the backward pass's input gradient and
// activation derivative follow; so do they after a tall forward GEMM split into the same spans of
// rows (TALL_ROWS_PER_COLUMN). A forward GEMM split by columns deals out owned_start spans of
// 16-column groups, and the backward pass gives each thread the same columns of the input
// gradient and of the activation's derivative, so each core reads the z it wrote.
//
// Whether a task is split at all is decided per task by a cost model (chunks_for): its estimated
// single-thread time against what waking, claiming and joining cost, so the steps of a small
// network never involve the workers. After a split in which the threads did not actually run side
// by side, the next ones back off to the caller (run_task); whether a training run's steps are
// split at all is timed while it trains (split_choice.ts, step_begin).
import { activation_backward, activation_backward_block, activation_forward, ACT_SOFTMAX } from './activation';
import { now } from './clock';
import { split_choice_observe, split_choice_reset, split_choice_solo, split_choice_staying_solo } from './split_choice';
import { add_row, bias_activate_block, bias_add } from './dense';
import { gather_rows } from './gather';
import { GEMM_NN, GEMM_NT, gemm_k_block, gemm_k_blocks, gemm_kind_block, PACK_BYTES } from './gemm';
import {
  OPT_MOMENTUM, OPT_RMSPROP, OPT_SGD, update_range, UPD_BOUNDS, UPD_COUNT, UPD_KIND, UPD_SEGMENTS,
} from './optim';

const PARTS_BITS = 6;
export const MAX_WORKERS: i32 = 31;
const MAX_THREADS: i32 = MAX_WORKERS + 1;

// Byte offsets in the control block. GEN packs (task counter << PARTS_BITS) | participants, so a worker
// learns from one atomic load both that a task is new and whether it takes part.
const GEN = 0;
const COMPLETED = 4;  // chunks of the current task completed (or trapped in a worker)
const ERROR = 8;      // set by a worker whose chunk trapped (its JS wrapper sets it)
const WORKERS = 12;   // workers ready to take part (threads − 1), set by JS
const TASK = 16;      // TASK_* below
const ACTIVE = 20;    // workers inside take_chunks (its JS wrapper decrements it after a trap)
// i64: (task tag << 32) | the next chunk to claim or, with at most AFFINE_CHUNKS chunks, the bit
// set of the chunks claimed; tag CLOSED between tasks
const CLAIM = 24;
const SPLIT_COST = 32;      // tasks estimated to cost less (multiply-add units, below) stay on the caller while BUSY (set by JS)
const SPLIT_COST_IDLE = 36; // the same outside BUSY, when the workers are parked and have to be woken (set by JS)
const CHUNK_COST = 40;      // the least estimated cost of a chunk (set by JS)
const NONFINITE = 44;       // set by an update chunk that wrote a non-finite value
const ADAPTIVE = 56;        // 1: back off after stalls (below); 0: split whatever the model says (set by JS)
const BLOCKING = 48;  // 1: the caller may block in memory.atomic.wait (not a browser main thread)
const BUSY = 52;      // BUSY_ON in a call that posts tasks in quick succession (JS; step_begin)
const CHUNKS = 60;    // chunks in the current task
// BUSY's values: JS writes BUSY_ON and BUSY_OFF (src/backend/wasm/threads.ts busy), step_begin
// BUSY_CALLER_STEP
const BUSY_OFF: i32 = 0, BUSY_ON: i32 = 1, BUSY_CALLER_STEP: i32 = 2;
const LAST = 64;      // i32 per worker: last GEN it saw (kept across re-entry after a trap)
const INCARNATION = 192; // i32 per worker id: bumped by JS when it stops or replaces that worker
const ARGS = 320;     // the task's arguments, ARG_SLOTS of 8 bytes (ARG_* per task)
const ARG_SLOTS = 16;
const PARKED = ARGS + ARG_SLOTS * 8; // i32 per thread id (caller = 0): 1 while blocked in memory.atomic.wait32 (JS clears a stopped worker's)
const HEADER_BYTES = PARKED + (MAX_THREADS << 2);

// The words JS reads or writes (src/backend/wasm/layout.ts CTRL, checked by test/parity/layout.test.ts).
export const CTRL_GEN: i32 = GEN;
export const CTRL_COMPLETED: i32 = COMPLETED;
export const CTRL_ERROR: i32 = ERROR;
export const CTRL_WORKERS: i32 = WORKERS;
export const CTRL_ACTIVE: i32 = ACTIVE;
export const CTRL_BLOCKING: i32 = BLOCKING;
export const CTRL_BUSY: i32 = BUSY;
export const CTRL_SPLIT_COST: i32 = SPLIT_COST;
export const CTRL_SPLIT_COST_IDLE: i32 = SPLIT_COST_IDLE;
export const CTRL_CHUNK_COST: i32 = CHUNK_COST;
export const CTRL_ADAPTIVE: i32 = ADAPTIVE;
export const CTRL_GEN_PARTS_BITS: i32 = PARTS_BITS;
export const CTRL_INCARNATION: i32 = INCARNATION;
export const CTRL_PARKED: i32 = PARKED;
export const CTRL_HEADER_BYTES: i32 = HEADER_BYTES;

const TASK_GEMM = 0, TASK_UPDATE = 1, TASK_GATHER = 2, TASK_GEMM_OWNED_ROWS = 3;
const TASK_GEMM_OWNED_COLUMNS = 4, TASK_ACTIVATION_BACKWARD = 5, TASK_PING = 6, TASK_GEMM_DEPTH = 7, TASK_DEPTH_SUM = 8;
const TASK_GATHER_COLUMNS = 9;
// arguments (slots of 8 bytes): GEMM kind, c, a, b, m, k, n, rows and columns per chunk, and the
// epilogue's bias (0: none), output and activation; update block (optim.ts UPD_*); gather bx, by,
// bw, dataX, dataY, dataW, order, start, rows, xBytes, yBytes, rows per chunk. ARG_SLOTS at most.
const ARG_KIND = 0, ARG_C = 1, ARG_A = 2, ARG_B = 3, ARG_M = 4, ARG_K = 5, ARG_N = 6, ARG_CHUNK_ROWS = 7, ARG_CHUNK_COLS = 8;
const ARG_BIAS = 9, ARG_OUT = 10, ARG_ACT = 11;
// the weight-gradient GEMM's Σc² per 4-row block (gemm_owned_rows_parallel; 0: none)
const ARG_SQUARES = 12;
// the depth split's K-block products past chunk 0's (gemm_depth_parallel)
const ARG_PARTIALS = 13;
// an input gradient's (input_gradient_parallel): the z and a of the layer below, whose activation
// backward (ARG_ACT) each chunk then applies to its rows of C in place; 0: none
const ARG_BELOW_Z = 14, ARG_BELOW_A = 15;
// activation backward, split by columns: dz, da, z, a, m, n, act
const ARG_DZ = 0, ARG_DA = 1, ARG_Z = 2, ARG_A_OUT = 3, ARG_ROWS_M = 4, ARG_COLS_N = 5, ARG_ACT_ID = 6;
const ARG_UPDATE = 0;
// worker_round_trip: the word handed back and forth, the number of bounces
const ARG_PING_WORD = 0, ARG_PING_BOUNCES = 1;
/** Polls of a ping before giving up on the other side (a few ms): a worker that is not running. */
const PING_SPINS: i32 = 1 << 20;
const ARG_BX = 0, ARG_BY = 1, ARG_BW = 2, ARG_DATA_X = 3, ARG_DATA_Y = 4, ARG_DATA_W = 5, ARG_ORDER = 6, ARG_START = 7, ARG_ROWS = 8;
const ARG_X_BYTES = 9, ARG_Y_BYTES = 10, ARG_GATHER_CHUNK = 11;
/** At most this many chunks per taking thread: enough that a slower thread can hand work over. */
const CHUNKS_PER_THREAD: i32 = 8;
/** Tasks of at most this many chunks are claimed by affinity (a bit per chunk in CLAIM). */
const AFFINE_CHUNKS: i32 = 32;
const PARTS_MASK = (1 << PARTS_BITS) - 1;
// A task's tag: the low bits of its GEN counter, so a worker late from an earlier task cannot
// claim chunks of the current one (whose arguments it never read).
const TAG_MASK = 0x7fff;
const CLOSED: i64 = 0xffff;
/** The control words, then one GEMM packing scratch per thread (caller = 0, workers 1…). */
export const CTRL_BYTES: i32 = HEADER_BYTES + MAX_THREADS * PACK_BYTES;

// The cost model: a task's single-thread time estimated in multiply-adds of a large GEMM (the
// unit of SPLIT_COST, SPLIT_COST_IDLE and CHUNK_COST). The weights per unit of each task were
// measured against the GEMM's time per multiply-add in Node 20 and Chromium 156
// (`bench/ab/wasm.ts calibrate`), rounded:
//   GEMM         m·n₈·(k + 2) + k·n₈, n₈ = n rounded up to 8 columns (the narrowest tile): the
//                multiply-adds, each C element's load and store, and packing op(B) once
//   update       parameters × 4 (SGD), 20 (momentum), 28 (RMSProp), 12 (Adam)
//   gather       bytes copied (inputs, targets and row weights) × 1
/** a C element's load, store and edge handling, beside its k multiply-adds */
const COST_PER_C: i64 = 2;
// @ts-ignore: decorator
@inline function cost_per_param(kind: i32): i64 { return kind == OPT_SGD ? 4 : kind == OPT_MOMENTUM ? 20 : kind == OPT_RMSPROP ? 28 : 12; }
/** The cost of the update `upd` (optim.ts UPD_*) over all its parameters. */
// @ts-ignore: decorator
@inline function update_cost(upd: usize): i64 { return <i64>load<i32>(upd + UPD_COUNT) * cost_per_param(load<i32>(upd + UPD_KIND)); }
const COST_PER_GATHERED_BYTE: i64 = 1;

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
  return atomic.load<i32>(base + BUSY) != BUSY_OFF ? SPIN_WHILE_BUSY : SPIN_BEFORE_WAIT;
}

let ctrl: usize = 0;

/** Once per calling instance, before any GEMM: the zeroed CTRL_BYTES block (single-threaded too). */
export function threads_init(control: usize): void {
  ctrl = control;
}

// Backing off after a stall (state of the caller's instance only). A split task stalled when one
// thread ran every chunk, so it took as long as on one thread plus the sync: the caller took
// none (it lost its core right after publishing the task, typically to the worker it woke), or
// no worker took any while none was waking (a worker woken from its wait is given WAKE_MS to
// come out of it: meanwhile the caller runs the chunks and the tasks keep being split); or when
// the join waited longer than the caller had worked on the task, plus STALL_MS (join_stalled: a
// worker lost its core holding a chunk; a chunk alone takes far less, MAX_CHUNK_COST). Then the
// next `skip` tasks worth splitting run on the caller alone, twice as many after each further
// stall, up to MAX_BACKOFF; a split that goes well ends the backoff. Threads that do not get a
// core of their own (the two vCPUs share one, or a neighbour holds one) then cost a stall every
// MAX_BACKOFF tasks instead of slowing every task down.
const MAX_BACKOFF: i32 = 1 << 10;
const STALL_MS: f64 = 0.5;

/**
 * Whether a join that waited `waitedMs` for the workers' chunks, after the caller had worked
 * `workedMs` on the task since publishing it, was a stall. The wait counts only beyond the
 * caller's own work, as in the native pool: a worker preempted for a millisecond during a long
 * task delays it by that millisecond, while backing off runs the next task on one thread whole.
 * With a fixed 0.5 ms, 57 of 202 lone 1024³ GEMM calls on two threads in 10 s ran on the caller
 * (twice as long as split); measured against the caller's work, none of 252.
 */
export function join_stalled(waitedMs: f64, workedMs: f64): bool {
  return waitedMs > workedMs + STALL_MS;
}

/**
 * How long a worker woken from its wait may take to take part before its absence counts as a
 * stall. Parked after idling, a worker here took 0.1–11 ms to wake, far longer than a task: when
 * its absence from the second task already counted, each backoff let it park again, so the next
 * try found it parked and stalled again, and 784-128-10 at batch 32 ran on one thread for whole
 * runs (two threads 1.04–1.09x one instead of 1.55–1.6x).
 */
const WAKE_MS: f64 = 2;
/** Spins of a join before it reads the clock: a join this short is no stall. */
const STALL_CHECK_SPINS: i32 = 1 << 12;
/** The most estimated cost of one chunk: ~25 µs at 20 GMAC/s, ~100 µs on a 4× slower device, so a join normally waits far less than STALL_MS. */
const MAX_CHUNK_COST: i64 = 1 << 19;
let backoff: i32 = 0;
let skip: i32 = 0;
/** Tasks the backoff ran on the caller, ever (step_end times no step that had one). */
let skipped: f64 = 0;
/** consecutive split tasks that the workers took no chunk of */
let absent: i32 = 0;
/** When the split tasks began to find a worker parked (−1: the last one did not). */
let waking_since: f64 = -1;

/**
 * A lone kernel call (outside a busy region: workers parked, its operands just copied in by the
 * caller) splits only from this cost while the cores are far apart: the workers then read every
 * operand from the caller's die. Called through the kernel API on distant cores, two threads ran
 * these GEMMs at this rate over one thread's: 128×784·784×128 (cost 2^23.6) 0.82x, 512×784·784×128
 * (2^25.6) 1.03x, 1024×784·784×128 (2^26.6) 1.10x, 512³ (2^27) 1.46x, 1024³ 1.69x; on one die
 * 1.41x, 1.63x, 1.69x, 1.81x, 1.85x.
 */
export const FAR_SPLIT_COST_IDLE: i32 = 1 << 26;
/** The most floats a network keeps for its depth splits' products (net_partial_floats): 16 MiB. */
const MOST_DEPTH_FLOATS: i32 = 1 << 22;
/** A round trip (worker_round_trip) slower than this means far-apart cores: ~65 ns on one die, ~330 ns across dies. */
const FAR_ROUND_TRIP_MS: f64 = 0.00015;
/** Round trips a check of the cores times: 128 take 8–42 µs, which even a browser's 5 µs clock resolves. */
const PING_BOUNCES: i32 = 128;
/**
 * How often the cores are checked again (cores_far): the host may move a vCPU between dies at any
 * time (this one did every 10–20 s), and until the next check lone calls split the old way. At
 * most 42 µs of round trips every 200 ms.
 */
const CORE_CHECK_MS: f64 = 200;
/** Whether the last check found the caller's core and the workers' far apart. */
let far_cores = false;
let cores_checked: f64 = -Infinity;
/** -1: the cores are measured (cores_far); 0, 1: the cores count as close, far (set_far_cores). */
let far_cores_fixed: i32 = -1;
/** Work split because a check was due (cores_far): run_task measures after a task a worker took part in. */
let check_after_task = false;
/** When the pending check fell due. */
let check_due_since: f64 = 0;
/**
 * How long a due check waits for a split task that a worker took part in (so runs, and answers
 * a round trip at once) before it times one anyway, waiting for a parked worker to wake.
 */
const CHECK_WAIT_MS: f64 = 20;

/** Tests: 1 or 0 makes the cores count as far apart or close from now on; −1 measures again. */
export function set_far_cores(far: i32): void {
  far_cores_fixed = far;
  far_cores = far == 1;
  cores_checked = -Infinity;
  check_after_task = false;
}

/** The steps the choice between splitting and not (split_choice.ts) is about: network, rows. */
let choice_net: usize = 0;
let choice_rows: i32 = 0;
/** A network and rows seen once: a step of them again starts the choice over (same network). */
let pending_net: usize = 0;
let pending_rows: i32 = 0;
/**
 * A network now at `net` (the engine calls this when it places one): the choice and the size seen
 * once are no longer about a network that was there before, so the new one's first size takes
 * the choice over at once.
 */
export function step_choice_forget(net: usize): void {
  if (choice_net == net) choice_net = 0;
  if (pending_net == net) pending_net = 0;
}

/** Whether the last step of choice_net and choice_rows that was let split posted a task. */
let choice_splits = true;
/** Whether the running step is one the choice is about, and runs every task on the caller by it. */
let step_chosen = false;
let step_solo = false;
/** When the running step began (−1: not timed), and GEN and `skipped` then. */
let step_start: f64 = -1;
let step_gen: i32 = 0;
let step_skipped: f64 = 0;

/**
 * Marks the start of a training step of `rows` rows of the network at `net` inside a busy region:
 * BUSY_CALLER_STEP when the choice (adaptive only) runs it on the caller; then the step is timed
 * for the choice (not while its steps post no task, which the choice cannot change, so a small
 * network's steps read no clock). A network the choice is not about takes it over at once, so
 * that an epoch of one full batch and a shorter one gets a choice; another size of the choice's
 * network takes it over only when it comes twice in a row, so that an epoch's short last batch
 * keeps the choice of the steps around it. Such a step is not timed, and runs on the caller while
 * the choice's steps, which have more rows to split, stay there. JS clears BUSY when the region
 * ends, so a trap in the step cannot leave it set.
 */
export function step_begin(net: usize, rows: i32): void {
  const base = ctrl;
  step_chosen = step_solo = false;
  step_start = -1;
  if (atomic.load<i32>(base + BUSY) == BUSY_OFF) return;
  if (atomic.load<i32>(base + ADAPTIVE) != 0 && atomic.load<i32>(base + WORKERS) > 0) {
    let known = net == choice_net && rows == choice_rows;
    if (!known && (net != choice_net || (net == pending_net && rows == pending_rows))) {
      choice_net = net;
      choice_rows = rows;
      choice_splits = known = true;
      split_choice_reset();
    }
    pending_net = net;
    pending_rows = rows;
    if (!known) {
      step_solo = rows < choice_rows && split_choice_staying_solo();
    } else {
      step_chosen = true;
      step_solo = split_choice_solo();
      if (step_solo || choice_splits) step_start = now();
    }
  }
  atomic.store<i32>(base + BUSY, step_solo ? BUSY_CALLER_STEP : BUSY_ON);
  step_gen = atomic.load<i32>(base + GEN);
  step_skipped = skipped;
}

/** Tasks the backoff after a stall has run on the caller, ever (benchmarks: did workers run?). */
export function backed_off_tasks(): f64 {
  return skipped;
}

/** Ends the step step_begin began: its time to the choice, and the busy region's BUSY back. */
export function step_end(): void {
  const base = ctrl;
  if (atomic.load<i32>(base + BUSY) == BUSY_OFF) return;
  atomic.store<i32>(base + BUSY, BUSY_ON);
  if (!step_chosen) return;
  const posted = atomic.load<i32>(base + GEN) != step_gen;
  if (!step_solo) choice_splits = posted;
  // a step the backoff ran partly on the caller is neither way: its time would flatter splitting
  if (step_start >= 0 && (step_solo || posted) && skipped == step_skipped) split_choice_observe(now() - step_start);
}

/**
 * Whether the split rule of a lone call under FAR_SPLIT_COST_IDLE counts the caller's core and the
 * workers' as far apart (training steps split alike wherever the cores are: on distant cores two
 * threads trained 784-128-10 with Adam 1.36x faster than one at batch 8, 1.47x at 16, 1.51–1.56x
 * at 32 and 1.56x at 64). At most every CORE_CHECK_MS a check is due:
 * then not, until it is done, so the work splits, and run_task measures (worker_round_trip) right
 * after a task that a worker took part in, while that worker still spins. Every split task
 * wakes the parked workers, so one soon takes part, and the caller waits for none to wake: after
 * 300 ms idle on this host a parked worker took 0.1–11 ms (its bounces 32 µs apart while the
 * hypervisor ran both vCPUs on one core). A ping to a parked worker would time that wake-up, and
 * the caller would spin through it. Only after CHECK_WAIT_MS with no worker taking part does the
 * check ping one anyway.
 */
function cores_far(): bool {
  if (check_after_task) return false;
  if (far_cores_fixed < 0 && atomic.load<i32>(ctrl + WORKERS) > 0) {
    const time = now();
    if (time - cores_checked >= CORE_CHECK_MS) {
      check_due_since = time;
      check_after_task = true;
      return false;
    }
  }
  return far_cores;
}

/**
 * The time in ms of one round trip of a cache line between the caller's core and a worker's: the
 * caller posts a task of one chunk that it leaves to a worker, and the two hand a word back and
 * forth `bounces` times (the first, while the worker may still be claiming the chunk, untimed).
 * 0 without workers; Infinity when no worker answered within PING_SPINS polls (then the caller
 * runs the chunk itself, which returns at once). Meaningful while the workers spin: in a busy
 * region, or right after a task.
 */
export function worker_round_trip(bounces: i32): f64 {
  const base = ctrl;
  if (atomic.load<i32>(base + WORKERS) == 0) return 0;
  begin_task(base, TASK_PING);
  const word = base + ARGS + (<usize>ARG_PING_WORD << 3);
  atomic.store<i32>(word, 0);
  set_i32(base, ARG_PING_BOUNCES, bounces);
  publish(base, 1, 2); // the caller and worker 1
  const tag = published_tag(base);
  let start: f64 = 0;
  let answered = true;
  for (let k = 0; k < bounces && answered; k++) {
    if (k == 1) start = now();
    atomic.store<i32>(word, 2 * k + 1);
    answered = awaited(word, 2 * k + 2);
  }
  const elapsed = now() - start;
  if (!answered) atomic.store<i32>(word, -1);
  // the worker took the chunk, or the caller takes it now (a cancelled ping_back returns at once)
  take_chunks(base, 0, 2, tag);
  wait_until(base, base + COMPLETED, 1, true);
  return !answered ? Infinity : bounces > 1 ? elapsed / <f64>(bounces - 1) : 0;
}

/** The worker's side of worker_round_trip: answer each odd value with the next, until cancelled (−1) or no value comes. */
function ping_back(base: usize): void {
  const word = base + ARGS + (<usize>ARG_PING_WORD << 3);
  const bounces = arg_i32(base, ARG_PING_BOUNCES);
  for (let k = 0; k < bounces; k++) {
    if (!awaited(word, 2 * k + 1)) return;
    atomic.store<i32>(word, 2 * k + 2);
  }
}

/** Whether *word became `value` within PING_SPINS polls (not if it became −1: cancelled). */
function awaited(word: usize, value: i32): bool {
  for (let spin = 0; spin < PING_SPINS; spin++) {
    const seen = atomic.load<i32>(word);
    if (seen == value) return true;
    if (seen < 0) return false;
  }
  return false;
}

/**
 * How many chunks a task of estimated `cost` is split into: 0 to run it on the caller alone (no
 * workers, a training step the split choice runs on the caller, the task too small to pay for
 * waking, claiming and joining: SPLIT_COST, a lone call under FAR_SPLIT_COST_IDLE while the cores
 * are far apart, or backing off after a stall), else 2 …
 * (workers + 1) · CHUNKS_PER_THREAD chunks of at least CHUNK_COST each, more if needed to keep
 * each under MAX_CHUNK_COST.
 */
function chunks_for(base: usize, workers: i32, cost: i64): i32 {
  const busy = atomic.load<i32>(base + BUSY);
  if (workers == 0 || busy == BUSY_CALLER_STEP) return 0;
  const least = load<i32>(base + (busy != BUSY_OFF ? SPLIT_COST : SPLIT_COST_IDLE));
  if (cost < <i64>least) return 0;
  if (busy == BUSY_OFF && cost < <i64>FAR_SPLIT_COST_IDLE && cores_far()) return 0;
  if (skip > 0 && atomic.load<i32>(base + ADAPTIVE) != 0) {
    skip--;
    skipped++;
    waking_since = -1; // a worker found parked after the backoff gets WAKE_MS again
    return 0;
  }
  const most = <i64>(workers + 1) * CHUNKS_PER_THREAD;
  const fewest = (cost + MAX_CHUNK_COST - 1) / MAX_CHUNK_COST;
  return <i32>min<i64>(0xfff0, max<i64>(2, max<i64>(fewest, min<i64>(most, cost / <i64>max(1, load<i32>(base + CHUNK_COST))))));
}

/**
 * `chunks` (0 for none) made a multiple of the `threads` that take them, AFFINE_CHUNKS at most:
 * then each thread's run of chunks covers the same owned_start spans whatever the count.
 */
function owned_chunks(chunks: i32, threads: i32): i32 {
  return chunks == 0 ? 0 : threads * max(1, min(chunks, AFFINE_CHUNKS) / threads);
}

/**
 * First item of chunk `chunk` of `extent` items split into `chunks` spans of whole units of
 * `unit` items (chunk = chunks: extent). Thread t's run of chunks [t·j, (t + 1)·j) (owned_chunks)
 * spans the same items for every j.
 */
function owned_start(extent: i32, unit: i32, chunk: i32, chunks: i32): i32 {
  return min(extent, unit * <i32>(<i64>ceil_div(extent, unit) * chunk / chunks));
}

// @ts-ignore: decorator
@inline function scratch(base: usize, id: i32): usize {
  return base + HEADER_BYTES + <usize>id * PACK_BYTES;
}

// @ts-ignore: decorator
@inline function ceil_div(a: i32, b: i32): i32 { return (a + b - 1) / b; }

// @ts-ignore: decorator
@inline function arg_i32(base: usize, i: i32): i32 { return load<i32>(base + ARGS + (<usize>i << 3)); }
// @ts-ignore: decorator
@inline function set_i32(base: usize, i: i32, v: i32): void { store<i32>(base + ARGS + (<usize>i << 3), v); }

function run_chunk(base: usize, chunk: i32, chunks: i32, pack: usize): void {
  const task = load<i32>(base + TASK);
  if (task == TASK_GEMM) {
    const m = arg_i32(base, ARG_M), n = arg_i32(base, ARG_N);
    const rows = arg_i32(base, ARG_CHUNK_ROWS), cols = arg_i32(base, ARG_CHUNK_COLS);
    const across = ceil_div(n, cols);
    const r0 = (chunk / across) * rows, c0 = (chunk % across) * cols;
    const r1 = min(m, r0 + rows), c1 = min(n, c0 + cols), c = <usize>arg_i32(base, ARG_C), bias = <usize>arg_i32(base, ARG_BIAS);
    gemm_kind_block(arg_i32(base, ARG_KIND), c, <usize>arg_i32(base, ARG_A), <usize>arg_i32(base, ARG_B), r0, r1, c0, c1, m, arg_i32(base, ARG_K), n, pack);
    if (bias != 0) bias_activate_block(<usize>arg_i32(base, ARG_OUT), c, bias, r0, r1, c0, c1, n, arg_i32(base, ARG_ACT));
  } else if (task == TASK_GEMM_OWNED_COLUMNS) {
    const m = arg_i32(base, ARG_M), n = arg_i32(base, ARG_N);
    const c0 = owned_start(n, 16, chunk, chunks), c1 = owned_start(n, 16, chunk + 1, chunks);
    if (c0 < c1) {
      const c = <usize>arg_i32(base, ARG_C), bias = <usize>arg_i32(base, ARG_BIAS);
      gemm_kind_block(arg_i32(base, ARG_KIND), c, <usize>arg_i32(base, ARG_A), <usize>arg_i32(base, ARG_B), 0, m, c0, c1, m, arg_i32(base, ARG_K), n, pack);
      if (bias != 0) bias_activate_block(<usize>arg_i32(base, ARG_OUT), c, bias, 0, m, c0, c1, n, arg_i32(base, ARG_ACT));
    }
  } else if (task == TASK_ACTIVATION_BACKWARD) {
    const m = arg_i32(base, ARG_ROWS_M), n = arg_i32(base, ARG_COLS_N);
    const dz = <usize>arg_i32(base, ARG_DZ), da = <usize>arg_i32(base, ARG_DA), z = <usize>arg_i32(base, ARG_Z), a = <usize>arg_i32(base, ARG_A_OUT);
    const c0 = owned_start(n, 16, chunk, chunks), c1 = owned_start(n, 16, chunk + 1, chunks);
    if (c0 < c1) activation_backward_block(dz, da, z, a, 0, m, c0, c1, n, arg_i32(base, ARG_ACT_ID));
  } else if (task == TASK_GEMM_DEPTH) {
    depth_chunk(base, chunk, chunks, pack);
  } else if (task == TASK_DEPTH_SUM) {
    depth_sum(base, chunk, chunks);
  } else if (task == TASK_GATHER_COLUMNS) {
    // x's columns are the first layer's shared dimension
    const k = arg_i32(base, ARG_X_BYTES) >> 2, kc = gemm_k_block(k), blocks = gemm_k_blocks(k);
    gather_chunk(base, 0, arg_i32(base, ARG_ROWS), <usize>(min(k, depth_first(blocks, chunk, chunks) * kc) << 2),
      <usize>(min(k, depth_first(blocks, chunk + 1, chunks) * kc) << 2), chunk == 0);
  } else if (task == TASK_GEMM_OWNED_ROWS) {
    const m = arg_i32(base, ARG_M), n = arg_i32(base, ARG_N);
    const r0 = owned_start(m, 4, chunk, chunks), r1 = owned_start(m, 4, chunk + 1, chunks);
    if (r0 < r1) {
      const c = <usize>arg_i32(base, ARG_C), bias = <usize>arg_i32(base, ARG_BIAS);
      gemm_kind_block(arg_i32(base, ARG_KIND), c, <usize>arg_i32(base, ARG_A), <usize>arg_i32(base, ARG_B),
        r0, r1, 0, n, m, arg_i32(base, ARG_K), n, pack, <usize>arg_i32(base, ARG_SQUARES));
      if (bias != 0) bias_activate_block(<usize>arg_i32(base, ARG_OUT), c, bias, r0, r1, 0, n, n, arg_i32(base, ARG_ACT));
      const belowZ = <usize>arg_i32(base, ARG_BELOW_Z);
      if (belowZ != 0) {
        const offset = <usize>(r0 * n) << 2;
        activation_backward(c + offset, c + offset, belowZ + offset, <usize>arg_i32(base, ARG_BELOW_A) + offset, r1 - r0, n, arg_i32(base, ARG_ACT));
      }
    }
  } else if (task == TASK_UPDATE) {
    if (!update_owned(<usize>arg_i32(base, ARG_UPDATE), chunk, chunks)) atomic.store<i32>(base + NONFINITE, 1);
  } else if (task == TASK_PING) {
    ping_back(base);
  } else {
    const size = arg_i32(base, ARG_GATHER_CHUNK), r0 = chunk * size;
    gather_chunk(base, r0, min(arg_i32(base, ARG_ROWS), r0 + size), 0, <usize>arg_i32(base, ARG_X_BYTES), true);
  }
}

/** gather_rows with the gather task's arguments (set_gather_args): rows [r0, r1), bytes [b0, b1). */
function gather_chunk(base: usize, r0: i32, r1: i32, b0: usize, b1: usize, targets: bool): void {
  gather_rows(<usize>arg_i32(base, ARG_BX), <usize>arg_i32(base, ARG_BY), <usize>arg_i32(base, ARG_BW),
    <usize>arg_i32(base, ARG_DATA_X), <usize>arg_i32(base, ARG_DATA_Y), <usize>arg_i32(base, ARG_DATA_W),
    <usize>arg_i32(base, ARG_ORDER), arg_i32(base, ARG_START), r0, r1,
    <usize>arg_i32(base, ARG_X_BYTES), <usize>arg_i32(base, ARG_Y_BYTES), b0, b1, targets);
}

/**
 * Chunk `chunk` of `chunks` of the update at `upd`, whose segments come in pairs (a layer's
 * weights, then its biases: one per unit, so as many as a row of W holds): the owned_start span
 * of each layer's rows of W, in blocks of 4 rows, and the span of its biases. False if it wrote a
 * non-finite value.
 */
function update_owned(upd: usize, chunk: i32, chunks: i32): bool {
  const bounds = load<usize>(upd + UPD_BOUNDS);
  let finite = true;
  for (let s = 0; s < load<i32>(upd + UPD_SEGMENTS); s += 2) {
    const w = load<i32>(bounds + (<usize>s << 2)), b = load<i32>(bounds + (<usize>(s + 1) << 2));
    const units = load<i32>(bounds + (<usize>(s + 2) << 2)) - b;
    const rows = (b - w) / units;
    finite = update_range(upd, w + owned_start(rows, 4, chunk, chunks) * units, w + owned_start(rows, 4, chunk + 1, chunks) * units) && finite;
    finite = update_range(upd, b + owned_start(units, 4, chunk, chunks), b + owned_start(units, 4, chunk + 1, chunks)) && finite;
  }
  return finite;
}

// The next chunk thread `id` (of `parts` taking part) claims of the task tagged `tag`, or −1 when
// none is left: the next in order, or with affinity (AFFINE_CHUNKS) the lowest unclaimed one of
// its own run, else the highest unclaimed one (from the end of another thread's run).
function claim_chunk(base: usize, id: i32, parts: i32, tag: i64, chunks: i32): i32 {
  const first = ceil_div(id * chunks, parts), last = ceil_div((id + 1) * chunks, parts);
  const own = <u32>(((<u64>1 << <u64>last) - 1) & ~((<u64>1 << <u64>first) - 1));
  const all = <u32>((<u64>1 << <u64>chunks) - 1);
  while (true) {
    const claim = atomic.load<i64>(base + CLAIM);
    if ((claim >>> 32) != tag) return -1;
    let chunk: i32;
    if (chunks > AFFINE_CHUNKS) {
      chunk = <i32>claim;
      if (chunk >= chunks) return -1;
      if (atomic.cmpxchg<i64>(base + CLAIM, claim, claim + 1) == claim) return chunk;
    } else {
      const free = ~<u32>claim & all;
      if (free == 0) return -1;
      chunk = (free & own) != 0 ? <i32>ctz(free & own) : 31 - <i32>clz(free);
      if (atomic.cmpxchg<i64>(base + CLAIM, claim, claim | (<i64>1 << <i64>chunk)) == claim) return chunk;
    }
  }
}

// Claim and run chunks of the task tagged `tag` until none is left; returns how many it ran.
// Arguments are read only after a successful claim: the caller cannot start another task before
// every claimed chunk completes.
function take_chunks(base: usize, id: i32, parts: i32, tag: i64): i32 {
  const pack = scratch(base, id);
  const chunks = load<i32>(base + CHUNKS);
  let taken = 0;
  while (true) {
    const chunk = claim_chunk(base, id, parts, tag, chunks);
    if (chunk < 0) return taken;
    run_chunk(base, chunk, chunks, pack);
    taken++;
    if (atomic.add<i32>(base + COMPLETED, 1) + 1 == chunks) wake(base, base + COMPLETED);
  }
}

// Wake the threads blocked on `word` after changing it, if any thread is blocked at all: a notify
// takes the engine's lock (~0.1 µs), on every task and on the critical path of the join. A thread
// about to block sets its PARKED word first, and its wait32 rechecks `word`, so it never misses
// the change (all these accesses are sequentially consistent).
// @ts-ignore: decorator
@inline function wake(base: usize, word: usize): void {
  if (parked_from(base, 0)) atomic.notify(word);
}

/** Whether a thread with id ≥ `first` is blocked (or about to block). */
function parked_from(base: usize, first: i32): bool {
  for (let id = first; id < MAX_THREADS; id++) if (atomic.load<i32>(base + PARKED + (<usize>id << 2)) != 0) return true;
  return false;
}

// Thread `id` blocks until *word is no longer `value` (or a notify).
// @ts-ignore: decorator
@inline function sleep(base: usize, id: i32, word: usize, value: i32): void {
  const parked = base + PARKED + (<usize>id << 2);
  atomic.store<i32>(parked, 1);
  memory.atomic.wait32(word, value, -1);
  atomic.store<i32>(parked, 0);
}

// The caller spins, then blocks if it may, until *word reaches target (from below if `rising`,
// else from above).
function wait_until(base: usize, word: usize, target: i32, rising: bool): void {
  let value = atomic.load<i32>(word);
  for (let spin = 0, limit = spins(base); (rising ? value < target : value > target) && spin < limit; spin++) value = atomic.load<i32>(word);
  const blocking = atomic.load<i32>(base + BLOCKING) != 0;
  while (rising ? value < target : value > target) {
    if (blocking) sleep(base, 0, word, value);
    value = atomic.load<i32>(word);
  }
}

// Wait until all `chunks` of the task published at clock time `published` are completed; true if
// the wait was a stall (join_stalled).
function join(base: usize, chunks: i32, published: f64): bool {
  const word = base + COMPLETED;
  for (let spin = 0; spin < STALL_CHECK_SPINS; spin++) if (atomic.load<i32>(word) >= chunks) return false;
  const start = now();
  wait_until(base, word, chunks, true);
  return join_stalled(now() - start, start - published);
}

// Close the previous task to new claims and wait until no worker is inside take_chunks: after a
// trap in the caller's own chunk, workers may still be running chunks of it (and a worker trap of
// that task is never reported). Then the caller may write the new task's arguments.
function begin_task(base: usize, task: i32): void {
  atomic.store<i64>(base + CLAIM, CLOSED << 32);
  wait_until(base, base + ACTIVE, 0, false);
  atomic.store<i32>(base + ERROR, 0);
  store<i32>(base + TASK, task);
}

// Publish the task begun (begin_task) as `chunks` chunks for the caller and the workers with id <
// `parts`, and wake them if any is parked; returns whether one was.
function publish(base: usize, chunks: i32, parts: i32): bool {
  const counter = (atomic.load<i32>(base + GEN) >>> PARTS_BITS) + 1;
  store<i32>(base + CHUNKS, chunks);
  atomic.store<i32>(base + COMPLETED, 0);
  atomic.store<i64>(base + CLAIM, <i64>(counter & TAG_MASK) << 32);
  atomic.store<i32>(base + GEN, (counter << PARTS_BITS) | parts);
  const parked = parked_from(base, 1);
  if (parked) atomic.notify(base + GEN);
  return parked;
}

/** The tag of the task last published (only the caller writes GEN). */
// @ts-ignore: decorator
@inline function published_tag(base: usize): i64 {
  return <i64>((atomic.load<i32>(base + GEN) >>> PARTS_BITS) & TAG_MASK);
}

// Publish the task's `chunks` to the caller and up to `threads` − 1 workers, take chunks, wait
// until all are completed.
function run_task(base: usize, chunks: i32, threads: i32): void {
  const parts = min(threads, chunks);
  const published = now();
  const parked = publish(base, chunks, parts);
  const tag = published_tag(base);
  const taken = take_chunks(base, 0, parts, tag);
  const joined = join(base, chunks, published);
  absent = taken == chunks ? absent + 1 : 0;
  const time = parked ? now() : -1; // the clock only while a worker wakes
  if (!parked || waking_since < 0) waking_since = time;
  const waking = parked && time - waking_since < WAKE_MS;
  const stalled = joined || taken == 0 || (absent > 0 && !waking);
  if (atomic.load<i32>(base + ADAPTIVE) == 0) {
    backoff = skip = 0;
  } else if (stalled) {
    backoff = min(MAX_BACKOFF, max(1, backoff * 2));
    skip = backoff;
  } else if (taken < chunks) {
    backoff = 0;
  }
  if (atomic.load<i32>(base + ERROR) != 0) {
    atomic.store<i32>(base + ERROR, 0);
    unreachable(); // a worker's chunk trapped; the JS wrapper names the kernel
  }
  if (check_after_task && (taken < chunks || now() - check_due_since >= CHECK_WAIT_MS)) {
    check_after_task = false;
    cores_checked = now();
    far_cores = worker_round_trip(PING_BOUNCES) > FAR_ROUND_TRIP_MS;
  }
}

/**
 * A GEMM's multiply-adds and C's loads and stores, in the cost model's unit (n₈: n rounded up to
 * the narrowest tile's 8 columns).
 */
// @ts-ignore: decorator
@inline function gemm_work(m: i32, k: i32, n: i32): i64 { return <i64>m * <i64>((n + 7) & ~7) * (<i64>k + COST_PER_C); }

/** Packing op(B) (k × n) once, in the same unit. */
// @ts-ignore: decorator
@inline function gemm_packing(k: i32, n: i32): i64 { return <i64>k * <i64>((n + 7) & ~7); }

function set_gemm_args(base: usize, kind: i32, c: usize, a: usize, b: usize, m: i32, k: i32, n: i32): void {
  set_i32(base, ARG_KIND, kind);
  set_i32(base, ARG_C, <i32>c); set_i32(base, ARG_A, <i32>a); set_i32(base, ARG_B, <i32>b);
  set_i32(base, ARG_M, m); set_i32(base, ARG_K, k); set_i32(base, ARG_N, n);
}

/**
 * C (m, n) of a GEMM, in chunks across the workers when it is worth it: chunks of columns (each
 * packs only its part of op(B)) when there are enough 16-column groups, else of rows (multiples
 * of 4; each chunk packs all of op(B) again, so row chunks are fewer). Column chunks are multiples
 * of 16 floats, a 64-byte cache line: with 8-column chunks two threads wrote the two halves of the
 * same lines of C (a 784×1×128 GEMM took 2× longer on 2 threads than on 1).
 */
export function gemm_parallel(kind: i32, c: usize, a: usize, b: usize, m: i32, k: i32, n: i32): void {
  gemm_activate_parallel(kind, c, a, b, m, k, n, 0, 0, 0);
}

/**
 * Whether a split GEMM C (m, n) = op(A) (m, k) · op(B) goes by columns: when there are enough
 * 16-column groups, or too few rows to split (row chunks each pack all of op(B), so they are
 * kept to those whose packing stays under an eighth of the work). Else by rows.
 */
function splits_columns(m: i32, k: i32, n: i32, threads: i32): bool {
  const groups = ceil_div(n, 16);
  return groups >= 2 * threads || (row_chunks(m, k, n) < 2 && groups >= 2);
}

/** The most row chunks of a GEMM: 4-row blocks, each packing all of op(B), its packing under an eighth of the work. */
function row_chunks(m: i32, k: i32, n: i32): i32 {
  return <i32>min<i64>(ceil_div(m, 4), gemm_work(m, k, n) / (8 * max<i64>(1, gemm_packing(k, n))));
}

/**
 * The owned column chunks a GEMM C (m, n) over k that the cost model gives `chunks` is split into
 * (a multiple of the threads, each thread's run the same owned_start span whatever the count),
 * or 0: not split, split by rows, or into more column chunks than affinity deals out.
 */
function owned_column_chunks(chunks: i32, m: i32, k: i32, n: i32, threads: i32): i32 {
  const groups = ceil_div(n, 16);
  return chunks != 0 && !tall(m, n) && min(chunks, groups) <= AFFINE_CHUNKS && splits_columns(m, k, n, threads)
    ? owned_chunks(min(chunks, groups), threads) : 0;
}

/**
 * A split GEMM C (m, n) with at least this many rows per column goes by owned rows
 * (gemm_activate_parallel). Split by columns, a layer's GEMM reads every column of its input,
 * half of which the layer below's split wrote on the other core (m·k/2 floats); by rows, each
 * core reads all of W (k·n) and its own rows of the input, and the backward pass then splits
 * the layer's rows the same way, so z, a, δa and δz never leave the core that wrote them. Rows
 * move fewer lines once m passes about 2n; the margin keeps wide layers of small batches, where
 * the two splits measured alike, as they were.
 */
const TALL_ROWS_PER_COLUMN: i32 = 4;

// @ts-ignore: decorator
@inline function tall(m: i32, n: i32): bool { return m >= TALL_ROWS_PER_COLUMN * n; }

/**
 * gemm_parallel, then, unless bias is 0, c += bias on every row and out = act(c)
 * (bias_activate_block), each chunk over its own block of C: the core that computed a block
 * activates it from its cache (an element-wise act; softmax needs whole rows). Bit for bit
 * bias_add then activation_forward. The cost model leaves the epilogue out, which can only keep
 * on the caller a task that splitting would have paid for. A tall GEMM (TALL_ROWS_PER_COLUMN) is
 * split into one owned_start span of 4-row blocks per thread, and the count of those spans is
 * returned (else 0): a layer's backward pass then splits its rows the same way
 * (input_gradient_parallel, which applies the activation backward too). A split by columns deals out the
 * owned_start spans of 16-column groups, so each thread's columns of z and a are those that
 * activation_backward_parallel gives it in the backward pass.
 */
export function gemm_activate_parallel(kind: i32, c: usize, a: usize, b: usize, m: i32, k: i32, n: i32, bias: usize, out: usize, act: i32): i32 {
  const base = ctrl;
  const workers = atomic.load<i32>(base + WORKERS);
  const threads = workers + 1;
  const groups = ceil_div(n, 16), blocks = ceil_div(m, 4);
  const chunks = chunks_for(base, workers, gemm_work(m, k, n) + gemm_packing(k, n));
  const rowChunks = row_chunks(m, k, n);
  if (chunks != 0 && tall(m, n) && blocks >= 2) {
    const parts = min(threads, blocks);
    run_owned_rows(base, kind, c, a, b, m, k, n, 0, bias, out, act, parts, parts);
    return parts;
  }
  const owned = owned_column_chunks(chunks, m, k, n, threads);
  if (owned > 0) {
    begin_task(base, TASK_GEMM_OWNED_COLUMNS);
    set_gemm_args(base, kind, c, a, b, m, k, n);
    set_i32(base, ARG_BIAS, <i32>bias); set_i32(base, ARG_OUT, <i32>out); set_i32(base, ARG_ACT, act);
    run_task(base, owned, threads);
    return 0;
  }
  let rows = m, cols = n;
  if (chunks != 0 && splits_columns(m, k, n, threads)) {
    cols = 16 * ceil_div(groups, min(chunks, groups)); // more chunks than affinity deals out: claimed in order
  } else if (chunks != 0 && rowChunks >= 2) {
    rows = 4 * ceil_div(blocks, min(chunks, rowChunks));
  } else {
    gemm_kind_block(kind, c, a, b, 0, m, 0, n, m, k, n, scratch(base, 0));
    if (bias != 0) bias_activate_block(out, c, bias, 0, m, 0, n, n, act);
    return 0;
  }
  begin_task(base, TASK_GEMM);
  set_gemm_args(base, kind, c, a, b, m, k, n);
  set_i32(base, ARG_CHUNK_ROWS, rows); set_i32(base, ARG_CHUNK_COLS, cols);
  set_i32(base, ARG_BIAS, <i32>bias); set_i32(base, ARG_OUT, <i32>out); set_i32(base, ARG_ACT, act);
  run_task(base, ceil_div(m, rows) * ceil_div(n, cols), threads);
  return 0;
}

/**
 * The rows from which the second pass of a depth split (depth_sum) splits across the threads, as
 * in native (native/matmul.cc kDepthSumSplitMinRows): with the two vCPUs on different dies, two
 * threads trained 784-512-256-10 at batch 32 1.08x (SGD) and 1.10x (Adam) faster with the rows
 * summed by the caller, and 784-128-10 at batch 16 and 32 alike (0.99–1.00x).
 */
const DEPTH_SUM_SPLIT_MIN_ROWS: i32 = 33;

/** The first of `blocks` K blocks that chunk `chunk` of a depth split into `chunks` sums. */
// @ts-ignore: decorator
@inline function depth_first(blocks: i32, chunk: i32, chunks: i32): i32 { return blocks * chunk / chunks; }

/** Floats a depth split of (m, k) · (k, n) into `chunks` keeps apart: chunk 1's blocks' on. */
function depth_floats(m: i32, k: i32, n: i32, chunks: i32): i64 {
  const blocks = gemm_k_blocks(k);
  return <i64>(blocks - depth_first(blocks, 1, chunks)) * <i64>m * <i64>n;
}

/**
 * The room a forward GEMM of (m, k) · (k, n) needs for its depth split's products on up to
 * MAX_THREADS threads (gemm_depth_parallel), or 0 past MOST_DEPTH_FLOATS (then it splits otherwise).
 */
export function depth_room(m: i32, k: i32, n: i32): i32 {
  const floats = depth_floats(m, k, n, min(MAX_THREADS, gemm_k_blocks(k)));
  return floats <= <i64>MOST_DEPTH_FLOATS ? <i32>floats : 0;
}

/**
 * Threads a layer's forward GEMM (m rows, k inputs, n units) is split over by K blocks
 * (gemm_depth_parallel), or 0: k has one block, the cost model keeps the GEMM whole, or the
 * products to keep apart exceed `room` floats. One chunk per thread, each summing whole blocks.
 * In a training step, `update` is the network's update block (else 0): where the update splits,
 * so does the GEMM, even when its own cost would keep it whole, because the update leaves each
 * thread's rows of W in its core's cache and the caller alone would read them all from there.
 * At batch 1 a 784-128-10 step (GEMM 2^17.6, SGD update 2^18.6) then ran 1.56x faster on two
 * threads than on one (1.66x with Adam), against 0.95x with the GEMM on the caller.
 */
export function depth_parts(m: i32, k: i32, n: i32, room: i32, update: usize): i32 {
  const base = ctrl;
  const workers = atomic.load<i32>(base + WORKERS);
  const blocks = gemm_k_blocks(k);
  const cost = max<i64>(gemm_work(m, k, n) + gemm_packing(k, n), update != 0 ? update_cost(update) : 0);
  if (workers == 0 || blocks < 2 || chunks_for(base, workers, cost) == 0) return 0;
  const parts = min(workers + 1, blocks);
  return depth_floats(m, k, n, parts) <= <i64>room ? parts : 0;
}

/**
 * A layer's forward GEMM z (m, n) = x (m, k) · w (k, n) split by K blocks over `parts` threads
 * (depth_parts), then z += bias and out = act(z) (any act) row by row: chunk c sums its blocks'
 * products, chunk 0 into z, the others each block's apart in `partials`; then chunk c adds the
 * later blocks' products to its owned_start span of 4-row blocks of z in K order, the bias, and
 * activates those rows. The additions one thread makes, in its order (gemm.ts): the same bits.
 * Each thread reads only its K blocks' rows of W, which the weight-gradient GEMM and the update
 * give it too (owned_start spans of the same rows, up to a few rows at the edges), so W stays in
 * its core's cache from step to step; only the products cross between the cores. Split by
 * columns instead, every row of W moved between the cores twice a step. Fewer than
 * DEPTH_SUM_SPLIT_MIN_ROWS rows are summed and activated by the caller alone. Returns the threads
 * whose spans of rows of z and out the second pass wrote (parts), or 0 for the caller alone.
 */
export function gemm_depth_parallel(z: usize, x: usize, w: usize, m: i32, k: i32, n: i32, bias: usize, out: usize, act: i32, partials: usize, parts: i32): i32 {
  const base = ctrl;
  begin_task(base, TASK_GEMM_DEPTH);
  set_gemm_args(base, GEMM_NN, z, x, w, m, k, n);
  set_i32(base, ARG_PARTIALS, <i32>partials);
  run_task(base, parts, parts);
  // again: a check of the cores after the first task (run_task) posts a ping over the arguments
  begin_task(base, TASK_DEPTH_SUM);
  set_gemm_args(base, GEMM_NN, z, x, w, m, k, n);
  set_i32(base, ARG_PARTIALS, <i32>partials);
  set_i32(base, ARG_BIAS, <i32>bias); set_i32(base, ARG_OUT, <i32>out); set_i32(base, ARG_ACT, act);
  if (m < DEPTH_SUM_SPLIT_MIN_ROWS) {
    for (let chunk = 0; chunk < parts; chunk++) depth_sum(base, chunk, parts);
    return 0;
  }
  run_task(base, parts, parts);
  return parts;
}

function depth_partial(base: usize, block: i32, blocks: i32, chunks: i32): usize {
  const m = arg_i32(base, ARG_M), n = arg_i32(base, ARG_N);
  return <usize>arg_i32(base, ARG_PARTIALS) + ((<usize>(block - depth_first(blocks, 1, chunks)) * <usize>m * <usize>n) << 2);
}

function depth_chunk(base: usize, chunk: i32, chunks: i32, pack: usize): void {
  const m = arg_i32(base, ARG_M), k = arg_i32(base, ARG_K), n = arg_i32(base, ARG_N);
  const a = <usize>arg_i32(base, ARG_A), b = <usize>arg_i32(base, ARG_B);
  const kc = gemm_k_block(k), blocks = gemm_k_blocks(k);
  const last = depth_first(blocks, chunk + 1, chunks);
  if (chunk == 0) {
    gemm_kind_block(GEMM_NN, <usize>arg_i32(base, ARG_C), a, b, 0, m, 0, n, m, k, n, pack, 0, 0, min(k, last * kc));
    return;
  }
  for (let block = depth_first(blocks, chunk, chunks); block < last; block++) {
    gemm_kind_block(GEMM_NN, depth_partial(base, block, blocks, chunks), a, b, 0, m, 0, n, m, k, n, pack, 0, block * kc, min(k, (block + 1) * kc));
  }
}

function depth_sum(base: usize, chunk: i32, chunks: i32): void {
  const m = arg_i32(base, ARG_M), k = arg_i32(base, ARG_K), n = arg_i32(base, ARG_N);
  const r0 = owned_start(m, 4, chunk, chunks), r1 = owned_start(m, 4, chunk + 1, chunks);
  if (r0 >= r1) return;
  const blocks = gemm_k_blocks(k);
  const offset = <usize>(r0 * n) << 2, count = (r1 - r0) * n;
  const z = <usize>arg_i32(base, ARG_C) + offset;
  for (let block = depth_first(blocks, 1, chunks); block < blocks; block++) {
    add_row(z, depth_partial(base, block, blocks, chunks) + offset, count);
  }
  bias_add(z, <usize>arg_i32(base, ARG_BIAS), r1 - r0, n);
  activation_forward(<usize>arg_i32(base, ARG_OUT) + offset, z, r1 - r0, n, arg_i32(base, ARG_ACT));
}

/** Whether gemm_activate_parallel splits the forward GEMM of a layer (m rows, k inputs, n units) by owned columns. */
function owned_columns(base: usize, m: i32, k: i32, n: i32): bool {
  const workers = atomic.load<i32>(base + WORKERS);
  return owned_column_chunks(chunks_for(base, workers, gemm_work(m, k, n) + gemm_packing(k, n)), m, k, n, workers + 1) > 0;
}

/**
 * The input gradient dx (m, k) = dz (m, n) · wᵀ of a layer whose layer below (m rows, `below`
 * inputs, k units) had the rows of its forward GEMM split over `belowParts` threads (by K blocks or
 * by owned rows): split by the same owned_start spans of rows that activated z there; or by owned
 * columns: split by the same columns. Either way the core that reads a part of dx next (for the
 * activation backward) is the one that wrote it, whatever the GEMM's own cost; else, or
 * with no layer below (below = 0), matmul_nt's split. On distant cores, the caller writing all
 * of dx, half of whose lines the worker had read the step before, took 38 µs against 13.
 * Split by rows, each thread also applies to its rows of dx, in place, the activation backward of
 * the layer below (its z, a and act), without another task, unless belowZ is 0; returns whether
 * it did (else activation_backward_parallel follows).
 */
export function input_gradient_parallel(
  dx: usize, dz: usize, w: usize, m: i32, n: i32, k: i32, below: i32, belowParts: i32, belowZ: usize, belowA: usize, belowAct: i32,
): bool {
  const base = ctrl;
  const threads = atomic.load<i32>(base + WORKERS) + 1;
  if (belowParts >= 2) {
    run_owned_rows(base, GEMM_NT, dx, dz, w, m, n, k, 0, 0, 0, belowAct, belowParts, belowParts, belowZ, belowA);
    return belowZ != 0;
  }
  if (below == 0 || !owned_columns(base, m, below, k)) {
    gemm_activate_parallel(GEMM_NT, dx, dz, w, m, n, k, 0, 0, 0);
    return false;
  }
  begin_task(base, TASK_GEMM_OWNED_COLUMNS);
  set_gemm_args(base, GEMM_NT, dx, dz, w, m, n, k);
  set_i32(base, ARG_BIAS, 0);
  run_task(base, threads, threads); // one chunk per thread: its owned_start span of the columns
  return false;
}

/**
 * activation_backward of a layer whose forward GEMM (m rows, k inputs, n units) had its rows
 * not split across threads: by the same columns when gemm_activate_parallel split it by columns,
 * so each thread reads the z and a its own core wrote; else on the caller. Not for the work (a
 * pass over m·n elements), but for where z lives: with the two vCPUs on different dies, the
 * caller reading the worker's half of z took 108 µs of a 1218 µs step (784-128-10, batch 128).
 * (Rows split across threads get their activation backward in the input gradient's task,
 * input_gradient_parallel.)
 */
export function activation_backward_parallel(dz: usize, da: usize, z: usize, a: usize, m: i32, k: i32, n: i32, act: i32): void {
  const base = ctrl;
  if (act == ACT_SOFTMAX || !owned_columns(base, m, k, n)) {
    activation_backward(dz, da, z, a, m, n, act);
    return;
  }
  const threads = atomic.load<i32>(base + WORKERS) + 1;
  begin_task(base, TASK_ACTIVATION_BACKWARD);
  set_i32(base, ARG_DZ, <i32>dz); set_i32(base, ARG_DA, <i32>da); set_i32(base, ARG_Z, <i32>z); set_i32(base, ARG_A_OUT, <i32>a);
  set_i32(base, ARG_ROWS_M, m); set_i32(base, ARG_COLS_N, n); set_i32(base, ARG_ACT_ID, act);
  run_task(base, threads, threads); // one chunk per thread: its owned_start span of the columns
}

/**
 * C (m, n) of a GEMM whose rows are a layer's rows of W (the weight gradient), and unless
 * `squares` is 0 the Σc² of each 4-row block there (gemm_squares_floats), in chunks of rows across
 * the workers when it is worth it: the owned_start spans of 4-row blocks that update_parallel
 * gives each thread, so the core that writes a row of dW is the one that reads it next for the
 * update, from its own cache. Split by columns, half of every row of dW moved between the cores
 * each step: with the two vCPUs on different dies (a
 * ~330 ns cache-line round trip), 784-128-10 at batch 32 then trained no faster on two threads
 * than on one, and 1.07-1.15x faster split this way; with the vCPUs close (~65 ns) the two splits
 * ran within 3% of each other. At most two chunks per thread, because each chunk packs all of op(B).
 */
export function gemm_owned_rows_parallel(kind: i32, c: usize, a: usize, b: usize, m: i32, k: i32, n: i32, squares: usize): void {
  const base = ctrl;
  const workers = atomic.load<i32>(base + WORKERS);
  const threads = workers + 1;
  const chunks = owned_chunks(min(min(chunks_for(base, workers, gemm_work(m, k, n) + gemm_packing(k, n)), ceil_div(m, 4)), 2 * threads), threads);
  if (chunks < 2) {
    gemm_kind_block(kind, c, a, b, 0, m, 0, n, m, k, n, scratch(base, 0), squares);
    return;
  }
  run_owned_rows(base, kind, c, a, b, m, k, n, squares, 0, 0, 0, chunks, threads);
}

/**
 * A GEMM split into `chunks` owned_start spans of 4-row blocks of C (TASK_GEMM_OWNED_ROWS) over
 * `threads`, each chunk then leaving its blocks' Σc² in `squares` and, unless bias is 0, adding
 * the bias and activating its rows into `out` (0 for none of either).
 */
function run_owned_rows(
  base: usize, kind: i32, c: usize, a: usize, b: usize, m: i32, k: i32, n: i32,
  squares: usize, bias: usize, out: usize, act: i32, chunks: i32, threads: i32, belowZ: usize = 0, belowA: usize = 0,
): void {
  begin_task(base, TASK_GEMM_OWNED_ROWS);
  set_gemm_args(base, kind, c, a, b, m, k, n);
  set_i32(base, ARG_SQUARES, <i32>squares);
  set_i32(base, ARG_BIAS, <i32>bias); set_i32(base, ARG_OUT, <i32>out); set_i32(base, ARG_ACT, act);
  set_i32(base, ARG_BELOW_Z, <i32>belowZ); set_i32(base, ARG_BELOW_A, <i32>belowA);
  run_task(base, chunks, threads);
}

/**
 * The update described by the block at `upd` (optim.ts UPD_*, update_range; segments in pairs,
 * update_owned), split across the workers by rows of each layer's W. False if any chunk wrote a
 * non-finite value.
 */
export function update_parallel(upd: usize): bool {
  const base = ctrl;
  const workers = atomic.load<i32>(base + WORKERS);
  const count = load<i32>(upd + UPD_COUNT);
  const chunks = owned_chunks(chunks_for(base, workers, update_cost(upd)), workers + 1);
  if (chunks == 0) return update_range(upd, 0, count);
  begin_task(base, TASK_UPDATE);
  atomic.store<i32>(base + NONFINITE, 0);
  set_i32(base, ARG_UPDATE, <i32>upd);
  run_task(base, chunks, workers + 1);
  return atomic.load<i32>(base + NONFINITE) == 0;
}

/**
 * gather_rows of batch rows [0, rows) (their weights too unless dataW is 0), in chunks of rows
 * across the workers; or, when the first layer's forward GEMM is split by K blocks over `parts`
 * threads (depth_parts), each thread gathers the columns of x its chunk of that GEMM reads (and
 * the caller y and the weights), so x's lines never move between the cores: gathered by rows,
 * each core read the other's half of the batch in the forward GEMM and again in the weight
 * gradient's.
 */
export function gather_parallel(
  bx: usize, by: usize, bw: usize, dataX: usize, dataY: usize, dataW: usize, order: usize, start: i32, rows: i32,
  xBytes: usize, yBytes: usize, parts: i32,
): void {
  const base = ctrl;
  if (parts >= 2) {
    begin_task(base, TASK_GATHER_COLUMNS);
    set_gather_args(base, bx, by, bw, dataX, dataY, dataW, order, start, rows, xBytes, yBytes);
    run_task(base, parts, parts);
    return;
  }
  const workers = atomic.load<i32>(base + WORKERS);
  const rowBytes = xBytes + yBytes + (dataW != 0 ? 4 : 0);
  const chunks = chunks_for(base, workers, <i64>rows * <i64>rowBytes * COST_PER_GATHERED_BYTE);
  if (chunks == 0 || rows < 2) {
    gather_rows(bx, by, bw, dataX, dataY, dataW, order, start, 0, rows, xBytes, yBytes, 0, xBytes, true);
    return;
  }
  begin_task(base, TASK_GATHER);
  set_gather_args(base, bx, by, bw, dataX, dataY, dataW, order, start, rows, xBytes, yBytes);
  const size = ceil_div(rows, min(chunks, rows));
  set_i32(base, ARG_GATHER_CHUNK, size);
  run_task(base, ceil_div(rows, size), workers + 1);
}

function set_gather_args(
  base: usize, bx: usize, by: usize, bw: usize, dataX: usize, dataY: usize, dataW: usize, order: usize, start: i32, rows: i32,
  xBytes: usize, yBytes: usize,
): void {
  set_i32(base, ARG_BX, <i32>bx); set_i32(base, ARG_BY, <i32>by); set_i32(base, ARG_BW, <i32>bw);
  set_i32(base, ARG_DATA_X, <i32>dataX); set_i32(base, ARG_DATA_Y, <i32>dataY); set_i32(base, ARG_DATA_W, <i32>dataW);
  set_i32(base, ARG_ORDER, <i32>order); set_i32(base, ARG_START, start); set_i32(base, ARG_ROWS, rows);
  set_i32(base, ARG_X_BYTES, <i32>xBytes); set_i32(base, ARG_Y_BYTES, <i32>yBytes);
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
      sleep(base, id, base + GEN, seen);
      gen = atomic.load<i32>(base + GEN);
    }
    if (atomic.load<i32>(mine) != incarnation) return;
    seen = gen;
    atomic.store<i32>(last, gen);
    if (id < (gen & PARTS_MASK)) {
      atomic.add<i32>(base + ACTIVE, 1);
      // once active, the caller cannot post past the next task; if it already has, this one is
      // over (tags repeat, so a worker stalled for 2^15 tasks must not claim by tag alone)
      if (atomic.load<i32>(base + GEN) == gen) take_chunks(base, id, gen & PARTS_MASK, <i64>((gen >>> PARTS_BITS) & TAG_MASK));
      if (atomic.sub<i32>(base + ACTIVE, 1) == 1) wake(base, base + ACTIVE);
    }
  }
}
