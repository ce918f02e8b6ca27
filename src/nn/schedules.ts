// Learning-rate schedules for fit. Per epoch: 'constant', 'cosine' and a function of the epoch,
// one rate per epoch. Per update: objects, whose rates are worked out for every update of the fit
// while it is planned (so a bad rate is refused before anything trains) and handed to each epoch
// as a table the engine reads one entry per batch.
import { InvalidArgumentError, invalidArgument } from '../util/errors.js';
import { requireFloat32Positive, requireInteger, requireOneOf, requireOptions } from '../util/validate.js';
import { SCHEDULE_DEFAULTS } from './optimizers.js';

/**
 * A rate per update t = 1, 2, … of the fit (T updates in all): a linear warm-up lr · t / W over
 * the first W = warmupSteps updates, then, with s = t − W of D = T − W: constant lr; cosine
 * lr · ½(1 + cos(π (s − ½) / D)); step lr · gamma^⌊(s − 1) / stepSize⌋; exponential
 * lr · decayRate^((s − 1) / decaySteps). Or 'custom': any rate of (t, epoch), epoch 1-based.
 */
export type StepSchedule =
  | { type: 'constant'; warmupSteps?: number }
  | { type: 'cosine'; warmupSteps?: number }
  | { type: 'step'; warmupSteps?: number; stepSize: number; gamma?: number }
  | { type: 'exponential'; warmupSteps?: number; decaySteps: number; decayRate: number }
  | { type: 'custom'; lr: (step: number, epoch: number) => number };

export type LearningRateSchedule = 'constant' | 'cosine' | ((epoch: number, lr: number) => number) | StepSchedule;

const STEP_SCHEDULE_KEYS: Record<StepSchedule['type'], readonly string[]> = {
  constant: ['type', 'warmupSteps'],
  cosine: ['type', 'warmupSteps'],
  step: ['type', 'warmupSteps', 'stepSize', 'gamma'],
  exponential: ['type', 'warmupSteps', 'decaySteps', 'decayRate'],
  custom: ['type', 'lr'],
};

/** A fit of more updates than this cannot use a per-update schedule: its table would take 256 MiB. */
export const MAX_SCHEDULED_UPDATES = 2 ** 26;

export interface PlannedSchedule {
  /** A per-epoch schedule's rate of epoch e (1-based); the first is checked while planning, the others when their epoch starts. */
  rate(epoch: number): number;
  /** A per-update schedule's rates for the batches of epoch e (1-based); null for a per-epoch schedule. */
  rates(epoch: number): Float32Array | null;
}

/** The cosine schedule's rate for period i (1-based) of n: lr at the middle of the first, → 0 at the end. */
function cosineRate(lr: number, i: number, n: number): number {
  return lr * 0.5 * (1 + Math.cos((Math.PI * (i - 0.5)) / n));
}

function perEpochRate(schedule: Exclude<LearningRateSchedule, StepSchedule>, epoch: number, epochs: number, lr: number): number {
  const rate = schedule === 'constant' ? lr : schedule === 'cosine' ? cosineRate(lr, epoch, epochs) : schedule(epoch, lr);
  return requireFloat32Positive(rate, `lrSchedule(${epoch})`);
}

/** In (0, 1]. */
function requireFactor(value: unknown, name: string): number {
  if (typeof value !== 'number' || !(value > 0 && value <= 1)) throw invalidArgument(name, 'a number in (0, 1]', value);
  return value;
}

/** The rate of update t of `total` for a named per-update schedule (checked options). */
function namedRate(s: Exclude<StepSchedule, { type: 'custom' }>, lr: number, t: number, total: number): number {
  const warmup = s.warmupSteps ?? SCHEDULE_DEFAULTS.warmupSteps;
  if (t <= warmup) return (lr * t) / warmup;
  const step = t - warmup;
  switch (s.type) {
    case 'constant': return lr;
    case 'cosine': return cosineRate(lr, step, total - warmup);
    case 'step': return lr * (s.gamma ?? SCHEDULE_DEFAULTS.gamma) ** Math.floor((step - 1) / s.stepSize);
    case 'exponential': return lr * s.decayRate ** ((step - 1) / s.decaySteps);
  }
}

function requireStepSchedule(value: object): StepSchedule {
  const type = requireOneOf((value as { type?: unknown }).type, 'lrSchedule.type', Object.keys(STEP_SCHEDULE_KEYS) as StepSchedule['type'][]);
  const o = requireOptions(value, 'lrSchedule', STEP_SCHEDULE_KEYS[type]);
  if (type === 'custom') {
    if (typeof o.lr !== 'function') throw invalidArgument('lrSchedule.lr', 'a function (step, epoch) → learning rate', o.lr);
    return o as StepSchedule;
  }
  if (o.warmupSteps !== undefined) requireInteger(o.warmupSteps, 'lrSchedule.warmupSteps', 0);
  if (type === 'step') {
    requireInteger(o.stepSize, 'lrSchedule.stepSize', 1);
    if (o.gamma !== undefined) requireFactor(o.gamma, 'lrSchedule.gamma');
  }
  if (type === 'exponential') {
    requireInteger(o.decaySteps, 'lrSchedule.decaySteps', 1);
    requireFactor(o.decayRate, 'lrSchedule.decayRate');
  }
  return o as StepSchedule;
}

/**
 * Validate `value` for a fit of `epochs` epochs of `batches` updates each starting from rate
 * `lr`, working out (and checking) every rate of a per-update schedule.
 */
export function planSchedule(value: unknown, epochs: number, batches: number, lr: number): PlannedSchedule {
  const schedule = value ?? 'constant';
  if (typeof schedule === 'object' && schedule !== null && !Array.isArray(schedule)) {
    const steps = requireStepSchedule(schedule);
    const total = epochs * batches;
    if (total > MAX_SCHEDULED_UPDATES) {
      throw new InvalidArgumentError(`lrSchedule: a per-update schedule needs a rate for each of the ${total} updates (${epochs} epochs × ${batches} batches), at most ${MAX_SCHEDULED_UPDATES}; use fewer epochs, larger batches or a per-epoch schedule`);
    }
    const table = new Float32Array(total);
    for (let t = 1; t <= total; t++) {
      const epoch = Math.ceil(t / batches);
      const rate = steps.type === 'custom' ? steps.lr(t, epoch) : namedRate(steps, lr, t, total);
      table[t - 1] = requireFloat32Positive(rate, `lrSchedule at update ${t} (epoch ${epoch})`);
    }
    return { rate: () => lr, rates: (epoch) => table.subarray((epoch - 1) * batches, epoch * batches) };
  }
  if (typeof schedule !== 'function') requireOneOf(schedule, 'lrSchedule', ['constant', 'cosine'] as const);
  const perEpoch = schedule as Exclude<LearningRateSchedule, StepSchedule>;
  const first = perEpochRate(perEpoch, 1, epochs, lr);
  return { rate: (epoch) => (epoch === 1 ? first : perEpochRate(perEpoch, epoch, epochs, lr)), rates: () => null };
}
