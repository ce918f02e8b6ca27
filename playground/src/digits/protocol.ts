// Messages between the digits page and its training worker.
import type { ActivationName } from 'mlpx';
import type { BackendReport } from '../shared/backend-info.js';

export interface DataSummary {
  source: string;
  trainRows: number;
  testRows: number;
}

export interface ModelConfig {
  hidden: number[];
  activation: ActivationName;
  seed: number;
}

export interface TrainConfig {
  epochs: number;
  batchSize: number;
  optimizer: 'sgd' | 'momentum' | 'rmsprop' | 'adam';
  lr: number;
}

export interface ModelSummary {
  backend: BackendReport;
  /** e.g. 784 → 128 relu → 10 softmax */
  description: string;
  parameters: number;
  /** units of the first layer (its weights are shown as images) */
  firstUnits: number;
  epochsTrained: number;
}

/** The network on the test rows, and its first layer. */
export interface Inspection {
  testLoss: number;
  testAccuracy: number;
  /** 10 × 10 counts: row = true digit, column = predicted */
  confusion: Int32Array;
  /** the first layer's weights, 784 × units, row-major */
  firstLayer: Float32Array;
  firstUnits: number;
}

/** After each epoch: mlpx's record of it, and the inspection of the network. */
export interface EpochReport extends Inspection {
  epoch: number;
  loss: number;
  accuracy: number;
  seconds: number;
  samplesPerSecond: number;
}

export interface BatchReport {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  accuracy: number;
  samplesPerSecond: number;
}

export interface NoiseReport {
  count: number;
  /** images predicted as each digit */
  predicted: Int32Array;
  /** histogram of the largest probability: bins of width 0.1 from 0 to 1 */
  confidence: Int32Array;
  meanConfidence: number;
  /** the first noise image and the network's probabilities for it */
  sample: Float32Array;
  sampleProbabilities: Float32Array;
}

export interface ShuffleConfig {
  rows: number;
  epochs: number;
  hidden: number;
  seed: number;
}

export interface ShuffleEpoch {
  epoch: number;
  trueLoss: number;
  shuffledLoss: number;
  trueAccuracy: number;
  shuffledAccuracy: number;
  trueTestAccuracy: number;
  shuffledTestAccuracy: number;
}

export type WorkerEvent =
  | { type: 'batch'; report: BatchReport }
  | { type: 'epoch'; report: EpochReport }
  | { type: 'trained'; reason: string | null }
  | { type: 'shuffle-epoch'; report: ShuffleEpoch }
  | { type: 'shuffle-done'; reason: string | null };

export interface DigitsApi {
  [method: string]: (arg: never) => unknown;
  /** the gzip-compressed digits set the page fetched */
  useDigits(bytes: ArrayBuffer): Promise<DataSummary>;
  /** MNIST-style IDX files, gzip-compressed or raw */
  useIdxFiles(files: { name: string; bytes: ArrayBuffer }[]): Promise<DataSummary>;
  createModel(config: ModelConfig): Promise<ModelSummary>;
  /** start training in the background: 'batch' and 'epoch' events, then 'trained' */
  train(config: TrainConfig): void;
  /** stop after the running epoch */
  stop(): Promise<void>;
  predict(pixels: Float32Array): Float32Array;
  testImage(index: number): { pixels: Float32Array; label: number };
  noise(arg: { count: number; seed: number }): NoiseReport;
  /** start the label-shuffling experiment in the background ('shuffle-epoch' events, then 'shuffle-done') */
  shuffleExperiment(config: ShuffleConfig): void;
  inspect(): Inspection;
  save(): Uint8Array;
  /** rest this long after every ~25 ms of training (the page's frames run late; see shared/frames.ts) */
  setRest(ms: number): void;
  load(bytes: ArrayBuffer): Promise<ModelSummary>;
}
