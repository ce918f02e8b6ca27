// The binary layouts JS shares with the wasm module: the words describing a network (NET_*,
// LAYER_*, byte offsets, assembly/step.ts), the update block inside it (UPD_*, assembly/optim.ts)
// and the thread control block's words (CTRL_*, byte offsets, assembly/threads.ts). The module
// exports each under the same name; test/parity/layout.test.ts checks every entry here against
// those exports.

export const UPDATE = {
  UPD_KIND: 0, UPD_NESTEROV: 4, UPD_PARAMS: 8, UPD_GRADS: 12, UPD_STATE: 16, UPD_COUNT: 20, UPD_LR: 24, UPD_BETA1: 28,
  UPD_BETA2: 32, UPD_EPS: 36, UPD_GRAD_SCALE: 40, UPD_CLIP_VALUE: 44, UPD_L2: 48, UPD_L1: 52, UPD_WEIGHT_DECAY: 56,
  UPD_SEGMENTS: 60, UPD_STEP: 64, UPD_BOUNDS: 72, UPD_BYTES: 80,
} as const;

export const NET = {
  NET_LAYERS: 0, NET_LOSS: 4, NET_FUSED: 8, NET_DELTA_A: 12, NET_DELTA_Z: 16, NET_BATCH_X: 20, NET_BATCH_Y: 24,
  NET_BATCH_W: 28, NET_SEED: 32, NET_CLIP_NORM: 40, NET_PARTIALS: 48, NET_PARTIAL_FLOATS: 52, NET_UPDATE: 56, NET_LAYER0: 136,
  NET_LAYER_BYTES: 52,
  LAYER_IN: 0, LAYER_UNITS: 4, LAYER_ACT: 8, LAYER_W: 12, LAYER_B: 16, LAYER_DW: 20, LAYER_DB: 24, LAYER_Z: 28, LAYER_A: 32,
  LAYER_DROP: 36, LAYER_DROP_SCALE: 40, LAYER_SQUARES: 44, LAYER_ROW_PARTS: 48,
} as const;

export const CTRL = {
  CTRL_GEN: 0, CTRL_COMPLETED: 4, CTRL_ERROR: 8, CTRL_WORKERS: 12, CTRL_ACTIVE: 20,
  CTRL_BLOCKING: 48, CTRL_BUSY: 52,
  CTRL_SPLIT_COST: 32, CTRL_SPLIT_COST_IDLE: 36, CTRL_CHUNK_COST: 40, CTRL_ADAPTIVE: 56, CTRL_GEN_PARTS_BITS: 6, CTRL_INCARNATION: 192, CTRL_PARKED: 448, CTRL_HEADER_BYTES: 576,
} as const;

/** Index of a control word in an Int32Array view of the block. */
export const word = (byteOffset: number): number => byteOffset / 4;
