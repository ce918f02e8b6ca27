// The wasm backend's exports: kernels (same names and argument order as src/backend/kernels.ts,
// pointers instead of arrays), the fused engine calls, and the thread plumbing. Re-exports only.
export * from './matmul';
export * from './dense';
export * from './activation';
export * from './loss';
export { OPT_SGD, OPT_MOMENTUM, OPT_RMSPROP, OPT_ADAM, sgd_update, momentum_update, rmsprop_update, adam_update, sum_squares } from './optim';
export * from './step';
export {
  threads_init, worker_enter, worker_loop, CTRL_BYTES, MAX_WORKERS,
  CTRL_GEN, CTRL_COMPLETED, CTRL_ERROR, CTRL_WORKERS, CTRL_ACTIVE, CTRL_BLOCKING, CTRL_BUSY,
  CTRL_SPLIT_COST, CTRL_SPLIT_COST_IDLE, CTRL_CHUNK_COST, CTRL_ADAPTIVE, CTRL_GEN_PARTS_BITS, CTRL_INCARNATION, CTRL_PARKED, CTRL_HEADER_BYTES,
} from './threads';
export * from './memory';
