// Shared by the misuse suites: every backend that loads here, a small classification problem,
// and a counter of the bad inputs tried and how each ended (printed once per file).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll } from 'vitest';
import { Network, type BackendChoice } from '../../src/index.js';
import { Random } from '../../src/util/prng.js';
import { loadableBackendNames } from '../helpers/backends.js';

export const BACKENDS = await loadableBackendNames();

setFlagsFromString('--expose-gc');
/** A full garbage collection (detached buffers are freed only then). */
export const gc = runInNewContext('gc') as () => void;

export const ROWS = 48;
export const INPUTS = 6;
export const CLASSES = 3;

/** rows × INPUTS features and one-hot targets as a Float32Array, freshly made (callers may detach them). */
export function problem(seed = 1): { x: Float32Array; y: Float32Array; labels: Uint8Array } {
  const random = new Random(seed);
  const x = Float32Array.from({ length: ROWS * INPUTS }, () => random.uniform(-1, 1));
  const labels = Uint8Array.from({ length: ROWS }, (_, r) => (x[r * INPUTS]! > 0 ? 1 : 0) + (x[r * INPUTS + 1]! > 0.5 ? 1 : 0));
  const y = new Float32Array(ROWS * CLASSES);
  labels.forEach((label, r) => (y[r * CLASSES + label] = 1));
  return { x, y, labels };
}

export function classifier(backend: string, seed = 3): Promise<Network> {
  return Network.create({
    inputs: INPUTS, layers: [{ units: 10, activation: 'tanh' }, { units: CLASSES, activation: 'softmax' }],
    loss: 'cross_entropy', seed, backend: backend as BackendChoice,
  });
}

/** The error a call throws or a promise rejects with (undefined if none). */
export async function outcome(call: () => unknown): Promise<unknown> {
  try {
    await call();
    return undefined;
  } catch (error) {
    return error;
  }
}

/** Tally of misuse attempts by how they ended, printed when the file finishes. */
export function tally(suite: string): (result: unknown) => void {
  const counts = new Map<string, number>();
  afterAll(() => {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    console.log(`[misuse] ${suite}: ${total} bad inputs or calls tried → ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}`);
  });
  return (result) => {
    const name = result === undefined ? 'no error' : result instanceof Error ? result.name : typeof result;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  };
}
