// The binary layouts JS shares with the wasm module: the words describing a network (NET_*,
// LAYER_*, byte offsets, assembly/step.ts) and the thread control block's words (CTRL_*, byte
// offsets, assembly/threads.ts). The module exports each under the same name;
// test/parity/layout.test.ts checks every entry here against those exports.

export const NET = {
  NET_LAYERS: 0, NET_LOSS: 4, NET_FUSED: 8, NET_PARAMS: 12, NET_GRADS: 16, NET_STATE: 20, NET_COUNT: 24,
  NET_DELTA_A: 28, NET_DELTA_Z: 32, NET_BATCH_X: 36, NET_BATCH_Y: 40, NET_LAYER0: 64, NET_LAYER_BYTES: 40,
  LAYER_IN: 0, LAYER_UNITS: 4, LAYER_ACT: 8, LAYER_W: 12, LAYER_B: 16, LAYER_DW: 20, LAYER_DB: 24, LAYER_Z: 28, LAYER_A: 32,
} as const;

export const CTRL = {
  CTRL_GEN: 0, CTRL_COMPLETED: 4, CTRL_ERROR: 8, CTRL_WORKERS: 12, CTRL_ACTIVE: 20,
  CTRL_BLOCKING: 48, CTRL_BUSY: 52,
  CTRL_SPLIT_COST: 32, CTRL_SPLIT_COST_IDLE: 36, CTRL_CHUNK_COST: 40, CTRL_ADAPTIVE: 56, CTRL_GEN_PARTS_BITS: 6, CTRL_INCARNATION: 192, CTRL_PARKED: 960, CTRL_HEADER_BYTES: 1088,
} as const;

/** Index of a control word in an Int32Array view of the block. */
export const word = (byteOffset: number): number => byteOffset / 4;
