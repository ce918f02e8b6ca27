// The argument checks a kernel call from outside an engine gets (Backend.kernels): dimensions
// are integers in [1, 2^31 − 1], ids are known, and every array is a Float32Array holding what
// the dimensions need. Engines call the kernels directly, after validating once. The addon makes
// the same checks in C++ (native/bindings.cc), where they also guard memory.
import { InvalidArgumentError } from '../util/errors.js';
import { Activation, KERNEL_NAMES, Loss, type Kernels } from './kernels.js';

type KernelName = (typeof KERNEL_NAMES)[number];

interface Shape {
  /** positions of the dimension arguments */
  dims: readonly number[];
  /** array arguments: position, name, element count from the dimensions, null allowed */
  arrays: readonly (readonly [number, string, (d: readonly number[]) => number, boolean?])[];
  /** an id argument: position, name, how many ids there are */
  id?: readonly [number, string, number];
  /** further checks of the scalar arguments */
  check?: (args: readonly unknown[]) => void;
}

const mn = (d: readonly number[]) => d[0]! * d[1]!;
const n2 = (d: readonly number[]) => d[1]!;
const count = (d: readonly number[]) => d[0]!;
const matmul: Shape = { dims: [3, 4, 5], arrays: [[0, 'c', (d) => d[0]! * d[2]!], [1, 'a', (d) => d[0]! * d[1]!], [2, 'b', (d) => d[1]! * d[2]!]] };
const rows = (d: readonly number[]) => d[0]!;
const ACTIVATIONS = Object.keys(Activation).length;
const LOSSES = Object.keys(Loss).length;

/** dropout's scalars from position `at`: act (element-wise), rate ∈ [0, 1), seed and step in [0, 2⁵³), layer in [0, 2³¹). */
const dropoutScalars = (name: KernelName, at: number) => (args: readonly unknown[]): void => {
  if (args[at] === Activation.softmax) throw new InvalidArgumentError(`${name}: dropout needs an element-wise activation, not softmax`);
  const rate = args[at + 1];
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw new InvalidArgumentError(`${name}: rate must be in [0, 1), not ${String(rate)}`);
  for (const [offset, arg, limit] of [[2, 'seed', 2 ** 53], [3, 'step', 2 ** 53], [4, 'layer', 2 ** 31]] as const) {
    const value = args[at + offset];
    if (!Number.isInteger(value) || (value as number) < 0 || (value as number) >= limit) throw new InvalidArgumentError(`${name}: ${arg} must be an integer in [0, ${limit}), not ${String(value)}`);
  }
};

const SHAPES: Record<KernelName, Shape> = {
  matmul_nn: matmul, matmul_tn: matmul, matmul_nt: matmul,
  bias_add: { dims: [2, 3], arrays: [[0, 'z', mn], [1, 'bias', n2]] },
  bias_grad: { dims: [2, 3], arrays: [[0, 'db', n2], [1, 'dz', mn]] },
  dense_forward: { dims: [4, 5, 6], arrays: [[0, 'z', (d) => d[0]! * d[2]!], [1, 'x', (d) => d[0]! * d[1]!], [2, 'w', (d) => d[1]! * d[2]!], [3, 'b', (d) => d[2]!]] },
  dense_backward: {
    dims: [6, 7, 8],
    arrays: [[0, 'dx', (d) => d[0]! * d[1]!, true], [1, 'dw', (d) => d[1]! * d[2]!], [2, 'db', (d) => d[2]!], [3, 'dz', (d) => d[0]! * d[2]!], [4, 'x', (d) => d[0]! * d[1]!], [5, 'w', (d) => d[1]! * d[2]!]],
  },
  activation_forward: { dims: [2, 3], arrays: [[0, 'a', mn], [1, 'z', mn]], id: [4, 'act', ACTIVATIONS] },
  activation_backward: { dims: [4, 5], arrays: [[0, 'dz', mn], [1, 'da', mn], [2, 'z', mn], [3, 'a', mn]], id: [6, 'act', ACTIVATIONS] },
  dropout_forward: { dims: [2, 3], arrays: [[0, 'a', mn], [1, 'z', mn]], id: [4, 'act', ACTIVATIONS], check: dropoutScalars('dropout_forward', 4) },
  dropout_backward: { dims: [3, 4], arrays: [[0, 'dz', mn], [1, 'da', mn], [2, 'z', mn]], id: [5, 'act', ACTIVATIONS], check: dropoutScalars('dropout_backward', 5) },
  loss_forward: { dims: [3, 4], arrays: [[0, 'p', mn], [1, 'y', mn], [2, 'weights', rows, true]], id: [5, 'loss', LOSSES] },
  loss_backward: { dims: [4, 5], arrays: [[0, 'dp', mn], [1, 'p', mn], [2, 'y', mn], [3, 'weights', rows, true]], id: [6, 'loss', LOSSES] },
  output_delta_fused: { dims: [4, 5], arrays: [[0, 'dz', mn], [1, 'p', mn], [2, 'y', mn], [3, 'weights', rows, true]], id: [6, 'act', ACTIVATIONS] },
  count_correct: { dims: [2, 3], arrays: [[0, 'p', mn], [1, 'y', mn]] },
  sgd_update: { dims: [2], arrays: [[0, 'params', count], [1, 'grads', count]] },
  momentum_update: { dims: [3], arrays: [[0, 'params', count], [1, 'grads', count], [2, 'velocity', count]] },
  rmsprop_update: { dims: [3], arrays: [[0, 'params', count], [1, 'grads', count], [2, 'sq', count]] },
  adam_update: { dims: [4], arrays: [[0, 'params', count], [1, 'grads', count], [2, 'm', count], [3, 'v', count]] },
  sum_squares: { dims: [1], arrays: [[0, 'x', count]] },
  weight_penalty: { dims: [1], arrays: [[0, 'w', count]] },
};

function check(name: KernelName, args: readonly unknown[]): void {
  const shape = SHAPES[name];
  const dims = shape.dims.map((at) => {
    const value = args[at];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 2 ** 31 - 1) {
      throw new InvalidArgumentError(`${name}: dimension argument ${at} must be an integer in [1, 2^31 − 1], not ${String(value)}`);
    }
    return value;
  });
  for (const [at, arg, need, nullable] of shape.arrays) {
    const value = args[at];
    if (nullable === true && (value === null || value === undefined)) continue;
    if (!(value instanceof Float32Array) || value.length < need(dims)) {
      throw new InvalidArgumentError(`${name}: ${arg} must be a Float32Array of at least ${need(dims)} values`);
    }
  }
  if (shape.id !== undefined) {
    const [at, arg, ids] = shape.id;
    const value = args[at];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= ids) throw new InvalidArgumentError(`${name}: ${arg} must be an id in [0, ${ids - 1}]`);
  }
  for (let at = 0; at < args.length; at++) {
    if (!shape.dims.includes(at) && !shape.arrays.some(([a]) => a === at) && shape.id?.[0] !== at && typeof args[at] !== 'number') {
      throw new InvalidArgumentError(`${name}: argument ${at} must be a number`);
    }
  }
  shape.check?.(args);
}

/** `kernels` with every call's arguments checked first. */
export function checkedKernels(kernels: Kernels): Kernels {
  const wrapped: Record<string, (...args: unknown[]) => unknown> = {};
  for (const name of KERNEL_NAMES) {
    const kernel = kernels[name] as (...args: unknown[]) => unknown;
    wrapped[name] = (...args: unknown[]) => {
      check(name, args);
      return kernel(...args);
    };
  }
  return wrapped as unknown as Kernels;
}
