// Backend.kernels for the wasm backend: Float32Array in, Float32Array out, for the parity tests
// and callers outside an Engine. Each call copies its arrays into scratch linear memory, runs the
// kernel, and copies the outputs back; engines never go through here.
import { KERNEL_NAMES, type Kernels } from '../kernels.js';
import type { KernelExports } from './exports.js';
import type { LinearMemory } from './memory.js';

type KernelName = (typeof KERNEL_NAMES)[number];

/** Positions of the arguments each kernel writes (copied back after the call). */
const OUTPUTS: Readonly<Record<KernelName, readonly number[]>> = {
  matmul_nn: [0], matmul_tn: [0], matmul_nt: [0],
  bias_add: [0], bias_grad: [0], dense_forward: [0], dense_backward: [0, 1, 2],
  activation_forward: [0], activation_backward: [0], dropout_forward: [0], dropout_backward: [0],
  loss_forward: [], loss_backward: [0], output_delta_fused: [0], count_correct: [],
  sgd_update: [0], momentum_update: [0, 2], rmsprop_update: [0, 2], adam_update: [0, 2, 3], sum_squares: [], weight_penalty: [],
};

/** Kernels whose i32 result is a bool (the optimizer updates' finite check). */
const BOOLEAN_RESULTS: ReadonlySet<KernelName> = new Set(['sgd_update', 'momentum_update', 'rmsprop_update', 'adam_update']);

export function wasmKernels(exports: KernelExports, mem: LinearMemory): Kernels {
  let scratch = 0;
  let scratchBytes = 0;
  const reserve = (bytes: number): number => {
    if (bytes > scratchBytes) {
      if (scratchBytes > 0) mem.free(scratch);
      scratch = mem.alloc(bytes);
      scratchBytes = bytes;
    }
    return scratch;
  };

  const call = (name: KernelName, args: unknown[]): number | boolean => {
    // one scratch block; the same array passed twice gets one address (in-place calls)
    const arrays = [...new Set(args.filter((a): a is Float32Array => a instanceof Float32Array))];
    const offsets = new Map<Float32Array, number>();
    let bytes = 0;
    for (const array of arrays) {
      offsets.set(array, bytes);
      bytes += Math.ceil(array.length / 4) * 16;
    }
    const base = reserve(bytes);
    for (const array of arrays) mem.f32(base + offsets.get(array)!, array.length).set(array);
    const raw = args.map((a) => (a instanceof Float32Array ? base + offsets.get(a)! : a === null ? 0 : a)) as number[];
    const result = (exports[name] as (...a: number[]) => number)(...raw);
    for (const index of OUTPUTS[name]) {
      const array = args[index];
      if (array instanceof Float32Array) array.set(mem.f32(base + offsets.get(array)!, array.length));
    }
    return BOOLEAN_RESULTS.has(name) ? result !== 0 : result;
  };

  const kernels: Record<string, (...args: unknown[]) => number | boolean> = {};
  for (const name of KERNEL_NAMES) kernels[name] = (...args: unknown[]) => call(name, args);
  return kernels as unknown as Kernels;
}
