// The data sets the CLI trains on, each with its natural output layer and loss.
import type { ActivationName, LossName } from '../backend/kernels.js';
import { loadDigits } from '../data/digits.js';
import { spiralsData, squaresData, xorData, type Dataset } from '../data/generators.js';
import { loadMnist } from '../data/idx-file.js';
import type { LabelledImages } from '../data/idx.js';
import type { Standardization } from '../data/standardize.js';
import type { DataSchemaOptions } from '../nn/data-schema.js';

export const DATASET_NAMES = ['digits', 'xor', 'x2', 'spirals'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export interface Split {
  x: Float32Array;
  y: Float32Array | Uint8Array | Int32Array;
  rows: number;
}

export interface CliData {
  name: string;
  inputs: number;
  outputs: number;
  train: Split;
  test: Split;
  /** whether the test split is distinct from the training data */
  heldOut: boolean;
  outputActivation: ActivationName;
  loss: LossName;
  /** column and class names for the trained model (CSV) */
  schema?: DataSchemaOptions;
  /** the standardisation already applied to train and test x, for the model to apply to raw inputs later */
  appliedStandardization?: Standardization | null;
}

const fromImages = (images: LabelledImages): Split => ({ x: images.x, y: images.labels, rows: images.rows });
const fromDataset = (d: Dataset): Split => ({ x: d.x, y: d.y, rows: d.rows });

export async function loadCliData(options: { data?: string; dataset?: DatasetName; seed: number }): Promise<CliData> {
  if (options.data !== undefined) {
    const mnist = await loadMnist(options.data);
    return { name: options.data, inputs: mnist.train.features, outputs: 10, train: fromImages(mnist.train), test: fromImages(mnist.test), heldOut: true, outputActivation: 'softmax', loss: 'cross_entropy' };
  }
  switch (options.dataset ?? 'digits') {
    case 'digits': {
      const digits = loadDigits(0.2, options.seed);
      return { name: 'digits (10,000 from the mnist package, 16 grey levels, 80/20 split)', inputs: 784, outputs: 10, train: fromImages(digits.train), test: fromImages(digits.test), heldOut: true, outputActivation: 'softmax', loss: 'cross_entropy' };
    }
    case 'xor': {
      const xor = fromDataset(xorData());
      return { name: 'xor', inputs: 2, outputs: 1, train: xor, test: xor, heldOut: false, outputActivation: 'sigmoid', loss: 'binary_cross_entropy' };
    }
    case 'x2':
      return { name: 'x² on [-1, 1]', inputs: 1, outputs: 1, train: fromDataset(squaresData(1000, options.seed)), test: fromDataset(squaresData(200, options.seed + 1)), heldOut: true, outputActivation: 'linear', loss: 'mse' };
    case 'spirals':
      return { name: 'two spirals', inputs: 2, outputs: 2, train: fromDataset(spiralsData(200, options.seed)), test: fromDataset(spiralsData(100, options.seed + 1)), heldOut: true, outputActivation: 'softmax', loss: 'cross_entropy' };
  }
}

/** The first `limit` rows. */
export function limitRows(split: Split, inputs: number, outputs: number, limit: number | undefined): Split {
  if (limit === undefined || limit >= split.rows) return split;
  const perRowY = split.y instanceof Float32Array ? outputs : 1;
  return { x: split.x.subarray(0, limit * inputs), y: split.y.subarray(0, limit * perRowY), rows: limit };
}
