// The module's exports as TypeScript sees them (assembly/index.ts), and the guard that turns a
// trap into an error naming the kernel. Pointers are byte addresses in linear memory.
import { MlpxError } from '../../util/errors.js';

type Ptr = number;

export interface KernelExports {
  matmul_nn(c: Ptr, a: Ptr, b: Ptr, m: number, k: number, n: number): void;
  matmul_tn(c: Ptr, a: Ptr, b: Ptr, m: number, k: number, n: number): void;
  matmul_nt(c: Ptr, a: Ptr, b: Ptr, m: number, k: number, n: number): void;
  bias_add(z: Ptr, bias: Ptr, m: number, n: number): void;
  bias_grad(db: Ptr, dz: Ptr, m: number, n: number): void;
  dense_forward(z: Ptr, x: Ptr, w: Ptr, b: Ptr, m: number, k: number, n: number): void;
  dense_backward(dx: Ptr, dw: Ptr, db: Ptr, dz: Ptr, x: Ptr, w: Ptr, m: number, k: number, n: number): void;
  activation_forward(a: Ptr, z: Ptr, m: number, n: number, act: number): void;
  activation_backward(dz: Ptr, da: Ptr, z: Ptr, a: Ptr, m: number, n: number, act: number): void;
  dropout_forward(a: Ptr, z: Ptr, m: number, n: number, act: number, rate: number, seed: number, step: number, layer: number): void;
  dropout_backward(dz: Ptr, da: Ptr, z: Ptr, m: number, n: number, act: number, rate: number, seed: number, step: number, layer: number): void;
  /** weights 0: every row 1 */
  loss_forward(p: Ptr, y: Ptr, weights: Ptr, m: number, n: number, loss: number): number;
  loss_backward(dp: Ptr, p: Ptr, y: Ptr, weights: Ptr, m: number, n: number, loss: number): void;
  output_delta_fused(dz: Ptr, p: Ptr, y: Ptr, weights: Ptr, m: number, n: number, act: number): void;
  count_correct(p: Ptr, y: Ptr, m: number, n: number): number;
  /** the updates return 1 when every value they wrote is finite, else 0 */
  sgd_update(params: Ptr, grads: Ptr, count: number, lr: number, gradScale: number, clipValue: number, l2: number, l1: number, weightDecay: number): number;
  momentum_update(
    params: Ptr, grads: Ptr, velocity: Ptr, count: number, lr: number, gamma: number, nesterov: number,
    gradScale: number, clipValue: number, l2: number, l1: number, weightDecay: number,
  ): number;
  rmsprop_update(
    params: Ptr, grads: Ptr, sq: Ptr, count: number, lr: number, beta: number, eps: number,
    gradScale: number, clipValue: number, l2: number, l1: number, weightDecay: number,
  ): number;
  adam_update(
    params: Ptr, grads: Ptr, m: Ptr, v: Ptr, count: number, lr: number, beta1: number, beta2: number, eps: number, step: number,
    gradScale: number, clipValue: number, l2: number, l1: number, weightDecay: number,
  ): number;
  sum_squares(x: Ptr, count: number): number;
  weight_penalty(w: Ptr, count: number, l2: number, l1: number): number;
}

/** The fused steps (assembly/step.ts); weights 0 for none. */
export interface EngineExports {
  net_forward(net: Ptr, x: Ptr, rows: number): Ptr;
  net_loss(net: Ptr, out: Ptr, y: Ptr, weights: Ptr, rows: number, stats: Ptr): void;
  net_backward(net: Ptr, x: Ptr, y: Ptr, weights: Ptr, rows: number, stats: Ptr): void;
  optimizer_update(net: Ptr, lr: number, step: number, gradScale: number): number;
  net_train_step(net: Ptr, x: Ptr, y: Ptr, weights: Ptr, rows: number, lr: number, step: number, stats: Ptr): void;
  net_train_batches(
    net: Ptr, dataX: Ptr, dataY: Ptr, dataW: Ptr, order: Ptr, orderLength: number, batchSize: number, first: number, count: number,
    rates: Ptr, lr: number, firstStep: number, stats: Ptr,
  ): number;
  /** Floats of room the forward GEMMs of `rows` rows need for their depth splits (NET_PARTIALS). */
  net_partial_floats(net: Ptr, rows: number): number;
  /** The f32 sums of squares a layer's weight gradient (`inputs` rows) leaves (LAYER_SQUARES). */
  gemm_squares_floats(inputs: number): number;
}

export interface ThreadExports {
  threads_init(ctrl: Ptr): void;
  worker_enter(ctrl: Ptr, id: number): void;
  worker_loop(ctrl: Ptr, id: number, incarnation: number): void;
  data_end(): Ptr;
  CTRL_BYTES: WebAssembly.Global;
  MAX_WORKERS: WebAssembly.Global;
  /** While the caller's core and the workers' are far apart (a slow worker_round_trip), a lone kernel call (outside a busy region) splits only from this cost. */
  FAR_SPLIT_COST_IDLE: WebAssembly.Global;
  /** ms per round trip of a word bounced `bounces` times between the caller and a worker (0 without workers). */
  worker_round_trip(bounces: number): number;
  /** Benchmarks: the tasks the backoff after a stall has run on the calling thread, ever. */
  backed_off_tasks(): number;
  /** Tests: 1 or 0 makes the cores count as far apart or close; −1 measures them again. */
  set_far_cores(far: number): void;
  /** Tests: whether a join that waited `waitedMs` after the caller worked `workedMs` on the task was a stall. */
  join_stalled(waitedMs: number, workedMs: number): number;
  /** A network now at `net`: the split choice is no longer about one that was there before. */
  step_choice_forget(net: Ptr): void;
  /** Steps a training run splits before its first trial of running on the caller alone. */
  SPLIT_CHOICE_FIRST_STAY: WebAssembly.Global;
  /** Steps of a trial that move the data over, untimed, then steps timed. */
  SPLIT_CHOICE_TRIAL_WARMUP: WebAssembly.Global;
  SPLIT_CHOICE_TRIAL_STEPS: WebAssembly.Global;
  /** Tests: the split choice started over, asked the next step's way, told a step's time in ms. */
  split_choice_reset(): void;
  split_choice_solo(): number;
  split_choice_observe(ms: number): void;
}

export type WasmExports = KernelExports & EngineExports & ThreadExports;

/** A trap inside WASM (out-of-bounds access, unreachable). The backend stays usable. */
export class WasmTrapError extends MlpxError {
  override name = 'WasmTrapError';
}

/** Each function export wrapped so a trap becomes a WasmTrapError naming it. */
export function guarded<T extends object>(exports: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(exports)) {
    if (typeof value !== 'function') {
      wrapped[name] = value;
      continue;
    }
    const fn = value as (...args: number[]) => number;
    wrapped[name] = (...args: number[]): number => {
      try {
        return fn(...args);
      } catch (error) {
        if (!(error instanceof WebAssembly.RuntimeError)) throw error;
        throw new WasmTrapError(`wasm backend: kernel ${name} trapped (${error.message}); the backend remains usable`);
      }
    };
  }
  return wrapped as T;
}
