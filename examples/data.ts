// Digits for the examples: real MNIST from $MLPX_DATA/mnist (or ../shared/data/mnist) when
// present, else the ~10k embedded digits of the `mnist` package.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadMnist } from '../src/index.js';
import { loadDigits } from '../src/data/digits.js';

export async function digits(): Promise<{ name: string; train: { x: Float32Array; labels: Uint8Array; rows: number }; test: { x: Float32Array; labels: Uint8Array; rows: number } }> {
  const dir = join(process.env.MLPX_DATA ?? resolve(import.meta.dirname, '../../shared/data'), 'mnist');
  if (existsSync(join(dir, 'train-images-idx3-ubyte.gz'))) return { name: `MNIST (${dir})`, ...(await loadMnist(dir)) };
  return { name: 'embedded digits (mnist package)', ...loadDigits() };
}

/** The base example: 784-16-16-10, about 13k parameters. */
export const BASE_EXAMPLE = {
  inputs: 784,
  layers: [{ units: 16, activation: 'relu' as const }, { units: 16, activation: 'relu' as const }, { units: 10, activation: 'softmax' as const }],
  loss: 'cross_entropy' as const,
};
