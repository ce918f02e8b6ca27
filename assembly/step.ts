// The fused network steps (FUSED_STEP_NAMES in src/backend/kernels.ts): one JS→WASM call runs a
// whole training step, or many. Computes exactly what src/backend/composed.ts composes from the
// kernels, in the same phases and order. The network is described by a block of i32 words that
// the JS engine (src/backend/wasm/engine.ts) writes at the NET_* offsets below; those, the stats
// slots and the step statuses are exported and checked against the TypeScript tables by
// test/parity/layout.test.ts.
import { dense_backward, dense_forward } from './dense';
import { activation_backward, activation_forward } from './activation';
import { count_correct, loss_backward, loss_forward, output_delta_fused } from './loss';
import { gather_parallel, sum_squares_parallel, update_parallel } from './threads';

export const NET_LAYERS: i32 = 0;   // L
export const NET_LOSS: i32 = 4;     // loss id
export const NET_FUSED: i32 = 8;    // 1: output error is (p − y)/m
export const NET_PARAMS: i32 = 12;
export const NET_GRADS: i32 = 16;
export const NET_STATE: i32 = 20;   // optimizer state (Adam: m then v)
export const NET_COUNT: i32 = 24;   // parameter count
export const NET_DELTA_A: i32 = 28;
export const NET_DELTA_Z: i32 = 32;
export const NET_BATCH_X: i32 = 36;
export const NET_BATCH_Y: i32 = 40;
export const NET_LAYER0: i32 = 64;  // per layer, NET_LAYER_BYTES each:
export const NET_LAYER_BYTES: i32 = 40;
export const LAYER_IN: i32 = 0, LAYER_UNITS: i32 = 4, LAYER_ACT: i32 = 8, LAYER_W: i32 = 12, LAYER_B: i32 = 16;
export const LAYER_DW: i32 = 20, LAYER_DB: i32 = 24, LAYER_Z: i32 = 28, LAYER_A: i32 = 32;

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

/** Forward pass of `rows` rows of x; returns the output activations' address. */
export function net_forward(net: usize, x: usize, rows: i32): usize {
  const L = load<i32>(net + NET_LAYERS);
  let input = x;
  for (let l = 0; l < L; l++) {
    const s = layer(net, l);
    const units = load<i32>(s + LAYER_UNITS);
    dense_forward(load<usize>(s + LAYER_Z), input, load<usize>(s + LAYER_W), load<usize>(s + LAYER_B), rows, load<i32>(s + LAYER_IN), units);
    activation_forward(load<usize>(s + LAYER_A), load<usize>(s + LAYER_Z), rows, units, load<i32>(s + LAYER_ACT));
    input = load<usize>(s + LAYER_A);
  }
  return input;
}

/** Loss and correct rows of the output `out` (net_forward's) against y; fills those stats. */
export function net_loss(net: usize, out: usize, y: usize, rows: i32, stats: usize): void {
  const units = load<i32>(layer(net, load<i32>(net + NET_LAYERS) - 1) + LAYER_UNITS);
  store<f64>(stat(stats, STAT_LOSS), loss_forward(out, y, rows, units, load<i32>(net + NET_LOSS)));
  store<f64>(stat(stats, STAT_CORRECT), <f64>count_correct(out, y, rows, units));
}

/** Backward pass into the gradients after net_forward on the same rows; fills ‖g‖². */
export function net_backward(net: usize, x: usize, y: usize, rows: i32, stats: usize): void {
  const L = load<i32>(net + NET_LAYERS);
  const last = layer(net, L - 1);
  const outUnits = load<i32>(last + LAYER_UNITS);
  const dz = load<usize>(net + NET_DELTA_Z), da = load<usize>(net + NET_DELTA_A);
  if (load<i32>(net + NET_FUSED)) {
    output_delta_fused(dz, load<usize>(last + LAYER_A), y, rows, outUnits);
  } else {
    loss_backward(da, load<usize>(last + LAYER_A), y, rows, outUnits, load<i32>(net + NET_LOSS));
    activation_backward(dz, da, load<usize>(last + LAYER_Z), load<usize>(last + LAYER_A), rows, outUnits, load<i32>(last + LAYER_ACT));
  }
  for (let l = L - 1; l >= 0; l--) {
    const s = layer(net, l);
    const inputs = load<i32>(s + LAYER_IN);
    const input = l == 0 ? x : load<usize>(layer(net, l - 1) + LAYER_A);
    dense_backward(l == 0 ? 0 : da, load<usize>(s + LAYER_DW), load<usize>(s + LAYER_DB), dz, input, load<usize>(s + LAYER_W),
      rows, inputs, load<i32>(s + LAYER_UNITS));
    if (l > 0) {
      const below = layer(net, l - 1);
      activation_backward(dz, da, load<usize>(below + LAYER_Z), load<usize>(below + LAYER_A), rows, inputs, load<i32>(below + LAYER_ACT));
    }
  }
  store<f64>(stat(stats, STAT_GRAD_NORM2), sum_squares_parallel(load<usize>(net + NET_GRADS), load<i32>(net + NET_COUNT)));
}

/** One update of optimizer `kind` (the state must be sized for it); false if it wrote a non-finite value. */
export function optimizer_update(net: usize, kind: i32, lr: f32, beta1: f32, beta2: f32, eps: f32, step: f64): bool {
  return update_parallel(kind, load<usize>(net + NET_PARAMS), load<usize>(net + NET_GRADS), load<usize>(net + NET_STATE),
    load<i32>(net + NET_COUNT), lr, beta1, beta2, eps, step);
}

/** net_forward, net_loss, net_backward, then optimizer_update unless the loss is non-finite or ‖g‖² beyond GRAD_NORM2_LIMIT; the status into stats. */
export function net_train_step(
  net: usize, x: usize, y: usize, rows: i32,
  kind: i32, lr: f32, beta1: f32, beta2: f32, eps: f32, step: f64, stats: usize,
): void {
  net_loss(net, net_forward(net, x, rows), y, rows, stats);
  net_backward(net, x, y, rows, stats);
  const status = !isFinite(load<f64>(stat(stats, STAT_LOSS))) ? STEP_LOSS_NON_FINITE
    : !(load<f64>(stat(stats, STAT_GRAD_NORM2)) <= GRAD_NORM2_LIMIT) ? STEP_GRADIENT_NON_FINITE
    : optimizer_update(net, kind, lr, beta1, beta2, eps, step) ? STEP_OK : STEP_UPDATE_NON_FINITE;
  store<f64>(stat(stats, STAT_STATUS), <f64>status);
}

/**
 * Batches [first, first + count) of an epoch: batch i gathers rows order[i·batchSize …) of the
 * bound data (the last batch may be short) into the batch buffers, runs net_train_step with
 * update number firstStep + i − first, and writes its stats at stats + 8·STATS_PER_BATCH·(i − first).
 * Stops after a batch whose status is not STEP_OK. Returns the number of batches run.
 */
export function net_train_batches(
  net: usize, dataX: usize, dataY: usize, order: usize, orderLength: i32, batchSize: i32, first: i32, count: i32,
  kind: i32, lr: f32, beta1: f32, beta2: f32, eps: f32, firstStep: f64, stats: usize,
): i32 {
  const inputs = load<i32>(layer(net, 0) + LAYER_IN);
  const outputs = load<i32>(layer(net, load<i32>(net + NET_LAYERS) - 1) + LAYER_UNITS);
  const bx = load<usize>(net + NET_BATCH_X), by = load<usize>(net + NET_BATCH_Y);
  const xBytes = <usize>inputs << 2, yBytes = <usize>outputs << 2;
  for (let i = 0; i < count; i++) {
    const batch = first + i;
    const start = batch * batchSize;
    const rows = min(batchSize, orderLength - start);
    gather_parallel(bx, by, dataX, dataY, order, start, rows, xBytes, yBytes);
    const s = stats + <usize>i * <usize>(STATS_PER_BATCH << 3);
    net_train_step(net, bx, by, rows, kind, lr, beta1, beta2, eps, firstStep + i, s);
    if (load<f64>(stat(s, STAT_STATUS)) != <f64>STEP_OK) return i + 1;
  }
  return count;
}
