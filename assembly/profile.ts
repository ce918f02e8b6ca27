// Phase clocks for the profile build of the module (`node assembly/build.mjs --profile`, which
// compiles with `--use MLPX_PROFILE=1` from index-profile.ts), the counterpart of
// native/profile.h: each phase of a training step adds its wall time on the calling thread
// (including any wait for workers on a split task) to its total. In every other build
// MLPX_PROFILE is undefined, phase_start and phase_add compile to nothing, and the module has no
// clock calls in its steps and no profile exports.
import { now } from './clock';

// The phases, in native/profile.cc's order (bench/suites/profile.ts WASM_PHASES names them as it
// does). Unlike native, a layer's dropout counts as its activation (forward and backward), and
// an element-wise activation that the forward GEMM's chunks apply (bias_activate_block) as the
// forward GEMM.
export const PHASE_FORWARD_GEMM: i32 = 0;
export const PHASE_ACTIVATION: i32 = 1;
export const PHASE_LOSS: i32 = 2;
export const PHASE_OUTPUT_DELTA: i32 = 3;
export const PHASE_BACKWARD_GEMM_WEIGHTS: i32 = 4;
export const PHASE_BIAS_GRADIENT: i32 = 5;
export const PHASE_BACKWARD_GEMM_INPUTS: i32 = 6;
export const PHASE_ACTIVATION_BACKWARD: i32 = 7;
export const PHASE_GRADIENT_NORM: i32 = 8;
export const PHASE_UPDATE: i32 = 9;
export const PHASE_COUNT: i32 = 10;

/** Milliseconds per phase (f64 each), in the profile build's static data. */
// @ts-ignore: defined by asc --use in the profile build only
const totals: usize = isDefined(MLPX_PROFILE) ? memory.data(PHASE_COUNT << 3, 8) : 0;

/** The clock at a phase's start (0 outside the profile build). */
// @ts-ignore: decorator
@inline export function phase_start(): f64 {
  // @ts-ignore: defined by asc --use in the profile build only
  if (isDefined(MLPX_PROFILE)) return now();
  return 0;
}

/**
 * Adds the time since `start` (phase_start's or phase_add's) to `phase`; returns the clock read,
 * the start of a phase that follows at once (one clock call fewer: each is a call into JS).
 */
// @ts-ignore: decorator
@inline export function phase_add(phase: i32, start: f64): f64 {
  // @ts-ignore: defined by asc --use in the profile build only
  if (isDefined(MLPX_PROFILE)) {
    const end = now();
    const slot = totals + (<usize>phase << 3);
    store<f64>(slot, load<f64>(slot) + (end - start));
    return end;
  }
  return 0;
}

/** Milliseconds spent in `phase` since the last profile_reset. */
export function profile_read(phase: i32): f64 {
  return load<f64>(totals + (<usize>phase << 3));
}

export function profile_reset(): void {
  memory.fill(totals, 0, <usize>PHASE_COUNT << 3);
}
