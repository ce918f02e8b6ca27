// Where everything of one network lives in its flat buffers.
//
// Parameters: one Float32Array; layer l owns W(l) (inputs × units, row-major) followed by b(l)
// (units). Gradients use the identical layout, and optimizer state is `statePerParam` copies of
// it back to back, so every optimizer update is one loop over the whole vector.
import type { ActivationId, LossId } from './kernels.js';

/** The architecture as the kernels see it. */
export interface NetSpec {
  /** [inputs, units of layer 1, …, units of layer L] */
  readonly sizes: readonly number[];
  /** one per layer (length L) */
  readonly activations: readonly ActivationId[];
  readonly loss: LossId;
}

export interface LayerSlot {
  readonly inputs: number;
  readonly units: number;
  /** offset of W(l) in the parameter vector */
  readonly weightOffset: number;
  /** offset of b(l) in the parameter vector */
  readonly biasOffset: number;
}

export interface ParamLayout {
  readonly layers: readonly LayerSlot[];
  readonly count: number;
}

export function paramLayout(sizes: readonly number[]): ParamLayout {
  const layers: LayerSlot[] = [];
  let offset = 0;
  for (let l = 1; l < sizes.length; l++) {
    const inputs = sizes[l - 1]!;
    const units = sizes[l]!;
    layers.push({ inputs, units, weightOffset: offset, biasOffset: offset + inputs * units });
    offset += inputs * units + units;
  }
  return { layers, count: offset };
}

/** Fused output error (p − y)/m applies: softmax + cross-entropy, sigmoid + binary cross-entropy. */
export function usesFusedOutputDelta(spec: NetSpec): boolean {
  const last = spec.activations[spec.activations.length - 1];
  return (last === 5 && spec.loss === 3) || (last === 1 && spec.loss === 4);
}

/**
 * The spec packed as Int32Array [L, loss, sizes(0..L), activations(1..L)] — the form handed
 * to the native and wasm engines so they decode it the same way.
 */
export function packSpec(spec: NetSpec): Int32Array {
  const L = spec.activations.length;
  const packed = new Int32Array(2 + (L + 1) + L);
  packed[0] = L;
  packed[1] = spec.loss;
  spec.sizes.forEach((s, i) => (packed[2 + i] = s));
  spec.activations.forEach((a, i) => (packed[3 + L + i] = a));
  return packed;
}
