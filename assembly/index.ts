// The wasm backend's exports: kernels (same names and argument order as src/backend/kernels.ts,
// pointers instead of arrays), the fused engine calls, and the thread plumbing. Re-exports only.
export * from './matmul';
export { gemm_squares_floats } from './gemm';
export { bias_add, bias_grad, dense_forward, dense_backward } from './dense';
export {
  activation_forward, activation_backward, ACT_LINEAR, ACT_SIGMOID, ACT_TANH, ACT_RELU, ACT_LEAKY_RELU, ACT_SOFTMAX, LEAKY_SLOPE,
} from './activation';
export * from './loss';
export {
  OPT_SGD, OPT_MOMENTUM, OPT_RMSPROP, OPT_ADAM, sgd_update, momentum_update, rmsprop_update, adam_update, sum_squares, weight_penalty,
  UPD_KIND, UPD_NESTEROV, UPD_PARAMS, UPD_GRADS, UPD_STATE, UPD_COUNT, UPD_LR, UPD_BETA1, UPD_BETA2, UPD_EPS, UPD_GRAD_SCALE,
  UPD_CLIP_VALUE, UPD_L2, UPD_L1, UPD_WEIGHT_DECAY, UPD_SEGMENTS, UPD_STEP, UPD_BOUNDS, UPD_BYTES,
} from './optim';
export { dropout_forward, dropout_backward, DROPOUT_SALT, DROPOUT_STRIDE } from './dropout';
export * from './step';
export {
  backed_off_tasks, join_stalled, threads_init, worker_enter, worker_loop, worker_round_trip, set_far_cores, step_choice_forget, CTRL_BYTES, MAX_WORKERS, FAR_SPLIT_COST_IDLE,
  CTRL_GEN, CTRL_COMPLETED, CTRL_ERROR, CTRL_WORKERS, CTRL_ACTIVE, CTRL_BLOCKING, CTRL_BUSY,
  CTRL_SPLIT_COST, CTRL_SPLIT_COST_IDLE, CTRL_CHUNK_COST, CTRL_ADAPTIVE, CTRL_GEN_PARTS_BITS, CTRL_INCARNATION, CTRL_PARKED, CTRL_HEADER_BYTES,
} from './threads';
export {
  split_choice_reset, split_choice_solo, split_choice_observe, SPLIT_CHOICE_FIRST_STAY, SPLIT_CHOICE_TRIAL_WARMUP, SPLIT_CHOICE_TRIAL_STEPS,
} from './split_choice';
export * from './memory';
