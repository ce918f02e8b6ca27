// Optimizer options: names with defaults (one table, used by the library, the CLI and its help
// text), validated once and turned into kernel parameters.
import { Optimizer, type OptimizerParams } from '../backend/kernels.js';
import { invalidArgument } from '../util/errors.js';
import {
  requireFloat32NonNegative, requireFloat32Positive, requireInteger, requireKnownKeys, requireOneOf, requireOptionalBoolean, requirePositive,
} from '../util/validate.js';

export type GradientOptimizerName = 'sgd' | 'momentum' | 'rmsprop' | 'adam';
export type OptimizerName = GradientOptimizerName | 'armijo' | 'random';
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['sgd', 'momentum', 'rmsprop', 'adam', 'armijo', 'random'];

export interface GradientOptimizerOptions {
  type: GradientOptimizerName;
  lr?: number;
  /** momentum γ, in [0, 1) */
  momentum?: number;
  /** momentum: Nesterov's look-ahead step, θ ← θ − (γv + lr g) (default false) */
  nesterov?: boolean;
  /** RMSProp decay β / Adam β1, in [0, 1) */
  beta1?: number;
  /** Adam β2, in [0, 1) */
  beta2?: number;
  /** RMSProp and Adam ε, > 0 */
  eps?: number;
  /** L2 penalty ½λ‖W‖² added to the loss, gradient λW, on weights (not biases); ≥ 0, default 0 */
  l2?: number;
  /** L1 penalty λ‖W‖₁ added to the loss, gradient λ sign(W), on weights; ≥ 0, default 0 */
  l1?: number;
  /** decoupled weight decay W ← W − lr·λ·W besides the optimizer's step (AdamW for adam); ≥ 0, default 0 */
  weightDecay?: number;
  /** > 0: scale the loss gradient down to this global L2 norm when longer (default: no clipping) */
  clipNorm?: number;
  /** > 0: clamp each loss gradient to [−clipValue, clipValue] (default: no clipping) */
  clipValue?: number;
}

/** Full-batch gradient descent with Armijo backtracking: t = initialStep·α^l, accept when f(x − t g) ≤ f(x) − σ t ‖g‖². */
export interface ArmijoOptions {
  type: 'armijo';
  /** σ ∈ (0, 1) */
  sigma?: number;
  /** α ∈ (0, 1), the backtracking factor */
  alpha?: number;
  /** first trial step */
  initialStep?: number;
  /** at most MAX_BACKTRACKS */
  maxBacktracks?: number;
  /** stop when ‖∇f‖ < tolerance */
  tolerance?: number;
}

/** Random search: perturb every parameter by scale·N(0, 1), keep the guess if the average cost fell. */
export interface RandomSearchOptions {
  type: 'random';
  scale?: number;
  /** guesses per epoch, at most MAX_EPISODES */
  episodes?: number;
}

export type OptimizerOptions = OptimizerName | GradientOptimizerOptions | ArmijoOptions | RandomSearchOptions;

export type ResolvedOptimizer =
  | { type: GradientOptimizerName; params: OptimizerParams }
  | { type: 'armijo'; sigma: number; alpha: number; initialStep: number; maxBacktracks: number; tolerance: number }
  | { type: 'random'; scale: number; episodes: number };

/**
 * Every optimizer's defaults: what `fit` uses for an option left out (Adam's lr is the
 * conventional 0.001), and, with COSINE_LEARNING_RATES, what `mlpx train` and its help use.
 */
export const OPTIMIZER_DEFAULTS = {
  sgd: { lr: 0.1 },
  momentum: { lr: 0.01, momentum: 0.9 },
  rmsprop: { lr: 0.001, beta1: 0.9, eps: 1e-7 },
  adam: { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
  armijo: { sigma: 1e-4, alpha: 0.5, initialStep: 1, maxBacktracks: 40, tolerance: 1e-6 },
  random: { scale: 0.05, episodes: 1 },
} as const satisfies Record<OptimizerName, Record<string, number>>;

/**
 * The regularisation and clipping options every gradient optimizer takes, and their defaults
 * (0: off), for `fit`, `mlpx train` and its help.
 */
export const GRADIENT_TRANSFORM_DEFAULTS = { l2: 0, l1: 0, weightDecay: 0, clipNorm: 0, clipValue: 0 } as const;
type TransformOption = keyof typeof GRADIENT_TRANSFORM_DEFAULTS;
const TRANSFORM_OPTIONS = Object.keys(GRADIENT_TRANSFORM_DEFAULTS) as TransformOption[];

/** Defaults of the per-update learning-rate schedules (src/nn/schedules.ts): no warm-up; step decay by 0.1. */
export const SCHEDULE_DEFAULTS = { warmupSteps: 0, gamma: 0.1 } as const;

/** Caps that keep one epoch finite in time: each backtrack or guess evaluates the whole data set. */
export const MAX_BACKTRACKS = 1000;
export const MAX_EPISODES = 1_000_000;

/**
 * Starting rates for a cosine schedule: it averages half the base rate over a run, so Adam starts
 * from 3× its constant-rate default (tuned on MNIST-like data); the others keep theirs. `mlpx
 * train`, whose schedule is cosine unless told otherwise, uses these; with `--lr-schedule
 * constant` it uses OPTIMIZER_DEFAULTS like the library.
 */
export const COSINE_LEARNING_RATES: Readonly<Record<GradientOptimizerName, number>> = {
  sgd: OPTIMIZER_DEFAULTS.sgd.lr, momentum: OPTIMIZER_DEFAULTS.momentum.lr, rmsprop: OPTIMIZER_DEFAULTS.rmsprop.lr, adam: 0.003,
};

const GRADIENT_OPTIMIZERS = ['sgd', 'momentum', 'rmsprop', 'adam'] as const;

/** The learning rate an optimizer starts from when none is given, for a constant or cosine schedule. */
export function defaultLearningRate(optimizer: GradientOptimizerName, schedule: 'constant' | 'cosine'): number {
  return schedule === 'cosine' ? COSINE_LEARNING_RATES[optimizer] : OPTIMIZER_DEFAULTS[optimizer].lr;
}

/** Both tables side by side, for help texts: "sgd 0.1, …, adam 0.003 with cosine (constant: adam 0.001)". */
export function learningRateHelp(): string {
  const list = (schedule: 'constant' | 'cosine', names: readonly GradientOptimizerName[]) => names.map((name) => `${name} ${defaultLearningRate(name, schedule)}`).join(', ');
  const differing = GRADIENT_OPTIMIZERS.filter((name) => defaultLearningRate(name, 'cosine') !== defaultLearningRate(name, 'constant'));
  return `${list('cosine', GRADIENT_OPTIMIZERS)} with cosine (constant: ${list('constant', differing)})`;
}

// saved models written before the per-optimizer options may carry all five of the first keys
const GRADIENT_KEYS = ['type', 'lr', 'momentum', 'beta1', 'beta2', 'eps', ...TRANSFORM_OPTIONS];
const KEYS: Readonly<Record<OptimizerName, readonly string[]>> = {
  sgd: GRADIENT_KEYS,
  momentum: [...GRADIENT_KEYS, 'nesterov'],
  rmsprop: GRADIENT_KEYS,
  adam: GRADIENT_KEYS,
  armijo: ['type', ...Object.keys(OPTIMIZER_DEFAULTS.armijo)],
  random: ['type', ...Object.keys(OPTIMIZER_DEFAULTS.random)],
};

const FLOAT32_MIN_NORMAL = 2 ** -126;

/** A decay rate in [0, 1), also as a float32 (0.99999999 rounds to 1). */
function requireDecay(value: unknown, name: string): number {
  if (typeof value !== 'number' || !(value >= 0) || !(Math.fround(value) < 1)) throw invalidArgument(name, 'a number in [0, 1) (as a float32)', value);
  return value;
}

/** ε: > 0, finite and a normal float32 (a denormal ε is flushed or loses all precision). */
function requireEpsilon(value: unknown, name: string): number {
  if (typeof value !== 'number' || !(Math.fround(value) >= FLOAT32_MIN_NORMAL) || !Number.isFinite(Math.fround(value))) {
    throw invalidArgument(name, `a finite number ≥ ${FLOAT32_MIN_NORMAL.toExponential(4)} (the smallest normal float32)`, value);
  }
  return value;
}

function requireOpenUnit(value: unknown, name: string): number {
  if (typeof value !== 'number' || !(value > 0 && value < 1)) throw invalidArgument(name, 'a number in (0, 1)', value);
  return value;
}

/** The gradient transform's options of a gradient optimizer's spec, validated (0 where absent). */
function transformParams(spec: Record<string, unknown>): Pick<Required<OptimizerParams>, TransformOption> {
  const d = GRADIENT_TRANSFORM_DEFAULTS;
  const given = (key: TransformOption) => spec[key] ?? d[key];
  const clip = (key: 'clipNorm' | 'clipValue') => (spec[key] === undefined ? 0 : requireFloat32Positive(spec[key], `optimizer.${key}`));
  return {
    l2: requireFloat32NonNegative(given('l2'), 'optimizer.l2'),
    l1: requireFloat32NonNegative(given('l1'), 'optimizer.l1'),
    weightDecay: requireFloat32NonNegative(given('weightDecay'), 'optimizer.weightDecay'),
    clipNorm: clip('clipNorm'),
    clipValue: clip('clipValue'),
  };
}

function requireIntegerAtMost(value: unknown, name: string, min: number, max: number): number {
  if (requireInteger(value, name, min) > max) throw invalidArgument(name, `an integer in [${min}, ${max}]`, value);
  return value as number;
}

export function resolveOptimizer(option: unknown = 'adam'): ResolvedOptimizer {
  const spec = (typeof option === 'string' ? { type: option } : option) as Record<string, unknown> | null;
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw invalidArgument('optimizer', `a name (${OPTIMIZER_NAMES.join(', ')}) or { type, … }`, option);
  const type = requireOneOf(spec.type, 'optimizer.type', OPTIMIZER_NAMES);
  requireKnownKeys(spec, 'optimizer', KEYS[type]);
  const get = <K extends string>(defaults: Record<K, number>, key: K): unknown => spec[key] ?? defaults[key];
  switch (type) {
    case 'armijo': {
      const d = OPTIMIZER_DEFAULTS.armijo;
      return {
        type,
        sigma: requireOpenUnit(get(d, 'sigma'), 'optimizer.sigma'),
        alpha: requireOpenUnit(get(d, 'alpha'), 'optimizer.alpha'),
        initialStep: requirePositive(get(d, 'initialStep'), 'optimizer.initialStep'),
        maxBacktracks: requireIntegerAtMost(get(d, 'maxBacktracks'), 'optimizer.maxBacktracks', 0, MAX_BACKTRACKS),
        tolerance: requirePositive(get(d, 'tolerance'), 'optimizer.tolerance'),
      };
    }
    case 'random': {
      const d = OPTIMIZER_DEFAULTS.random;
      return {
        type,
        scale: requireFloat32Positive(get(d, 'scale'), 'optimizer.scale'),
        episodes: requireIntegerAtMost(get(d, 'episodes'), 'optimizer.episodes', 1, MAX_EPISODES),
      };
    }
    case 'sgd':
      return { type, params: { kind: Optimizer.sgd, lr: requireFloat32Positive(get(OPTIMIZER_DEFAULTS.sgd, 'lr'), 'optimizer.lr'), beta1: 0, beta2: 0, eps: 0, nesterov: 0, ...transformParams(spec) } };
    case 'momentum': {
      const d = OPTIMIZER_DEFAULTS.momentum;
      const lr = requireFloat32Positive(get(d, 'lr'), 'optimizer.lr');
      const nesterov = requireOptionalBoolean(spec.nesterov, 'optimizer.nesterov', false) ? 1 : 0;
      return { type, params: { kind: Optimizer.momentum, lr, beta1: requireDecay(get(d, 'momentum'), 'optimizer.momentum'), beta2: 0, eps: 0, nesterov, ...transformParams(spec) } };
    }
    case 'rmsprop': {
      const d = OPTIMIZER_DEFAULTS.rmsprop;
      const lr = requireFloat32Positive(get(d, 'lr'), 'optimizer.lr');
      const beta1 = requireDecay(get(d, 'beta1'), 'optimizer.beta1');
      return { type, params: { kind: Optimizer.rmsprop, lr, beta1, beta2: 0, eps: requireEpsilon(get(d, 'eps'), 'optimizer.eps'), nesterov: 0, ...transformParams(spec) } };
    }
    case 'adam': {
      const d = OPTIMIZER_DEFAULTS.adam;
      const lr = requireFloat32Positive(get(d, 'lr'), 'optimizer.lr');
      const beta1 = requireDecay(get(d, 'beta1'), 'optimizer.beta1');
      const beta2 = requireDecay(get(d, 'beta2'), 'optimizer.beta2');
      return { type, params: { kind: Optimizer.adam, lr, beta1, beta2, eps: requireEpsilon(get(d, 'eps'), 'optimizer.eps'), nesterov: 0, ...transformParams(spec) } };
    }
  }
}

/** The options that recreate a resolved optimizer (saved with the model): only those its update uses. */
export function optimizerOptions(resolved: ResolvedOptimizer): OptimizerOptions {
  if (resolved.type === 'armijo' || resolved.type === 'random') return { ...resolved };
  const { lr, beta1, beta2, eps, nesterov } = resolved.params;
  // the transform's options only where they are on
  const transform = Object.fromEntries(TRANSFORM_OPTIONS.filter((key) => (resolved.params[key] ?? 0) !== 0).map((key) => [key, resolved.params[key]]));
  switch (resolved.type) {
    case 'sgd': return { type: resolved.type, lr, ...transform };
    case 'momentum': return { type: resolved.type, lr, momentum: beta1, ...(nesterov ? { nesterov: true } : {}), ...transform };
    case 'rmsprop': return { type: resolved.type, lr, beta1, eps, ...transform };
    case 'adam': return { type: resolved.type, lr, beta1, beta2, eps, ...transform };
  }
}
