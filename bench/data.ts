// Seeded inputs shared by every contender, so all of them start from identical numbers.
import { paramLayout } from '../src/backend/layout.js';

/** mulberry32: small, fast, good enough for benchmark data; deterministic per seed. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform in [-1, 1). */
export function randomMatrix(count: number, seed: number): Float32Array {
  const next = rng(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = next() * 2 - 1;
  return out;
}

/** He-uniform weights (limit √(6/fan_in)), zero biases, in mlpx's flat layout (W in×out, then b). */
export function initParams(sizes: readonly number[], seed: number): Float32Array {
  const layout = paramLayout(sizes);
  const next = rng(seed);
  const params = new Float32Array(layout.count);
  for (const slot of layout.layers) {
    const limit = Math.sqrt(6 / slot.inputs);
    for (let i = slot.weightOffset; i < slot.biasOffset; i++) params[i] = (next() * 2 - 1) * limit;
  }
  return params;
}

export interface Classification {
  x: Float32Array;
  /** one-hot, rows × classes */
  y: Float32Array;
  labels: Uint8Array;
  rows: number;
  inputs: number;
  classes: number;
}

/**
 * Learnable synthetic data: x uniform in [0, 1), label = argmax of a fixed random projection of x,
 * so losses fall during the validation steps (a frozen or broken update shows).
 */
export function classification(rows: number, inputs: number, classes: number, seed: number): Classification {
  const x = new Float32Array(rows * inputs);
  const next = rng(seed);
  for (let i = 0; i < x.length; i++) x[i] = next();
  const projection = randomMatrix(inputs * classes, seed + 1);
  const labels = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestScore = -Infinity;
    for (let c = 0; c < classes; c++) {
      let score = 0;
      for (let i = 0; i < inputs; i++) score += x[r * inputs + i]! * projection[i * classes + c]!;
      if (score > bestScore) { bestScore = score; best = c; }
    }
    labels[r] = best;
  }
  return { x, y: oneHot(labels, classes), labels, rows, inputs, classes };
}

export function oneHot(labels: Uint8Array, classes: number): Float32Array {
  const y = new Float32Array(labels.length * classes);
  labels.forEach((label, r) => (y[r * classes + label] = 1));
  return y;
}

/** The given rows of a row-major matrix, copied in that order. */
export function gatherRows(x: Float32Array, width: number, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * width);
  for (let r = 0; r < rows.length; r++) out.set(x.subarray(rows[r]! * width, (rows[r]! + 1) * width), r * width);
  return out;
}

/** A seeded Fisher–Yates permutation of 0..n-1. */
export function permutation(n: number, seed: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const next = rng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}
