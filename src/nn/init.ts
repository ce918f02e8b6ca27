// Weight initialisation, drawn from the network's seeded generator. Biases start at zero except
// in the plain 'uniform' scheme, which randomises biases too (±0.5), like weights.
import type { ParamLayout } from '../backend/layout.js';
import type { Random } from '../util/prng.js';
import type { Architecture, InitName } from './architecture.js';

/** Default per layer: He for ReLU-like layers, Xavier/Glorot otherwise. */
export function defaultInit(activation: string): InitName {
  return activation === 'relu' || activation === 'leaky_relu' ? 'he' : 'xavier';
}

/** Half-width of the uniform distribution each scheme draws weights from. */
function limit(scheme: InitName, inputs: number, units: number): number {
  switch (scheme) {
    case 'uniform': return 0.5;
    case 'xavier': return Math.sqrt(6 / (inputs + units)); // Glorot & Bengio 2010, uniform form
    case 'he': return Math.sqrt(6 / inputs); // He et al. 2015, uniform form (variance 2/fan_in)
  }
}

export function initializeParams(params: Float32Array, layout: ParamLayout, arch: Architecture, init: InitName | undefined, random: Random): void {
  layout.layers.forEach((slot, l) => {
    const scheme = init ?? defaultInit(arch.layers[l]!.activation);
    const a = limit(scheme, slot.inputs, slot.units);
    for (let i = slot.weightOffset; i < slot.biasOffset; i++) params[i] = random.uniform(-a, a);
    for (let i = slot.biasOffset; i < slot.biasOffset + slot.units; i++) params[i] = scheme === 'uniform' ? random.uniform(-a, a) : 0;
  });
}
