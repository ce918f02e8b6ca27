// The fused network steps (FUSED_STEP_NAMES in src/backend/kernels.ts): one JS→WASM call runs a
// whole training step, or many. Computes exactly what src/backend/composed.ts composes from the
// kernels, in the same phases and order. The network is described by a block of i32 words that
// the JS engine (src/backend/wasm/engine.ts) writes at the NET_* offsets below; those, the stats
// slots and the step statuses are exported and checked against the TypeScript tables by
// test/parity/layout.test.ts.
import { dense_forward, dense_forward_activate, layer_backward } from './dense';
import { ACT_SOFTMAX, activation_backward, activation_forward } from './activation';
import { dropout_backward_masked, dropout_forward_masked, dropout_layer_key } from './dropout';
import { count_correct, loss_backward, loss_forward, output_delta_fused } from './loss';
import {
  sum_squares, UPD_BYTES, UPD_COUNT, UPD_GRAD_SCALE, UPD_GRADS, UPD_KIND, UPD_L1, UPD_L2, UPD_LR, UPD_STEP, weight_penalty,
} from './optim';
import {
  phase_add, phase_start, PHASE_ACTIVATION, PHASE_ACTIVATION_BACKWARD, PHASE_FORWARD_GEMM, PHASE_GRADIENT_NORM, PHASE_LOSS, PHASE_OUTPUT_DELTA, PHASE_UPDATE,
} from './profile';
import { gemm_squares_floats } from './gemm';
import {
  activation_backward_parallel, depth_parts, depth_room, gather_parallel, gemm_depth_parallel, step_begin, step_end, update_parallel,
} from './threads';

export const NET_LAYERS: i32 = 0;    // L
export const NET_LOSS: i32 = 4;      // loss id
export const NET_FUSED: i32 = 8;     // 1: the output error is output_delta_fused's
export const NET_DELTA_A: i32 = 12;
export const NET_DELTA_Z: i32 = 16;
export const NET_BATCH_X: i32 = 20;
export const NET_BATCH_Y: i32 = 24;
export const NET_BATCH_W: i32 = 28;  // a batch's row weights
export const NET_SEED: i32 = 32;     // f64: the dropout masks' seed
export const NET_CLIP_NORM: i32 = 40; // f64: 0 for none
/**
 * Room for the forward GEMMs' depth splits (threads.ts gemm_depth_parallel), and its floats
 * (net_partial_floats).
 */
export const NET_PARTIALS: i32 = 48, NET_PARTIAL_FLOATS: i32 = 52;
export const NET_UPDATE: i32 = 56;   // the update block (optim.ts UPD_*): parameters, gradients, state, hyper-parameters
export const NET_LAYER0: i32 = NET_UPDATE + UPD_BYTES;  // per layer, NET_LAYER_BYTES each, then the update's segment bounds
export const NET_LAYER_BYTES: i32 = 52;
export const LAYER_IN: i32 = 0, LAYER_UNITS: i32 = 4, LAYER_ACT: i32 = 8, LAYER_W: i32 = 12, LAYER_B: i32 = 16;
export const LAYER_DW: i32 = 20, LAYER_DB: i32 = 24, LAYER_Z: i32 = 28, LAYER_A: i32 = 32;
/** the dropout threshold (u32; 0: no dropout) and the scale of kept units (f32) */
export const LAYER_DROP: i32 = 36, LAYER_DROP_SCALE: i32 = 40;
/** the weight gradient's sums of squares: gemm_squares_floats(LAYER_IN) f32 */
export const LAYER_SQUARES: i32 = 44;
/**
 * the threads whose owned_start spans of 4-row blocks of z and a the last forward pass wrote
 * (split by K blocks, depth_parts, or by rows, gemm_activate_parallel), or 0
 */
export const LAYER_ROW_PARTS: i32 = 48;

/** f64 slots of a step's stats (src/backend/engine.ts STAT_*). */
export const STAT_LOSS: i32 = 0, STAT_CORRECT: i32 = 1, STAT_GRAD_NORM2: i32 = 2, STAT_STATUS: i32 = 3, STATS_PER_BATCH: i32 = 4;
/** What a training step reports (src/backend/engine.ts STEP_*). */
export const STEP_OK: i32 = 0, STEP_LOSS_NON_FINITE: i32 = 1, STEP_GRADIENT_NON_FINITE: i32 = 2, STEP_UPDATE_NON_FINITE: i32 = 3;
/** The largest ‖g‖² a step applies (src/backend/engine.ts GRAD_NORM2_LIMIT): float32's largest value. */
export const GRAD_NORM2_LIMIT: f64 = <f64>f32.MAX_VALUE;

// @ts-ignore: decorator
@inline function layer(net: usize, l: i32): usize {
  return net + NET_LAYER0 + <usize>l * NET_LAYER_BYTES;
}

// @ts-ignore: decorator
@inline function stat(stats: usize, slot: i32): usize {
  return stats + (<usize>slot << 3);
}

// @ts-ignore: decorator
@inline function mask_key(net: usize, step: f64, l: i32): u32 {
  return dropout_layer_key(<u64>load<f64>(net + NET_SEED), <u64>step, l);
}

/** Floats of room the forward GEMMs of `rows` rows need for their depth splits (NET_PARTIALS). */
export function net_partial_floats(net: usize, rows: i32): i32 {
  let most = 0;
  for (let l = 0; l < load<i32>(net + NET_LAYERS); l++) {
    const s = layer(net, l);
    most = max(most, depth_room(rows, load<i32>(s + LAYER_IN), load<i32>(s + LAYER_UNITS)));
  }
  return most;
}

/**
 * depth_parts of layer `s`'s forward GEMM of `rows` rows, in the network's room (`training`: in a
 * training step).
 */
function layer_depth_parts(net: usize, s: usize, rows: i32, training: bool): i32 {
  return depth_parts(rows, load<i32>(s + LAYER_IN), load<i32>(s + LAYER_UNITS), load<i32>(net + NET_PARTIAL_FLOATS), training ? net + NET_UPDATE : 0);
}

/** Forward pass of `rows` rows of x, no unit dropped (inference); returns the outputs' address. */
export function net_forward(net: usize, x: usize, rows: i32): usize {
  return forward(net, x, rows, false, 0, -1);
}

/**
 * Forward pass of `rows` rows of x; returns the output activations' address. With `training`,
 * layers with a threshold drop with the masks of update `step`, and the GEMMs split as the update
 * will (depth_parts). The first layer's GEMM is split by K blocks over `firstParts` threads (the
 * split x was gathered for, net_train_batches), or as depth_parts decides when it is −1.
 */
function forward(net: usize, x: usize, rows: i32, training: bool, step: f64, firstParts: i32): usize {
  const L = load<i32>(net + NET_LAYERS);
  let input = x;
  let start = phase_start();
  for (let l = 0; l < L; l++) {
    const s = layer(net, l);
    const units = load<i32>(s + LAYER_UNITS);
    const z = load<usize>(s + LAYER_Z), a = load<usize>(s + LAYER_A), act = load<i32>(s + LAYER_ACT);
    const w = load<usize>(s + LAYER_W), b = load<usize>(s + LAYER_B), inputs = load<i32>(s + LAYER_IN);
    const threshold = load<u32>(s + LAYER_DROP);
    const dropping = training && threshold != 0;
    const parts = dropping ? 0 : l == 0 && firstParts >= 0 ? firstParts : layer_depth_parts(net, s, rows, training);
    store<i32>(s + LAYER_ROW_PARTS, parts);
    if (parts >= 2) {
      // each thread activates the rows it summed (the profile counts it as GEMM time)
      store<i32>(s + LAYER_ROW_PARTS, gemm_depth_parallel(z, input, w, rows, inputs, units, b, a, act, load<usize>(net + NET_PARTIALS), parts));
      start = phase_add(PHASE_FORWARD_GEMM, start);
    } else if (!dropping && act != ACT_SOFTMAX) {
      // each GEMM chunk activates its own block (the profile counts it as GEMM time)
      store<i32>(s + LAYER_ROW_PARTS, dense_forward_activate(z, a, input, w, b, rows, inputs, units, act));
      start = phase_add(PHASE_FORWARD_GEMM, start);
    } else {
      dense_forward(z, input, w, b, rows, inputs, units);
      start = phase_add(PHASE_FORWARD_GEMM, start);
      if (dropping) dropout_forward_masked(a, z, rows, units, act, threshold, load<f32>(s + LAYER_DROP_SCALE), mask_key(net, step, l));
      else activation_forward(a, z, rows, units, act);
      start = phase_add(PHASE_ACTIVATION, start);
    }
    input = a;
  }
  return input;
}

/** Loss (rows weighted by w; 0: all 1) and correct rows of the output `out` (net_forward's) against y; fills those stats. */
export function net_loss(net: usize, out: usize, y: usize, w: usize, rows: i32, stats: usize): void {
  const start = phase_start();
  const units = load<i32>(layer(net, load<i32>(net + NET_LAYERS) - 1) + LAYER_UNITS);
  store<f64>(stat(stats, STAT_LOSS), loss_forward(out, y, w, rows, units, load<i32>(net + NET_LOSS)));
  store<f64>(stat(stats, STAT_CORRECT), <f64>count_correct(out, y, rows, units));
  phase_add(PHASE_LOSS, start);
}

/** Backward pass into the gradients after net_forward on the same rows; fills ‖g‖². */
export function net_backward(net: usize, x: usize, y: usize, w: usize, rows: i32, stats: usize): void {
  backward(net, x, y, w, rows, stats, false, 0);
}

/** Backward pass after forward on the same rows (dropping as it did with `dropout` and `step`). */
function backward(net: usize, x: usize, y: usize, w: usize, rows: i32, stats: usize, dropout: bool, step: f64): void {
  const L = load<i32>(net + NET_LAYERS);
  const last = layer(net, L - 1);
  const outUnits = load<i32>(last + LAYER_UNITS);
  let dz = load<usize>(net + NET_DELTA_Z), da = load<usize>(net + NET_DELTA_A);
  let start = phase_start();
  if (load<i32>(net + NET_FUSED)) {
    output_delta_fused(dz, load<usize>(last + LAYER_A), y, w, rows, outUnits, load<i32>(last + LAYER_ACT));
  } else {
    loss_backward(da, load<usize>(last + LAYER_A), y, w, rows, outUnits, load<i32>(net + NET_LOSS));
    activation_backward(dz, da, load<usize>(last + LAYER_Z), load<usize>(last + LAYER_A), rows, outUnits, load<i32>(last + LAYER_ACT));
  }
  phase_add(PHASE_OUTPUT_DELTA, start);
  // δz of layer l is in dz; layer l − 1's δa goes into da and becomes its δz there, in place (by
  // the same rows that wrote δa when the input gradient is split by rows: no task of its own),
  // and the two buffers trade places
  for (let l = L - 1; l >= 0; l--) {
    const s = layer(net, l);
    const inputs = load<i32>(s + LAYER_IN);
    if (l == 0) {
      layer_backward(0, load<usize>(s + LAYER_DW), load<usize>(s + LAYER_DB), dz, x, load<usize>(s + LAYER_W),
        rows, inputs, load<i32>(s + LAYER_UNITS), 0, 0, load<usize>(s + LAYER_SQUARES), 0, 0, 0);
      break;
    }
    const below = layer(net, l - 1);
    const z = load<usize>(below + LAYER_Z), a = load<usize>(below + LAYER_A), act = load<i32>(below + LAYER_ACT);
    const belowParts = load<i32>(below + LAYER_ROW_PARTS);
    const threshold = dropout ? load<u32>(below + LAYER_DROP) : 0;
    const activated = layer_backward(da, load<usize>(s + LAYER_DW), load<usize>(s + LAYER_DB), dz, a, load<usize>(s + LAYER_W),
      rows, inputs, load<i32>(s + LAYER_UNITS), load<i32>(below + LAYER_IN), belowParts, load<usize>(s + LAYER_SQUARES),
      threshold != 0 ? 0 : z, a, act);
    start = phase_start();
    if (threshold != 0) dropout_backward_masked(da, da, z, rows, inputs, act, threshold, load<f32>(below + LAYER_DROP_SCALE), mask_key(net, step, l - 1));
    else if (!activated) activation_backward_parallel(da, da, z, a, rows, load<i32>(below + LAYER_IN), inputs, act);
    phase_add(PHASE_ACTIVATION_BACKWARD, start);
    const delta = dz;
    dz = da;
    da = delta;
  }
  start = phase_start();
  store<f64>(stat(stats, STAT_GRAD_NORM2), gradient_norm2(net));
  phase_add(PHASE_GRADIENT_NORM, start);
}

/**
 * ‖g‖² from the sums of squares the weight-gradient GEMMs left (gemm_squares_floats), plus the
 * biases: no pass over the weight gradients, in a fixed order, so the same for any thread count
 * (as native/net.cc gradient_norm2). Those sums are f32, so a gradient above ~1e19 overflows them
 * although its f64 norm (what the reference computes) is finite: then every gradient is summed
 * again in f64.
 */
function gradient_norm2(net: usize): f64 {
  const L = load<i32>(net + NET_LAYERS);
  let sum: f64 = 0;
  for (let l = 0; l < L; l++) {
    const s = layer(net, l);
    const squares = load<usize>(s + LAYER_SQUARES), floats = gemm_squares_floats(load<i32>(s + LAYER_IN));
    for (let i = 0; i < floats; i++) sum += <f64>load<f32>(squares + (<usize>i << 2));
  }
  for (let l = 0; l < L; l++) {
    const s = layer(net, l);
    sum += sum_squares(load<usize>(s + LAYER_DB), load<i32>(s + LAYER_UNITS));
  }
  const update = net + NET_UPDATE;
  return isFinite(sum) ? sum : sum_squares(load<usize>(update + UPD_GRADS), load<i32>(update + UPD_COUNT));
}

/**
 * One update with the optimizer and gradient transform in the network's update block (the state
 * must be sized for it), learning rate lr and clip-by-norm factor gradScale: each layer's weights
 * with l2, l1 and weight decay, its biases without. False if it wrote a non-finite value.
 */
export function optimizer_update(net: usize, lr: f32, step: f64, gradScale: f32): bool {
  const update = net + NET_UPDATE;
  store<f32>(update + UPD_LR, lr);
  store<f64>(update + UPD_STEP, step);
  store<f32>(update + UPD_GRAD_SCALE, gradScale);
  const start = phase_start();
  const finite = update_parallel(update);
  phase_add(PHASE_UPDATE, start);
  return finite;
}

/** ½ l2 ‖W‖² + l1 ‖W‖₁ over every layer's weights (0 without l2 and l1). */
function penalty(net: usize): f64 {
  const l2 = load<f32>(net + NET_UPDATE + UPD_L2), l1 = load<f32>(net + NET_UPDATE + UPD_L1);
  if (l2 == 0 && l1 == 0) return 0;
  let sum: f64 = 0;
  for (let l = 0; l < load<i32>(net + NET_LAYERS); l++) {
    const s = layer(net, l);
    sum += weight_penalty(load<usize>(s + LAYER_W), load<i32>(s + LAYER_IN) * load<i32>(s + LAYER_UNITS), l2, l1);
  }
  return sum;
}

/** The clip-by-norm factor min(1, clipNorm / ‖g‖) (src/backend/engine.ts clipScale). */
function clip_scale(net: usize, gradNorm2: f64): f32 {
  const clipNorm = load<f64>(net + NET_CLIP_NORM);
  const norm = Math.sqrt(gradNorm2);
  return clipNorm > 0 && norm > clipNorm ? <f32>(clipNorm / norm) : 1;
}

/**
 * forward (dropping), net_loss plus the weight penalty, backward, then optimizer_update
 * unless the loss is non-finite or ‖g‖² beyond GRAD_NORM2_LIMIT; the status into stats.
 */
export function net_train_step(net: usize, x: usize, y: usize, w: usize, rows: i32, lr: f32, step: f64, stats: usize): void {
  step_begin(net, rows);
  train_step(net, x, y, w, rows, lr, step, stats, -1);
  step_end();
}

/** net_train_step with forward's `firstParts`. */
function train_step(net: usize, x: usize, y: usize, w: usize, rows: i32, lr: f32, step: f64, stats: usize, firstParts: i32): void {
  net_loss(net, forward(net, x, rows, true, step, firstParts), y, w, rows, stats);
  store<f64>(stat(stats, STAT_LOSS), load<f64>(stat(stats, STAT_LOSS)) + penalty(net));
  backward(net, x, y, w, rows, stats, true, step);
  const gradNorm2 = load<f64>(stat(stats, STAT_GRAD_NORM2));
  const status = !isFinite(load<f64>(stat(stats, STAT_LOSS))) ? STEP_LOSS_NON_FINITE
    : !(gradNorm2 <= GRAD_NORM2_LIMIT) ? STEP_GRADIENT_NON_FINITE
    : optimizer_update(net, lr, step, clip_scale(net, gradNorm2)) ? STEP_OK : STEP_UPDATE_NON_FINITE;
  store<f64>(stat(stats, STAT_STATUS), <f64>status);
}

/**
 * Batches [first, first + count) of an epoch: batch i gathers rows order[i·batchSize …) of the
 * bound data (and their weights, unless dataW is 0) into the batch buffers (the last batch may
 * be short), runs net_train_step with update number firstStep + i − first and learning rate
 * rates[i] (f32; lr when rates is 0), and writes its stats at stats + 8·STATS_PER_BATCH·(i − first).
 * Stops after a batch whose status is not STEP_OK. Returns the number of batches run.
 */
export function net_train_batches(
  net: usize, dataX: usize, dataY: usize, dataW: usize, order: usize, orderLength: i32, batchSize: i32, first: i32, count: i32,
  rates: usize, lr: f32, firstStep: f64, stats: usize,
): i32 {
  const inputs = load<i32>(layer(net, 0) + LAYER_IN);
  const outputs = load<i32>(layer(net, load<i32>(net + NET_LAYERS) - 1) + LAYER_UNITS);
  const bx = load<usize>(net + NET_BATCH_X), by = load<usize>(net + NET_BATCH_Y), bw = load<usize>(net + NET_BATCH_W);
  const xBytes = <usize>inputs << 2, yBytes = <usize>outputs << 2;
  for (let i = 0; i < count; i++) {
    const batch = first + i;
    const start = batch * batchSize;
    const rows = min(batchSize, orderLength - start);
    step_begin(net, rows);
    // x by the first layer's K blocks when its forward GEMM splits that way (undone by dropout)
    const parts = load<u32>(layer(net, 0) + LAYER_DROP) != 0 ? 0 : layer_depth_parts(net, layer(net, 0), rows, true);
    gather_parallel(bx, by, bw, dataX, dataY, dataW, order, start, rows, xBytes, yBytes, parts);
    const s = stats + <usize>i * <usize>(STATS_PER_BATCH << 3);
    const rate = rates == 0 ? lr : load<f32>(rates + (<usize>batch << 2));
    train_step(net, bx, by, dataW == 0 ? 0 : bw, rows, rate, firstStep + i, s, parts);
    step_end();
    if (load<f64>(stat(s, STAT_STATUS)) != <f64>STEP_OK) return i + 1;
  }
  return count;
}
