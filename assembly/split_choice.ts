// Whether the training steps of a run split their tasks across the workers or run every task on
// the caller, chosen by timing both ways (state of the caller's instance only; threads.ts
// step_begin and step_end drive it). The cost model (threads.ts chunks_for) splits each task that
// is large enough, but whether a step's splits pay also depends on where the cores are and on how
// many of the lines a step's tasks read the other core wrote: with the two vCPUs on different dies,
// a 2-32-32-2 step at batch 1000 (Adam) took 392 µs split against 287 µs on the caller alone, while
// 784-128-10 at batch 128 trained 1.7x faster split.
//
// So the steps run one way for a stay, then the other way for a trial: TRIAL_WARMUP steps that
// move the data over (not timed), then up to TRIAL_STEPS timed. The mean times of the trial's
// steps and of the stay's last TRIAL_STEPS steps are compared, not the least: on a host that
// preempts a thread now and then, a split step's time comes in two modes, and the least time
// of a few steps flattered splitting (2-64-64-64-2 at batch 1000 trained split at 0.98x one
// thread). The trial's way takes over when its mean is under the stay's by MARGIN; a trial
// already behind by GIVE_UP after two steps ends early. Each stay of a way that keeps winning is
// twice the last (four times after a trial that gave up), up to MAX_STAY: a trial costs more
// than its steps, since the steps after it move the data back (784-512-256-10 at batch 32 trained
// 1% slower with stays of at most 1024 steps). A stay whose steps have become DRIFT slower than
// the steps that won it ends at once: the host has moved the vCPUs (on one die splitting
// 2-32-32-2 paid 1.34x, on two dies it cost 0.78x), and waiting out a long stay would run the
// losing way for up to a second. Each step is bit for bit the same either way, so the choice
// changes no result.

/** The first stay, and the stay after a switch. */
export const SPLIT_CHOICE_FIRST_STAY: i32 = 32;
/**
 * The longest stay: a way chosen while it was quicker (the host ran both vCPUs on one core for a
 * while) is tried again within 4096 steps (about a second at 2-32-32-2's batch 1000).
 */
const MAX_STAY: i32 = 4096;
/** Steps of a trial not timed: the first moves the rows of W and of the activations over. */
export const SPLIT_CHOICE_TRIAL_WARMUP: i32 = 1;
/** Steps timed of each way per trial (the stay's last, the trial's) unless the trial gives up. */
export const SPLIT_CHOICE_TRIAL_STEPS: i32 = 8;
/** How much quicker the other way must be to take over: less is noise on a shared machine. */
const MARGIN: f64 = 0.03;
/** How far behind after two timed steps a trial ends early. */
const GIVE_UP: f64 = 0.2;
/** Steps of a stay whose mean time is held against the mean of the steps that won it. */
const DRIFT_WINDOW: i32 = 32;
/** How much slower than the steps that won it a window of the stay must run to end the stay. */
const DRIFT: f64 = 0.25;

/** The way of the current stay: true runs every task of a step on the caller. */
let solo = false;
let stay: i32 = SPLIT_CHOICE_FIRST_STAY;
/** Steps of the current stay still to run. */
let left: i32 = SPLIT_CHOICE_FIRST_STAY;
/** Steps of the running trial so far; −1 outside a trial. */
let trial: i32 = -1;
/** The summed times in ms of the stay's last TRIAL_STEPS steps, and of the trial's timed steps. */
let stay_ms: f64 = 0;
let trial_ms: f64 = 0;
/** The mean time in ms of the steps that won the last comparison (0 before the first). */
let won_ms: f64 = 0;
/** The summed times and count of the stay's steps since its last full DRIFT_WINDOW. */
let window_ms: f64 = 0;
let window_steps: i32 = 0;

/** Starts over (a new network or batch size): steps split, a first stay. */
export function split_choice_reset(): void {
  solo = false;
  stay = left = SPLIT_CHOICE_FIRST_STAY;
  trial = -1;
  stay_ms = won_ms = window_ms = 0;
  window_steps = 0;
}

/** Whether the next step runs every task on the caller. */
export function split_choice_solo(): bool {
  return trial >= 0 ? !solo : solo;
}

/** Whether the current stay's steps run every task on the caller (its trials not). */
export function split_choice_staying_solo(): bool {
  return solo;
}

/** The time in ms of the step just run the way split_choice_solo said. */
export function split_choice_observe(ms: f64): void {
  if (trial < 0) {
    left--;
    if (left < SPLIT_CHOICE_TRIAL_STEPS) stay_ms += ms;
    window_ms += ms;
    if (++window_steps == DRIFT_WINDOW) {
      if (left > 0 && won_ms > 0 && window_ms > won_ms * <f64>DRIFT_WINDOW * (1 + DRIFT)) {
        // the trial compares the window's mean, the stay's latest steps
        stay_ms = window_ms * <f64>SPLIT_CHOICE_TRIAL_STEPS / <f64>DRIFT_WINDOW;
        left = 0;
      }
      window_ms = 0;
      window_steps = 0;
    }
    if (left == 0) {
      trial = 0;
      trial_ms = 0;
    }
    return;
  }
  const timed = ++trial - SPLIT_CHOICE_TRIAL_WARMUP;
  if (timed <= 0) return;
  trial_ms += ms;
  const stay_mean = stay_ms / <f64>SPLIT_CHOICE_TRIAL_STEPS;
  const behind = timed >= 2 && trial_ms > stay_mean * <f64>timed * (1 + GIVE_UP);
  if (!behind && timed < SPLIT_CHOICE_TRIAL_STEPS) return;
  if (!behind && trial_ms < stay_ms * (1 - MARGIN)) {
    solo = !solo;
    stay = SPLIT_CHOICE_FIRST_STAY;
    won_ms = trial_ms / <f64>SPLIT_CHOICE_TRIAL_STEPS;
  } else {
    stay = min(MAX_STAY, stay * (behind ? 4 : 2));
    won_ms = stay_ms / <f64>SPLIT_CHOICE_TRIAL_STEPS;
  }
  left = stay;
  trial = -1;
  stay_ms = window_ms = 0;
  window_steps = 0;
}
