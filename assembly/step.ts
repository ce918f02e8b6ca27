// The fused training step and the multi-batch (epoch) call: one JS→WASM call runs a whole step,
// or many. Computes exactly what src/backend/composed.ts composes from the kernels, in the same
// order. The network is described by a block of i32 words that the JS engine
// (src/backend/wasm/engine.ts) writes; offsets below must match NET_* there.
import { dense_backward, dense_forward } from './dense';
import { activation_backward, activation_forward } from './activation';
import { count_correct, loss_backward, loss_forward, output_delta_fused } from './loss';
import { gather_parallel, sum_squares_parallel, update_parallel } from './threads';

const NET_LAYERS = 0;   // L
const NET_LOSS = 4;     // loss id
const NET_FUSED = 8;    // 1: output error is (p − y)/m
const NET_PARAMS = 12;
const NET_GRADS = 16;
const NET_STATE = 20;   // optimizer state (Adam: m then v)
const NET_COUNT = 24;   // parameter count
const NET_DELTA_A = 28;
const NET_DELTA_Z = 32;
const NET_BATCH_X = 36;
const NET_BATCH_Y = 40;
const NET_LAYER0 = 64;  // per layer, LAYER_BYTES each:
const LAYER_BYTES = 40;
const L_IN = 0, L_UNITS = 4, L_ACT = 8, L_W = 12, L_B = 16, L_DW = 20, L_DB = 24, L_Z = 28, L_A = 32;

const STAT_LOSS = 0, STAT_CORRECT = 8, STAT_GRAD_NORM2 = 16; // f64 slots; STATS_PER_BATCH = 3

// @ts-ignore: decorator
@inline function layer(net: usize, l: i32): usize {
  return net + NET_LAYER0 + <usize>l * LAYER_BYTES;
}

/** Forward pass of `rows` rows of x; returns the output activations' address. */
export function net_forward(net: usize, x: usize, rows: i32): usize {
  const L = load<i32>(net + NET_LAYERS);
  let input = x;
  for (let l = 0; l < L; l++) {
    const s = layer(net, l);
    const units = load<i32>(s + L_UNITS);
    dense_forward(load<usize>(s + L_Z), input, load<usize>(s + L_W), load<usize>(s + L_B), rows, load<i32>(s + L_IN), units);
    activation_forward(load<usize>(s + L_A), load<usize>(s + L_Z), rows, units, load<i32>(s + L_ACT));
    input = load<usize>(s + L_A);
  }
  return input;
}

/** Forward + loss; fills stats[loss], stats[correct]. */
export function net_evaluate(net: usize, x: usize, y: usize, rows: i32, stats: usize): void {
  const out = net_forward(net, x, rows);
  const units = load<i32>(layer(net, load<i32>(net + NET_LAYERS) - 1) + L_UNITS);
  store<f64>(stats + STAT_LOSS, loss_forward(out, y, rows, units, load<i32>(net + NET_LOSS)));
  store<f64>(stats + STAT_CORRECT, <f64>count_correct(out, y, rows, units));
}

/** Forward + loss + backward into the gradients; fills loss, correct and ‖g‖². */
export function net_gradient(net: usize, x: usize, y: usize, rows: i32, stats: usize): void {
  net_evaluate(net, x, y, rows, stats);
  const L = load<i32>(net + NET_LAYERS);
  const last = layer(net, L - 1);
  const outUnits = load<i32>(last + L_UNITS);
  const dz = load<usize>(net + NET_DELTA_Z), da = load<usize>(net + NET_DELTA_A);
  if (load<i32>(net + NET_FUSED)) {
    output_delta_fused(dz, load<usize>(last + L_A), y, rows, outUnits);
  } else {
    loss_backward(da, load<usize>(last + L_A), y, rows, outUnits, load<i32>(net + NET_LOSS));
    activation_backward(dz, da, load<usize>(last + L_Z), load<usize>(last + L_A), rows, outUnits, load<i32>(last + L_ACT));
  }
  for (let l = L - 1; l >= 0; l--) {
    const s = layer(net, l);
    const inputs = load<i32>(s + L_IN);
    const input = l == 0 ? x : load<usize>(layer(net, l - 1) + L_A);
    dense_backward(l == 0 ? 0 : da, load<usize>(s + L_DW), load<usize>(s + L_DB), dz, input, load<usize>(s + L_W),
      rows, inputs, load<i32>(s + L_UNITS));
    if (l > 0) {
      const below = layer(net, l - 1);
      activation_backward(dz, da, load<usize>(below + L_Z), load<usize>(below + L_A), rows, inputs, load<i32>(below + L_ACT));
    }
  }
  store<f64>(stats + STAT_GRAD_NORM2, sum_squares_parallel(load<usize>(net + NET_GRADS), load<i32>(net + NET_COUNT)));
}

/** gradient then one update; the update is skipped when the loss or ‖g‖² is not finite. */
export function net_train_step(
  net: usize, x: usize, y: usize, rows: i32,
  kind: i32, lr: f32, beta1: f32, beta2: f32, eps: f32, step: f64, stats: usize,
): void {
  net_gradient(net, x, y, rows, stats);
  if (!isFinite(load<f64>(stats + STAT_LOSS)) || !isFinite(load<f64>(stats + STAT_GRAD_NORM2))) return;
  update_parallel(kind, load<usize>(net + NET_PARAMS), load<usize>(net + NET_GRADS), load<usize>(net + NET_STATE),
    load<i32>(net + NET_COUNT), lr, beta1, beta2, eps, step);
}

/**
 * Batches [first, first + count) of an epoch: batch i gathers rows order[i·batchSize …) of the
 * bound data (the last batch may be short) into the batch buffers, runs net_train_step with
 * update number firstStep + i, and writes its three stats at stats + 24·(i − first).
 * Stops after a batch whose loss or ‖g‖² is not finite. Returns the number of batches run.
 */
export function net_train_batches(
  net: usize, dataX: usize, dataY: usize, order: usize, orderLength: i32, batchSize: i32, first: i32, count: i32,
  kind: i32, lr: f32, beta1: f32, beta2: f32, eps: f32, firstStep: f64, stats: usize,
): i32 {
  const inputs = load<i32>(layer(net, 0) + L_IN);
  const outputs = load<i32>(layer(net, load<i32>(net + NET_LAYERS) - 1) + L_UNITS);
  const bx = load<usize>(net + NET_BATCH_X), by = load<usize>(net + NET_BATCH_Y);
  const xBytes = <usize>inputs << 2, yBytes = <usize>outputs << 2;
  for (let i = 0; i < count; i++) {
    const batch = first + i;
    const start = batch * batchSize;
    const rows = min(batchSize, orderLength - start);
    gather_parallel(bx, by, dataX, dataY, order, start, rows, xBytes, yBytes);
    const s = stats + <usize>i * 24;
    net_train_step(net, bx, by, rows, kind, lr, beta1, beta2, eps, firstStep + i, s);
    if (!isFinite(load<f64>(s + STAT_LOSS)) || !isFinite(load<f64>(s + STAT_GRAD_NORM2))) return i + 1;
  }
  return count;
}
