// The training loop behind Network.fit: data validation, validation split, per-epoch seeded
// shuffling, callbacks, early stopping, and the non-finite guard. The per-batch work runs in the
// backend's engine (trainEpoch); Armijo and random search run one full-batch iteration per epoch.
import { STAT_CORRECT, STAT_GRAD_NORM2, STAT_LOSS, STATS_PER_BATCH } from '../backend/engine.js';
import { InvalidArgumentError, NonFiniteError, invalidArgument } from '../util/errors.js';
import { Random } from '../util/prng.js';
import { requireInRange, requireInteger, requireMatrix, requireOneOf, requireTargets } from '../util/validate.js';
import { yieldToEventLoop } from '../util/yield.js';
import { armijoIteration } from './armijo.js';
import { firstNonFiniteLayer, isAllFinite } from './diagnose.js';
import { evaluateRows } from './evaluate.js';
import type { Network } from './network.js';
import { resolveOptimizer, type OptimizerOptions, type ResolvedOptimizer } from './optimizers.js';
import { randomSearchEpoch } from './random-search.js';

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
  minDelta?: number;
  /** put back the best epoch's weights when stopping (default true) */
  restoreBestWeights?: boolean;
}

export interface FitOptions {
  /** default 1 */
  epochs?: number;
  /** default 32; ≥ the row count means full batch; 1 is stochastic gradient descent */
  batchSize?: number;
  /** default: the optimizer the network last trained with, else 'adam' */
  optimizer?: OptimizerOptions;
  /**
   * Learning rate per epoch for the gradient optimizers: 'constant' (default); 'cosine', which
   * anneals lr · ½(1 + cos(π (e − ½) / epochs)) at each epoch's midpoint e − ½; or a function of
   * the 1-based epoch and the base rate.
   */
  lrSchedule?: LearningRateSchedule;
  /** shuffle rows each epoch with the network's seed (default true) */
  shuffle?: boolean;
  /** fraction of rows, taken from the end before shuffling, held out for validation */
  validationSplit?: number;
  validationData?: [Float32Array, Float32Array | Uint8Array | Int32Array];
  earlyStopping?: EarlyStoppingOptions;
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
export type LearningRateSchedule = 'constant' | 'cosine' | ((epoch: number, lr: number) => number);

function scheduledRate(schedule: LearningRateSchedule, epoch: number, epochs: number, lr: number): number {
  const rate = schedule === 'constant' ? lr
    : schedule === 'cosine' ? lr * 0.5 * (1 + Math.cos((Math.PI * (epoch - 0.5)) / epochs))
    : schedule(epoch, lr);
  if (!Number.isFinite(rate) || rate <= 0) throw invalidArgument(`lrSchedule(${epoch})`, 'a finite learning rate > 0', rate);
  return rate;
}

/** A different seed per epoch, derived from the network's seed, so resumed training reshuffles identically. */
function epochSeed(seed: number, epochIndex: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(epochIndex + 1, 0x85ebca6b)) >>> 0;
}

function chooseOptimizer(net: Network, option: OptimizerOptions | undefined): ResolvedOptimizer {
  const previous = net.training.optimizer;
  const resolved = option === undefined ? previous ?? resolveOptimizer('adam') : resolveOptimizer(option);
  if (previous === null || previous.type !== resolved.type) net.training.step = 0; // fresh state, fresh bias correction
  if (resolved.type !== 'armijo' && resolved.type !== 'random') net.engine.setOptimizer(resolved.params.kind);
  net.training.optimizer = resolved;
  return resolved;
}

function splitData(net: Network, x: Float32Array, y: Targets, options: FitOptions) {
  const { data, rows: allRows } = requireMatrix(x, 'x', net.inputs);
  const targets = requireTargets(y, 'y', allRows, net.outputs);
  if (options.validationData !== undefined) {
    if (options.validationSplit !== undefined) throw new InvalidArgumentError('give validationData or validationSplit, not both');
    const [vx, vy] = options.validationData;
    const val = requireMatrix(vx, 'validationData[0]', net.inputs);
    return { x: data, y: targets, rows: allRows, validation: { x: val.data, y: requireTargets(vy, 'validationData[1]', val.rows, net.outputs), rows: val.rows } };
  }
  if (options.validationSplit === undefined || options.validationSplit === 0) return { x: data, y: targets, rows: allRows, validation: null };
  const split = requireInRange(options.validationSplit, 'validationSplit', 0, 1);
  const valRows = Math.floor(allRows * split);
  const rows = allRows - valRows;
  if (valRows < 1 || rows < 1) throw invalidArgument('validationSplit', `a fraction leaving at least one row on each side of ${allRows} rows`, split);
  const { inputs, outputs } = net;
  return {
    x: data.subarray(0, rows * inputs), y: targets.subarray(0, rows * outputs), rows,
    validation: { x: data.subarray(rows * inputs), y: targets.subarray(rows * outputs), rows: valRows },
  };
}

export async function fit(net: Network, x: Float32Array, y: Targets, options: FitOptions = {}): Promise<History> {
  if (typeof options !== 'object' || options === null) throw invalidArgument('options', 'an object', options);
  const epochs = requireInteger(options.epochs ?? 1, 'epochs', 1);
  const batchSize = requireInteger(options.batchSize ?? 32, 'batchSize', 1);
  const { x: X, y: Y, rows, validation } = splitData(net, x, y, options);
  const optimizer = chooseOptimizer(net, options.optimizer);
  const schedule = options.lrSchedule ?? 'constant';
  if (typeof schedule !== 'function') requireOneOf(schedule, 'lrSchedule', ['constant', 'cosine'] as const);
  const early = options.earlyStopping === undefined ? null : {
    patience: requireInteger(options.earlyStopping.patience, 'earlyStopping.patience', 0),
    monitor: requireOneOf(options.earlyStopping.monitor ?? (validation ? 'val_loss' : 'loss'), 'earlyStopping.monitor', ['loss', 'val_loss'] as const),
    minDelta: options.earlyStopping.minDelta ?? 0,
    restore: options.earlyStopping.restoreBestWeights ?? true,
  };
  if (early?.monitor === 'val_loss' && validation === null) throw new InvalidArgumentError("earlyStopping.monitor is 'val_loss' but there is no validation data");

  const { engine } = net;
  const history: History = { epochs: [], stoppedEarly: false, converged: false, bestEpoch: null };
  const batch = Math.min(batchSize, rows);
  const batches = Math.ceil(rows / batch);
  const order = new Uint32Array(rows);
  const batchStats = new Float64Array(batches * STATS_PER_BATCH);
  const lastFinite = new Float32Array(net.parameterCount);
  let best = { value: Infinity, epoch: 0, weights: null as Float32Array | null };
  const bound = optimizer.type === 'armijo' || optimizer.type === 'random' ? null : engine.bindData(X, Y, rows);

  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const epochIndex = net.training.epochsTrained;
      const started = performance.now();
      let record: EpochRecord;
      if (optimizer.type === 'armijo') {
        const result = await armijoIteration(net, X, Y, rows, optimizer);
        history.converged = result.converged;
        record = { epoch, loss: result.loss, accuracy: net.isClassifier ? result.correct / rows : null, seconds: 0, samplesPerSecond: 0, stepSize: result.stepSize, evaluations: result.evaluations, gradientNorm: result.gradientNorm };
      } else if (optimizer.type === 'random') {
        const result = await randomSearchEpoch(net, X, Y, rows, optimizer, new Random(epochSeed(net.seed, epochIndex)));
        record = { epoch, loss: result.loss, accuracy: net.isClassifier ? result.correct / rows : null, seconds: 0, samplesPerSecond: 0, evaluations: result.evaluations, accepted: result.accepted };
      } else {
        for (let i = 0; i < rows; i++) order[i] = i;
        if (options.shuffle ?? true) new Random(epochSeed(net.seed, epochIndex)).shuffle(order);
        lastFinite.set(engine.params());
        let reported = 0;
        const onProgress = (done: number) => {
          const elapsed = (performance.now() - started) / 1000;
          for (; reported < done; reported++) {
            const at = reported * STATS_PER_BATCH;
            const batchRows = Math.min(batch, rows - reported * batch);
            options.onBatchEnd?.({
              epoch, batch: reported + 1, batches, loss: batchStats[at + STAT_LOSS]!,
              accuracy: net.isClassifier ? batchStats[at + STAT_CORRECT]! / batchRows : null,
              samplesPerSecond: Math.min(rows, done * batch) / Math.max(elapsed, 1e-9),
            });
          }
        };
        const params = { ...optimizer.params, lr: scheduledRate(schedule, epoch, epochs, optimizer.params.lr) };
        const done = await engine.trainEpoch(bound!, order, batch, params, net.training.step + 1, batchStats, onProgress);
        onProgress(done);
        const lastAt = (done - 1) * STATS_PER_BATCH;
        if (!Number.isFinite(batchStats[lastAt + STAT_LOSS]!) || !Number.isFinite(batchStats[lastAt + STAT_GRAD_NORM2]!)) {
          net.training.step += done - 1;
          throw nonFinite(net, X, order, batch, epoch, done, batchStats[lastAt + STAT_LOSS]!, lastFinite);
        }
        net.training.step += done;
        let lossSum = 0;
        let correct = 0;
        for (let b = 0; b < done; b++) {
          lossSum += batchStats[b * STATS_PER_BATCH + STAT_LOSS]! * Math.min(batch, rows - b * batch);
          correct += batchStats[b * STATS_PER_BATCH + STAT_CORRECT]!;
        }
        record = { epoch, loss: lossSum / rows, accuracy: net.isClassifier ? correct / rows : null, seconds: 0, samplesPerSecond: 0 };
      }
      record.seconds = (performance.now() - started) / 1000;
      record.samplesPerSecond = rows / Math.max(record.seconds, 1e-9);
      net.training.epochsTrained++;
      if (validation !== null) {
        const val = evaluateRows(engine, validation.x, validation.y, validation.rows);
        record.valLoss = val.loss;
        record.valAccuracy = net.isClassifier ? val.correct / validation.rows : null;
      }
      history.epochs.push(record);
      const keepGoing = (await options.onEpochEnd?.(record)) !== false;
      if (early !== null) {
        const value = early.monitor === 'loss' ? record.loss : record.valLoss!;
        if (value < best.value - early.minDelta) {
          best = { value, epoch, weights: early.restore ? engine.params().slice() : null };
          history.bestEpoch = epoch;
        } else if (epoch - best.epoch > early.patience) {
          history.stoppedEarly = true;
          if (best.weights !== null) engine.params().set(best.weights);
          break;
        }
      }
      if (!keepGoing || history.converged) break;
      await yieldToEventLoop();
    }
  } finally {
    bound?.release();
  }
  return history;
}

/** Build the error for a non-finite batch, and make sure the network keeps finite weights. */
function nonFinite(net: Network, X: Float32Array, order: Uint32Array, batch: number, epoch: number, failedBatch: number, loss: number, lastFinite: Float32Array): NonFiniteError {
  let params = net.engine.params();
  const restored = !isAllFinite(params);
  if (restored) {
    params.set(lastFinite);
    params = net.engine.params();
  }
  const start = (failedBatch - 1) * batch;
  const rows = Math.min(batch, order.length - start);
  const inputs = net.inputs;
  const xb = new Float32Array(rows * inputs);
  for (let r = 0; r < rows; r++) xb.set(X.subarray(order[start + r]! * inputs, (order[start + r]! + 1) * inputs), r * inputs);
  const layer = firstNonFiniteLayer(net.spec, params, xb, rows);
  const where = layer !== null
    ? `the output of layer ${layer} (of ${net.spec.activations.length}) became non-finite`
    : Number.isFinite(loss) ? 'the gradient became non-finite' : `the loss became ${loss} with finite layer outputs`;
  return new NonFiniteError(
    `Training diverged at epoch ${epoch}, batch ${failedBatch}: ${where}. ` +
      `The network keeps its last finite weights${restored ? ' (from the start of this epoch)' : ''}; try a smaller learning rate.`,
    epoch, failedBatch, layer,
  );
}
