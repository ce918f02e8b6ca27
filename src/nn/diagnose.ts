// When training produces a non-finite loss, find where: the first layer whose pre-activation or
// activation is non-finite on the failing batch, recomputed with the reference kernels.
import { jsKernels } from '../backend/js/index.js';
import { paramLayout, type NetSpec } from '../backend/layout.js';

export function isAllFinite(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return false;
  return true;
}

/** 1-based index of the first layer with a non-finite output on x, or null if all are finite. */
export function firstNonFiniteLayer(spec: NetSpec, params: Float32Array, x: Float32Array, rows: number): number | null {
  const layout = paramLayout(spec.sizes);
  let input = x;
  for (let l = 0; l < layout.layers.length; l++) {
    const slot = layout.layers[l]!;
    const z = new Float32Array(rows * slot.units);
    const a = new Float32Array(rows * slot.units);
    jsKernels.dense_forward(z, input, params.subarray(slot.weightOffset, slot.biasOffset), params.subarray(slot.biasOffset, slot.biasOffset + slot.units), rows, slot.inputs, slot.units);
    jsKernels.activation_forward(a, z, rows, slot.units, spec.activations[l]!);
    if (!isAllFinite(z) || !isAllFinite(a)) return l + 1;
    input = a;
  }
  return null;
}
