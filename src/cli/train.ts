// `mlpx train`: train on MNIST-style IDX files or a built-in data set, show progress, report
// test accuracy, optionally save the model and print one JSON summary line.
import { SingleBar } from 'cli-progress';
import type { ActivationName, LossName } from '../backend/kernels.js';
import type { BackendChoice } from '../backend/registry.js';
import { defaultLearningRate, type GradientOptimizerOptions, type OptimizerName, type OptimizerOptions } from '../nn/optimizers.js';
import { Network } from '../nn/network.js';
import { fileStorage } from '../nn/storage.js';
import type { EpochRecord, LearningRateSchedule } from '../nn/fit.js';
import { limitRows, loadCliData, type CliData, type DatasetName } from './datasets.js';
import { loadCsvData } from './tabular.js';

export interface TrainCommandOptions {
  data?: string;
  dataset?: DatasetName;
  csv?: string;
  target?: string;
  features?: string[];
  standardize: boolean;
  hidden: number[];
  activation: ActivationName;
  dropout?: number[];
  outputActivation?: ActivationName;
  loss?: LossName;
  optimizer: OptimizerName;
  lr?: number;
  nesterov?: boolean;
  l2?: number;
  l1?: number;
  weightDecay?: number;
  clipNorm?: number;
  clipValue?: number;
  lrSchedule: 'constant' | 'cosine' | 'step' | 'exponential';
  warmupSteps?: number;
  decaySteps?: number;
  decayRate?: number;
  epochs: number;
  batch: number;
  seed: number;
  backend: BackendChoice;
  threads?: number;
  trainLimit?: number;
  validationSplit: number;
  save?: string;
  json: boolean;
}

const percent = (value: number | null | undefined): string => (value === null || value === undefined ? '-' : `${(100 * value).toFixed(2)}%`);

function epochLine(record: EpochRecord, epochs: number): string {
  const parts = [`epoch ${record.epoch}/${epochs}`, `loss ${record.loss.toPrecision(4)}`];
  if (record.accuracy !== null) parts.push(`acc ${percent(record.accuracy)}`);
  if (record.valLoss !== undefined) parts.push(record.valAccuracy === null ? `val loss ${record.valLoss.toPrecision(4)}` : `val acc ${percent(record.valAccuracy)}`);
  if (record.stepSize !== undefined) parts.push(`step ${record.stepSize.toPrecision(3)} (${record.evaluations} evals)`);
  if (record.accepted !== undefined) parts.push(`kept ${record.accepted}`);
  parts.push(`${Math.round(record.samplesPerSecond).toLocaleString('en-US')} samples/s`, `${record.seconds.toFixed(2)}s`);
  return parts.join('  ');
}

const gradientFree = (name: OptimizerName): name is 'armijo' | 'random' => name === 'armijo' || name === 'random';
const fail = (message: string): never => {
  throw new Error(message);
};

export async function trainCommand(options: TrainCommandOptions): Promise<void> {
  // with --json, stdout carries only the summary line; human-readable lines go to stderr
  const say = (line: string) => (options.json ? process.stderr : process.stdout).write(line + '\n');
  // a model that cannot be saved should fail now, not after training
  if (options.save !== undefined) await fileStorage().checkWritable(options.save);
  const data = await loadTrainingData(options);
  const train = limitRows(data.train, data.inputs, data.outputs, options.trainLimit);
  const loss = options.loss ?? data.loss;
  const outputActivation = options.outputActivation ?? (options.loss === undefined ? data.outputActivation : defaultOutputFor(loss, data.outputActivation));
  const dropout = hiddenDropout(options.dropout, options.hidden.length);
  const net = await Network.create({
    inputs: data.inputs,
    layers: [
      ...options.hidden.map((units, l) => ({ units, activation: options.activation, ...(dropout[l]! > 0 ? { dropout: dropout[l] } : {}) })),
      { units: data.outputs, activation: outputActivation },
    ],
    loss, seed: options.seed, backend: options.backend, threads: options.threads,
  });
  const details = net.backend.details();
  say(`${net}`);
  say(`data: ${data.name}, ${train.rows} training rows, ${data.test.rows} test rows; backend ${net.backend.name} (${details.kernelPath}, ${details.threads} thread${details.threads === 1 ? '' : 's'})`);

  const bar = new SingleBar({ format: ' {bar} {percentage}% | batch {value}/{total} | loss {loss} | {speed} samples/s', hideCursor: true, clearOnComplete: true, stream: process.stderr });
  const history = await net.fit(train.x, train.y, {
    epochs: options.epochs,
    batchSize: options.batch,
    optimizer: optimizerFrom(options),
    lrSchedule: scheduleFrom(options),
    // too few rows to hold one out: no per-epoch validation
    validationSplit: data.heldOut && Math.floor(train.rows * options.validationSplit) >= 1 ? options.validationSplit : undefined,
    onBatchEnd: (info) => {
      if (info.batch === 1) bar.start(info.batches, 0, { loss: '-', speed: '-' });
      bar.update(info.batch, { loss: info.loss.toPrecision(4), speed: Math.round(info.samplesPerSecond).toLocaleString('en-US') });
      if (info.batch === info.batches) bar.stop();
    },
    onEpochEnd: (record) => {
      bar.stop();
      say(epochLine(record, options.epochs));
    },
  });
  if (!net.getWeights().every(Number.isFinite)) fail('training diverged: the weights are no longer finite (try a smaller --lr); nothing saved');
  const trainSeconds = history.epochs.reduce((sum, e) => sum + e.seconds, 0);
  // rows fit actually trained on (it holds the validation split out itself), from its own records
  const trainedRows = history.epochs.reduce((sum, e) => sum + e.samplesPerSecond * e.seconds, 0);
  const test = net.evaluate(data.test.x, data.test.y);
  say(`test: loss ${test.loss.toPrecision(4)}${test.accuracy === null ? '' : `, accuracy ${percent(test.accuracy)}`} on ${data.test.rows} ${data.heldOut ? 'held-out' : 'training'} rows`);
  // the CSV's inputs were standardised in place before training; the model applies the same to raw inputs from now on
  if (data.schema !== undefined) net.setDataSchema({ ...data.schema, standardization: data.appliedStandardization ?? null });
  if (options.save !== undefined) {
    await net.save(options.save);
    say(`saved to ${options.save}`);
  }
  if (options.json) {
    process.stdout.write(JSON.stringify({
      backend: net.backend.name, kernelPath: details.kernelPath, threads: details.threads,
      dataset: data.name, architecture: String(net), optimizer: options.optimizer,
      epochs: history.epochs.length, trainRows: train.rows, testRows: data.test.rows,
      trainSeconds, samplesPerSecond: trainedRows / Math.max(trainSeconds, 1e-9),
      testLoss: test.loss, testAccuracy: test.accuracy, history: history.epochs,
    }) + '\n');
  }
}

/** --dropout: one rate for every hidden layer, or one per hidden layer. */
function hiddenDropout(rates: number[] | undefined, hidden: number): number[] {
  if (rates === undefined) return new Array<number>(hidden).fill(0);
  if (hidden === 0) fail('--dropout applies to hidden layers, and --hidden is none');
  if (rates.length === 1) return new Array<number>(hidden).fill(rates[0]!);
  if (rates.length !== hidden) fail(`--dropout has ${rates.length} rates for ${hidden} hidden layers (give one, or one per layer)`);
  return rates;
}

/** The flags that only a gradient optimizer takes, by name, with their values. */
const GRADIENT_FLAGS = [['--lr', 'lr'], ['--nesterov', 'nesterov'], ['--l2', 'l2'], ['--l1', 'l1'], ['--weight-decay', 'weightDecay'], ['--clip-norm', 'clipNorm'], ['--clip-value', 'clipValue'], ['--warmup-steps', 'warmupSteps'], ['--dropout', 'dropout']] as const;

function optimizerFrom(options: TrainCommandOptions): OptimizerOptions {
  const { optimizer } = options;
  if (gradientFree(optimizer)) {
    const given = GRADIENT_FLAGS.find(([, key]) => options[key] !== undefined);
    return given === undefined ? optimizer : fail(`${given[0]} does not apply to --optimizer ${optimizer}`);
  }
  if (options.nesterov && optimizer !== 'momentum') fail('--nesterov applies to --optimizer momentum');
  const spec: GradientOptimizerOptions = {
    type: optimizer, lr: options.lr ?? defaultLearningRate(optimizer, options.lrSchedule === 'cosine' ? 'cosine' : 'constant'),
    ...(options.nesterov ? { nesterov: true } : {}),
  };
  for (const key of ['l2', 'l1', 'weightDecay', 'clipNorm', 'clipValue'] as const) if (options[key] !== undefined) spec[key] = options[key];
  return spec;
}

/** cosine and constant stay per epoch unless there is a warm-up; step and exponential decay per update. */
function scheduleFrom(options: TrainCommandOptions): LearningRateSchedule {
  const { lrSchedule: type, warmupSteps, decaySteps, decayRate } = options;
  if ((type === 'cosine' || type === 'constant') && (decaySteps !== undefined || decayRate !== undefined)) fail(`--decay-steps and --decay-rate apply to --lr-schedule step and exponential`);
  if (type === 'cosine' || type === 'constant') return warmupSteps === undefined || warmupSteps === 0 ? type : { type, warmupSteps };
  const steps = decaySteps ?? fail(`--lr-schedule ${type} needs --decay-steps N`);
  if (type === 'step') return { type, warmupSteps, stepSize: steps, ...(decayRate === undefined ? {} : { gamma: decayRate }) };
  return { type, warmupSteps, decaySteps: steps, decayRate: decayRate ?? fail('--lr-schedule exponential needs --decay-rate R') };
}

async function loadTrainingData(options: TrainCommandOptions): Promise<CliData> {
  if (options.csv === undefined) {
    if (options.target !== undefined || options.features !== undefined) fail('--target and --features apply to --csv');
    return loadCliData(options);
  }
  if (options.target === undefined) fail('--csv needs --target COLUMN (the column to predict)');
  return loadCsvData({ csv: options.csv, target: options.target!, features: options.features, seed: options.seed, standardize: options.standardize });
}

function defaultOutputFor(loss: LossName, fallback: ActivationName): ActivationName {
  if (loss === 'cross_entropy') return 'softmax';
  if (loss === 'binary_cross_entropy') return 'sigmoid';
  return fallback === 'softmax' ? 'sigmoid' : fallback;
}
