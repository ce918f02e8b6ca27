// The training loop behind Network.fit, in two phases. planFit validates every option and the
// data and changes nothing; runFit then allocates first and mutates after, so a rejected fit
// leaves the network exactly as it was. The per-batch work runs in the backend's engine
// (trainEpoch); Armijo and random search run one full-batch iteration per epoch.
//
// The non-finite rule lives here and in the fused step's StepStatus (src/backend/engine.ts):
// an epoch stops at the first batch whose status is not STEP_OK; a skipped update (non-finite
// loss or gradient) leaves the weights of the last checked update; an update that wrote a
// non-finite weight or optimizer state is undone by restoring the epoch's start (weights,
// optimizer state, update count), a snapshot known to be finite.
import {
  batchRows, batchStatus, epochBatches, STAT_CORRECT, STAT_GRAD_NORM2, STAT_LOSS, STATS_PER_BATCH,
  STEP_LOSS_NON_FINITE, STEP_OK, STEP_UPDATE_NON_FINITE, type Engine, type StepStatus,
} from '../backend/engine.js';
import { InvalidArgumentError, NonFiniteError, invalidArgument } from '../util/errors.js';
import { Random } from '../util/prng.js';
import {
  requireInRange, requireInteger, requireOneOf, requireOptionalBoolean, requireOptionalFunction, requireOptions,
} from '../util/validate.js';
import { yieldToEventLoop } from '../util/yield.js';
import { armijoIteration } from './armijo.js';
import type { NetworkCore } from './core.js';
import { gatherRows, requireSamples, rowWeights, splitRows, type Samples } from './data.js';
import { firstNonFiniteLayer } from './diagnose.js';
import { evaluateRows } from './evaluate.js';
import { resolveOptimizer, type OptimizerOptions, type ResolvedOptimizer } from './optimizers.js';
import { randomSearchEpoch } from './random-search.js';
import { hasDropout, isClassifier, type Architecture } from './architecture.js';
import { planSchedule, type LearningRateSchedule, type PlannedSchedule } from './schedules.js';
import { computeStandardization, standardize, type Standardization } from '../data/standardize.js';

export interface BatchInfo {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  /** null for regression */
  accuracy: number | null;
  /** throughput of this epoch so far */
  samplesPerSecond: number;
}

export interface EpochRecord {
  /** 1-based, counting only this fit call */
  epoch: number;
  loss: number;
  accuracy: number | null;
  valLoss?: number;
  valAccuracy?: number | null;
  seconds: number;
  samplesPerSecond: number;
  /** Armijo: the accepted step size t (0 when no step satisfied the condition) */
  stepSize?: number;
  /** Armijo and random search: loss evaluations this epoch (Armijo counts the gradient evaluation) */
  evaluations?: number;
  /** Armijo: ‖∇f‖ at the start of the iteration */
  gradientNorm?: number;
  /** random search: guesses kept this epoch */
  accepted?: number;
}

export interface History {
  epochs: EpochRecord[];
  stoppedEarly: boolean;
  /** Armijo stopped because ‖∇f‖ fell below the tolerance */
  converged: boolean;
  /** epoch (1-based) with the best monitored value when early stopping is on */
  bestEpoch: number | null;
}

export interface EarlyStoppingOptions {
  /** epochs without improvement before stopping */
  patience: number;
  /** default 'val_loss' when there is validation data, else 'loss' */
  monitor?: 'loss' | 'val_loss';
  /** an improvement must lower the monitored value by more than this (≥ 0, default 0) */
  minDelta?: number;
  /** put back the best epoch's weights when stopping (default true) */
  restoreBestWeights?: boolean;
}

export interface FitOptions {
  /** default 1 */
  epochs?: number;
  /** default 32; ≥ the row count means full batch; 1 is stochastic gradient descent */
  batchSize?: number;
  /**
   * default: the optimizer the network last trained with (with its regularisation and clipping),
   * else 'adam'
   */
  optimizer?: OptimizerOptions;
  /**
   * The learning rate of the gradient optimizers. Per epoch: 'constant' (default); 'cosine', which
   * anneals lr · ½(1 + cos(π (e − ½) / epochs)) at each epoch's midpoint e − ½; or a function of
   * the 1-based epoch and the base rate. Per update (src/nn/schedules.ts): { type: 'cosine' |
   * 'constant' | 'step' | 'exponential', warmupSteps?, … }, or { type: 'custom', lr: (step, epoch)
   * => rate }, step and epoch counted from 1 in this fit; every rate is checked before training.
   */
  lrSchedule?: LearningRateSchedule;
  /** gradient optimizers: a weight ≥ 0 for each row's loss and gradient (one per row of x) */
  sampleWeight?: Float32Array | Float64Array | number[];
  /**
   * gradient optimizers, classifiers: a weight ≥ 0 per class (an array, or { [classIndex]: weight };
   * classes left out weigh 1), multiplying each row's sample weight by its class's
   */
  classWeight?: number[] | Record<number, number>;
  /** shuffle rows each epoch with the network's seed (default true) */
  shuffle?: boolean;
  /** fraction of rows held out for validation, chosen by a shuffle seeded with the network's seed */
  validationSplit?: number;
  validationData?: [Float32Array, Float32Array | Uint8Array | Int32Array];
  earlyStopping?: EarlyStoppingOptions;
  /**
   * called after every batch (in order; after a chunk of batches finished, so possibly a few at
   * once); an exception stops training (batches already under way finish and count) and rejects
   * the fit with that exception
   */
  onBatchEnd?: (info: BatchInfo) => void;
  /** return false to stop training after this epoch */
  onEpochEnd?: (record: EpochRecord) => void | boolean | Promise<void | boolean>;
  /**
   * Standardise the inputs: a network without standardisation takes per-feature mean and standard
   * deviation from the training rows and keeps them (predict then takes raw features). Default false.
   */
  standardize?: boolean;
}

type Targets = Float32Array | Uint8Array | Int32Array;
export type { LearningRateSchedule, StepSchedule } from './schedules.js';

const FIT_OPTIONS = [
  'epochs', 'batchSize', 'optimizer', 'lrSchedule', 'sampleWeight', 'classWeight', 'shuffle', 'validationSplit', 'validationData',
  'earlyStopping', 'onBatchEnd', 'onEpochEnd', 'standardize',
] as const satisfies readonly (keyof FitOptions)[];
const EARLY_STOPPING_OPTIONS = ['patience', 'monitor', 'minDelta', 'restoreBestWeights'] as const satisfies readonly (keyof EarlyStoppingOptions)[];

/** Everything a fit needs, validated: nothing in the network has changed yet. */
interface FitPlan {
  epochs: number;
  /** the batch size actually used (≤ the training rows) */
  batch: number;
  optimizer: ResolvedOptimizer;
  /** the learning rates of the gradient optimizers (per epoch, or a table per update) */
  schedule: PlannedSchedule;
  shuffle: boolean;
  /** all rows as given; training reads the rows in `train` */
  data: Samples;
  train: Uint32Array;
  /** each row's loss weight (null: all 1) */
  weights: Float32Array | null;
  validation: Samples | null;
  early: { patience: number; monitor: 'loss' | 'val_loss'; minDelta: number; restore: boolean } | null;
  onBatchEnd: FitOptions['onBatchEnd'];
  onEpochEnd: FitOptions['onEpochEnd'];
  /** standardisation this fit computed from its training rows, to keep once it runs */
  newStandardization: Standardization | null;
}

export async function fit(core: NetworkCore, x: Float32Array, y: Targets, options: FitOptions = {}): Promise<History> {
  core.requireIdle('fit');
  const plan = planFit(core, x, y, options);
  return core.runFit(() => runFit(core, plan));
}

function planFit(core: NetworkCore, x: unknown, y: unknown, options: unknown): FitPlan {
  const o = requireOptions(options, 'fit options', FIT_OPTIONS) as FitOptions;
  const epochs = requireInteger(o.epochs ?? 1, 'epochs', 1);
  const batchSize = requireInteger(o.batchSize ?? 32, 'batchSize', 1);
  const arch = core.architecture;
  let data = requireSamples(arch, x, y);
  let train: Uint32Array = Uint32Array.from({ length: data.rows }, (_, i) => i);
  let validation: Samples | null = null;
  if (o.validationData !== undefined) {
    if (o.validationSplit !== undefined) throw new InvalidArgumentError('give validationData or validationSplit, not both');
    if (!Array.isArray(o.validationData) || o.validationData.length !== 2) throw invalidArgument('validationData', '[x, y]', o.validationData);
    const given = requireSamples(arch, o.validationData[0], o.validationData[1], 'validationData[0]', 'validationData[1]');
    // a copy: the caller may change or transfer its arrays while training runs
    validation = { x: given.x.slice(), y: given.y.slice(), rows: given.rows };
  } else if (o.validationSplit !== undefined && o.validationSplit !== 0) {
    const fraction = requireInRange(o.validationSplit, 'validationSplit', 0, 1);
    const split = splitRows(data.rows, fraction, core.seed);
    if (split.validation.length < 1 || split.train.length < 1) {
      throw invalidArgument('validationSplit', `a fraction leaving at least one row on each side of ${data.rows} rows`, fraction);
    }
    train = split.train;
    validation = gatherRows(data, split.validation);
  }
  // the rows as the layers see them: standardised with the network's statistics, or with new ones
  // taken from the training rows (never the validation rows) when asked to standardise
  const kept = core.schema.standardization;
  const wanted = requireOptionalBoolean(o.standardize, 'standardize', false);
  const newStandardization = kept === null && wanted ? computeStandardization(data.x, arch.inputs, train) : null;
  const stats = kept ?? newStandardization;
  if (stats !== null) {
    data = { ...data, x: standardize(data.x, stats) };
    if (validation !== null) validation = { ...validation, x: standardize(validation.x, stats, validation.x) };
  }
  const optimizer = o.optimizer === undefined ? core.training.optimizer ?? resolveOptimizer('adam') : resolveOptimizer(o.optimizer);
  const early = planEarlyStopping(o.earlyStopping, validation !== null);
  const fullBatch = optimizer.type === 'armijo' || optimizer.type === 'random';
  const batch = fullBatch ? train.length : Math.min(batchSize, train.length);
  if (fullBatch) requireGradientFeatures(optimizer.type, arch, o);
  const weights = rowWeights(arch, data, train, o.sampleWeight, o.classWeight);
  // full-batch methods have no learning rate (a per-epoch schedule is left unused, as it always was)
  const schedule = 'params' in optimizer ? planSchedule(o.lrSchedule, epochs, epochBatches(train.length, batch), optimizer.params.lr) : { rate: () => 0, rates: () => null };
  requireMemory(core, batch, data);
  return {
    epochs, batch, optimizer, schedule, shuffle: requireOptionalBoolean(o.shuffle, 'shuffle', true), data, train, weights, validation, early,
    onBatchEnd: requireOptionalFunction(o.onBatchEnd, 'onBatchEnd'),
    onEpochEnd: requireOptionalFunction(o.onEpochEnd, 'onEpochEnd'),
    newStandardization,
  };
}

/** Armijo and random search evaluate the plain loss of every row, without dropout, and take no learning rate. */
function requireGradientFeatures(type: 'armijo' | 'random', arch: Architecture, o: FitOptions): void {
  const needs = (what: string) => new InvalidArgumentError(`${what} needs a gradient optimizer (sgd, momentum, rmsprop or adam); ${type} evaluates the plain loss over every row`);
  if (hasDropout(arch)) throw needs('A network with dropout layers');
  if (o.sampleWeight !== undefined) throw needs('sampleWeight');
  if (o.classWeight !== undefined) throw needs('classWeight');
  if (typeof o.lrSchedule === 'object' && o.lrSchedule !== null) throw needs('A per-update lrSchedule');
}

function planEarlyStopping(value: unknown, hasValidation: boolean): FitPlan['early'] {
  if (value === undefined) return null;
  if (value === null) throw invalidArgument('earlyStopping', '{ patience, monitor?, minDelta?, restoreBestWeights? }', value);
  const o = requireOptions(value, 'earlyStopping', EARLY_STOPPING_OPTIONS) as Partial<EarlyStoppingOptions>;
  const monitor = requireOneOf(o.monitor ?? (hasValidation ? 'val_loss' : 'loss'), 'earlyStopping.monitor', ['loss', 'val_loss'] as const);
  if (monitor === 'val_loss' && !hasValidation) throw new InvalidArgumentError("earlyStopping.monitor is 'val_loss' but there is no validation data");
  const minDelta = o.minDelta ?? 0;
  if (typeof minDelta !== 'number' || !Number.isFinite(minDelta) || minDelta < 0) throw invalidArgument('earlyStopping.minDelta', 'a finite number ≥ 0', minDelta);
  return {
    patience: requireInteger(o.patience, 'earlyStopping.patience', 0),
    monitor, minDelta,
    restore: requireOptionalBoolean(o.restoreBestWeights, 'earlyStopping.restoreBestWeights', true),
  };
}

/** Refuse, before allocating, a fit whose engine, workspace and bound data (rows, order, row weights) exceed the backend's memory limit. */
function requireMemory(core: NetworkCore, batch: number, data: Samples): void {
  const { backend, spec } = core;
  const need = backend.engineBytes(spec) + backend.workspaceBytes(spec, batch) + 4 * (data.x.length + data.y.length + 2 * data.rows);
  if (need > backend.memoryLimit) {
    throw new InvalidArgumentError(
      `This fit needs about ${mebibytes(need)} (${backend.engineBytesHold}, the workspace of a ${batch}-row batch and a copy of the data); ` +
        `the ${backend.name} backend allows one network ${mebibytes(backend.memoryLimit)}: ${backend.memoryLimitReason}. Use a smaller batchSize or network.`,
    );
  }
}

export function mebibytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/**
 * Between epochs, fit yields to the event loop once this long has passed since it last did (an
 * epoch's engine yields within it every ~10 ms): a yield costs ~6 µs, a tenth of an epoch of
 * the playground's default network (250 rows, batch 10), too much to pay after every epoch.
 */
export const EPOCH_YIELD_MS = 1;

/** A different seed per epoch, derived from the network's seed, so resumed training reshuffles identically. */
function epochSeed(seed: number, epochIndex: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(epochIndex + 1, 0x85ebca6b)) >>> 0;
}

async function runFit(core: NetworkCore, plan: FitPlan): Promise<History> {
  const { engine, training } = core;
  const { optimizer, data, train } = plan;
  const fullBatch = optimizer.type === 'armijo' || optimizer.type === 'random';
  // allocate everything first (each allocation is all-or-nothing), then change the network
  const trainSet = fullBatch ? (train.length === data.rows ? data : gatherRows(data, train)) : null;
  const bound = fullBatch ? null : engine.bindData(data.x, data.y, data.rows, plan.weights ?? undefined);
  try {
    engine.reserve(plan.batch);
    if (plan.newStandardization !== null) core.schema = { ...core.schema, standardization: plan.newStandardization };
    const previous = training.optimizer;
    if (!fullBatch) engine.setOptimizer(optimizer.params.kind);
    if (previous === null || previous.type !== optimizer.type) training.step = 0; // fresh state, fresh bias correction
    training.optimizer = optimizer;
    const history: History = { epochs: [], stoppedEarly: false, converged: false, bestEpoch: null };
    const classifier = isClassifier(core.architecture);
    let best = { value: Infinity, epoch: 0, weights: null as Float32Array | null };
    const epochState = fullBatch ? null : new EpochTrainer(core, plan, bound!);
    let yielded = performance.now();
    for (let epoch = 1; epoch <= plan.epochs; epoch++) {
      const started = performance.now();
      let record: EpochRecord;
      if (optimizer.type === 'armijo') {
        const result = await armijoIteration(engine, trainSet!.x, trainSet!.y, trainSet!.rows, optimizer);
        history.converged = result.converged;
        record = { epoch, loss: result.loss, accuracy: classifier ? result.correct / trainSet!.rows : null, seconds: 0, samplesPerSecond: 0, stepSize: result.stepSize, evaluations: result.evaluations, gradientNorm: result.gradientNorm };
      } else if (optimizer.type === 'random') {
        const result = await randomSearchEpoch(engine, trainSet!.x, trainSet!.y, trainSet!.rows, optimizer, new Random(epochSeed(core.seed, training.epochsTrained)));
        record = { epoch, loss: result.loss, accuracy: classifier ? result.correct / trainSet!.rows : null, seconds: 0, samplesPerSecond: 0, evaluations: result.evaluations, accepted: result.accepted };
      } else {
        record = await epochState!.run(epoch, started);
      }
      if (fullBatch && !Number.isFinite(record.loss)) {
        // they only ever keep weights whose loss is lower, so this is the loss they started from
        throw new NonFiniteError(`Training cannot continue at epoch ${epoch}: the loss at the current weights is ${record.loss}. The weights were not changed.`, epoch, 1, null);
      }
      record.seconds = (performance.now() - started) / 1000;
      record.samplesPerSecond = train.length / Math.max(record.seconds, 1e-9);
      training.epochsTrained++;
      core.publish(epochState?.finish() ?? engine.readParams());
      if (plan.validation !== null) {
        const val = evaluateRows(engine, plan.validation.x, plan.validation.y, plan.validation.rows);
        record.valLoss = val.loss;
        record.valAccuracy = classifier ? val.correct / plan.validation.rows : null;
      }
      history.epochs.push(record);
      const keepGoing = (await plan.onEpochEnd?.(record)) !== false;
      const early = plan.early;
      if (early !== null) {
        const value = early.monitor === 'loss' ? record.loss : record.valLoss!;
        if (value < best.value - early.minDelta) {
          best = { value, epoch, weights: early.restore ? engine.readParams() : null };
          history.bestEpoch = epoch;
        } else if (epoch - best.epoch > early.patience) {
          history.stoppedEarly = true;
          if (best.weights !== null) engine.writeParams(best.weights);
          break;
        }
      }
      if (!keepGoing || history.converged) break;
      if (performance.now() - yielded >= EPOCH_YIELD_MS) {
        await yieldToEventLoop();
        yielded = performance.now();
      }
    }
    return history;
  } finally {
    bound?.release();
  }
}

/**
 * The epochs of a gradient optimizer: each keeps a snapshot of its start (weights, optimizer
 * state, update count), trains on the bound data in a freshly shuffled order, reports batches,
 * and applies the non-finite rule.
 */
class EpochTrainer {
  readonly #order: Uint32Array;
  readonly #batches: number;
  readonly #batchStats: Float64Array;
  /** the epoch's start: the weights (also what reads see), optimizer state, update count */
  #weights: Float32Array;
  readonly #state: Float32Array;

  constructor(private readonly core: NetworkCore, private readonly plan: FitPlan, private readonly bound: ReturnType<Engine['bindData']>) {
    this.#order = new Uint32Array(plan.train.length);
    this.#batches = epochBatches(plan.train.length, plan.batch);
    this.#batchStats = new Float64Array(this.#batches * STATS_PER_BATCH);
    this.#weights = core.engine.readParams();
    this.#state = core.engine.readOptimizerState();
  }

  async run(epoch: number, started: number): Promise<EpochRecord> {
    const { core, plan } = this;
    const { engine, training } = core;
    const { batch } = plan;
    const rows = plan.train.length;
    const stepAtStart = training.step;
    engine.readOptimizerState(this.#state);
    this.#order.set(plan.train);
    if (plan.shuffle) new Random(epochSeed(core.seed, training.epochsTrained)).shuffle(this.#order);
    const optimizer = plan.optimizer as Extract<ResolvedOptimizer, { params: unknown }>;
    // a per-epoch rate: epoch 1's was checked while planning, a later one now (the epochs before stay trained)
    const params = { ...optimizer.params, lr: plan.schedule.rate(epoch) };
    const classifier = isClassifier(core.architecture);
    let reported = 0;
    // an exception from onBatchEnd stops the epoch (batches under way finish); it is rethrown
    // once the update count matches the updates that ran
    const callback: { failed: boolean; error?: unknown } = { failed: false };
    const onProgress = (done: number): boolean => {
      const elapsed = (performance.now() - started) / 1000;
      for (; reported < done && !callback.failed; reported++) {
        const at = reported * STATS_PER_BATCH;
        try {
          plan.onBatchEnd?.({
            epoch, batch: reported + 1, batches: this.#batches, loss: this.#batchStats[at + STAT_LOSS]!,
            accuracy: classifier ? this.#batchStats[at + STAT_CORRECT]! / batchRows(reported, batch, rows) : null,
            samplesPerSecond: Math.min(rows, done * batch) / Math.max(elapsed, 1e-9),
          });
        } catch (error) {
          callback.failed = true;
          callback.error = error;
        }
      }
      return !callback.failed;
    };
    const done = await engine.trainEpoch(this.bound, this.#order, batch, params, stepAtStart + 1, this.#batchStats, onProgress, plan.schedule.rates(epoch) ?? undefined);
    onProgress(done);
    const status = batchStatus(this.#batchStats, done - 1);
    if (status === STEP_UPDATE_NON_FINITE) {
      // the failed update ran: put the epoch's start back
      engine.writeParams(this.#weights);
      engine.writeOptimizerState(this.#state);
      training.step = stepAtStart;
    } else {
      training.step = stepAtStart + done - (status === STEP_OK ? 0 : 1);
    }
    if (status !== STEP_OK) throw this.#nonFinite(epoch, done, status);
    if (callback.failed) throw callback.error;
    let lossSum = 0;
    let correct = 0;
    for (let b = 0; b < done; b++) {
      lossSum += this.#batchStats[b * STATS_PER_BATCH + STAT_LOSS]! * batchRows(b, batch, rows);
      correct += this.#batchStats[b * STATS_PER_BATCH + STAT_CORRECT]!;
    }
    return { epoch, loss: lossSum / rows, accuracy: classifier ? correct / rows : null, seconds: 0, samplesPerSecond: 0 };
  }

  /** After an epoch: its final weights, which also start the next one. */
  finish(): Float32Array {
    this.#weights = this.core.engine.readParams();
    return this.#weights;
  }

  #nonFinite(epoch: number, failedBatch: number, status: StepStatus): NonFiniteError {
    const { core, plan } = this;
    if (status === STEP_UPDATE_NON_FINITE) {
      return new NonFiniteError(
        `Training diverged at epoch ${epoch}, batch ${failedBatch}: the optimizer update made a weight or its optimizer state non-finite. ` +
          `The network was put back as it was at the start of epoch ${epoch} (weights, optimizer state and update count); try a smaller learning rate.`,
        epoch, failedBatch, null,
      );
    }
    const start = (failedBatch - 1) * plan.batch;
    const count = batchRows(failedBatch - 1, plan.batch, plan.train.length);
    const xb = gatherRows(plan.data, this.#order.subarray(start, start + count)).x;
    const layer = firstNonFiniteLayer(core.spec, core.engine.readParams(), xb, count);
    const gradNorm2 = this.#batchStats[(failedBatch - 1) * STATS_PER_BATCH + STAT_GRAD_NORM2]!;
    const where = layer !== null
      ? `the output of layer ${layer} (of ${core.spec.activations.length}) became non-finite`
      : status === STEP_LOSS_NON_FINITE ? 'the loss became non-finite with finite layer outputs'
      : `the gradient's squared norm ${gradNorm2} is beyond float32's range`;
    return new NonFiniteError(
      `Training diverged at epoch ${epoch}, batch ${failedBatch}: ${where}. ` +
        'Its update was skipped: the network keeps the weights of the last finite update; try a smaller learning rate.',
      epoch, failedBatch, layer,
    );
  }
}
