// Messages between the classification page and its training worker.
import type { ActivationName, LossName } from 'mlpx';
import type { BackendReport } from '../shared/backend-info.js';
import type { FeatureId } from './features.js';

export type OptimizerChoice = 'sgd' | 'momentum' | 'rmsprop' | 'adam' | 'armijo';
export type LossChoice = Extract<LossName, 'cross_entropy' | 'binary_cross_entropy' | 'mse' | 'sse' | 'half_sse'>;

export interface ModelConfig {
  features: FeatureId[];
  hidden: { units: number; activation: ActivationName }[];
  loss: LossChoice;
  seed: number;
}

export interface TrainingConfig {
  optimizer: OptimizerChoice;
  lr: number;
  batchSize: number;
  /** 'fast': rounds of ~30 ms of epochs; 'frame': one epoch per frame the page draws */
  pace: 'fast' | 'frame';
}

/** Training and test points (x, y interleaved) and labels, and the grid the maps are drawn on. */
export interface DataConfig {
  train: { xy: Float32Array; labels: Uint8Array };
  test: { xy: Float32Array; labels: Uint8Array };
  grid: Float32Array;
}

/** What the page draws after a round of training: all of it computed by mlpx in the worker. */
export interface Snapshot {
  epoch: number;
  /** optimizer updates so far */
  steps: number;
  stepsPerSecond: number;
  /** null while there are no training points */
  trainLoss: number | null;
  trainAccuracy: number | null;
  testLoss: number | null;
  testAccuracy: number | null;
  /** the network's outputs at each grid point (grid points × outputs; the last is P(class 1)) */
  output: Float32Array;
  /** per hidden layer: grid points × units, the layer's outputs */
  hidden: Float32Array[];
  /** the flat parameter vector (per layer: W inputs × units row-major, then b) */
  weights: Float32Array;
  /** Armijo: the accepted step of the last iteration */
  stepSize?: number;
}

export type WorkerEvent =
  | { type: 'snapshot'; snapshot: Snapshot }
  | { type: 'stopped'; reason: string | null };

export interface ClassifyApi {
  [method: string]: (arg: never) => unknown;
  configure(arg: { model: ModelConfig; data: DataConfig; training: TrainingConfig }): Promise<BackendReport>;
  setData(data: DataConfig): Promise<void>;
  setTraining(training: TrainingConfig): void;
  play(): void;
  pause(): Promise<void>;
  step(): Promise<void>;
  /** the page drew the last snapshot: the worker may send the next */
  ack(): void;
  /** rest this long between rounds (the page's frames run late; see shared/frames.ts) */
  setRest(ms: number): void;
}
