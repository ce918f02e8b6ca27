// Small generated data sets: XOR, x² regression on [−1, 1], two spirals.
import { Random } from '../util/prng.js';

export interface Dataset {
  readonly x: Float32Array;
  /** targets (rows × outputs) or class labels */
  readonly y: Float32Array | Uint8Array;
  readonly rows: number;
  readonly inputs: number;
  readonly outputs: number;
}

/** The four XOR cases; one output in {0, 1}. */
export function xorData(): Dataset {
  return { x: Float32Array.of(0, 0, 0, 1, 1, 0, 1, 1), y: Float32Array.of(0, 1, 1, 0), rows: 4, inputs: 2, outputs: 1 };
}

/** `rows` samples of f(x) = x² with x uniform on [−1, 1]. */
export function squaresData(rows = 1000, seed = 1): Dataset {
  const random = new Random(seed);
  const x = new Float32Array(rows);
  const y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    x[i] = random.uniform(-1, 1);
    y[i] = x[i]! * x[i]!;
  }
  return { x, y, rows, inputs: 1, outputs: 1 };
}

/** Two interleaved spirals in the plane, `perClass` points each, labels 0 and 1. */
export function spiralsData(perClass = 200, seed = 1, noise = 0.02): Dataset {
  const random = new Random(seed);
  const rows = 2 * perClass;
  const x = new Float32Array(rows * 2);
  const y = new Uint8Array(rows);
  for (let i = 0; i < perClass; i++) {
    const t = (i / perClass) * 3 * Math.PI + 0.5;
    const radius = t / (3 * Math.PI + 0.5);
    for (let c = 0; c < 2; c++) {
      const row = 2 * i + c;
      const angle = t + c * Math.PI;
      x[row * 2] = radius * Math.cos(angle) + noise * random.normal();
      x[row * 2 + 1] = radius * Math.sin(angle) + noise * random.normal();
      y[row] = c;
    }
  }
  return { x, y, rows, inputs: 2, outputs: 2 };
}
