// Finite-difference gradient check: backpropagated gradients against central differences
// (f(θ+h) − f(θ−h)) / 2h, both computed by the reference composition in float64. With training
// options (l2, l1, row weights, a dropout mask) it checks the gradient a training step applies
// against the loss that step reports: the step runs as SGD with rate 1, so the gradient is
// θ − θ' (the update rounds in float64), and the loss is that of a step with rate 0.
import { STAT_LOSS, STATS_PER_BATCH } from '../backend/engine.js';
import { Optimizer, type OptimizerParams } from '../backend/kernels.js';
import type { ComposedEngine } from '../backend/composed.js';
import { createFloat64Engine } from '../backend/js/index.js';
import type { NetSpec } from '../backend/layout.js';
import { invalidArgument } from '../util/errors.js';
import { requireCount, requireOptions, requirePositive } from '../util/validate.js';
import { requireSamples } from './data.js';
import type { Network } from './network.js';

export interface GradientCheckResult {
  /**
   * max over parameters of |analytic − numeric| / max(|analytic|, |numeric|, floor);
   * Infinity when a gradient or a loss was not finite
   */
  maxRelativeError: number;
  /** index (in the flat parameter vector) where it occurs */
  worstIndex: number;
  analytic: Float64Array;
  numeric: Float64Array;
}

export interface GradientCheckOptions {
  /** finite-difference step h > 0 (default 1e-5: balances truncation error h² against round-off ε·f/h) */
  epsilon?: number;
  /** denominators below this (> 0) are raised to it, so near-zero gradients compare absolutely (default 1e-4) */
  floor?: number;
  /** the L2 penalty ½λ‖W‖² in the loss (default 0) */
  l2?: number;
  /** the L1 penalty λ‖W‖₁ in the loss (default 0) */
  l1?: number;
  /** a weight ≥ 0 for each row's loss (default all 1) */
  sampleWeight?: ArrayLike<number>;
  /** the dropout layers drop with the masks of this update number, the same mask at every evaluation (default: no dropout) */
  dropoutStep?: number;
}

const CHECK_OPTIONS = ['epsilon', 'floor', 'l2', 'l1', 'sampleWeight', 'dropoutStep'] as const satisfies readonly (keyof GradientCheckOptions)[];

function requireNonNegative(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw invalidArgument(name, 'a finite number ≥ 0', value);
  return value;
}

/** The loss at the engine's parameters and the gradient there, as `gradient`/`evaluate` or a training step sees them. */
interface Probe {
  gradient(into: Float64Array): void;
  loss(): number;
}

function probe(engine: ComposedEngine, o: GradientCheckOptions, x: Float32Array, y: Float32Array, rows: number): Probe {
  const stats = new Float64Array(STATS_PER_BATCH);
  const training = o.l2 !== undefined || o.l1 !== undefined || o.sampleWeight !== undefined || o.dropoutStep !== undefined;
  if (!training) {
    return {
      gradient: (into) => {
        engine.gradient(x, y, rows, stats);
        engine.readGrads(into as unknown as Float32Array);
      },
      loss: () => (engine.evaluate(x, y, rows, stats), stats[STAT_LOSS]!),
    };
  }
  const l2 = requireNonNegative(o.l2 ?? 0, 'l2'), l1 = requireNonNegative(o.l1 ?? 0, 'l1');
  const step = o.dropoutStep === undefined ? 1 : requireCount(o.dropoutStep, 'dropoutStep');
  let weights: Float32Array | undefined;
  if (o.sampleWeight !== undefined) {
    if (o.sampleWeight.length !== rows) throw invalidArgument('sampleWeight', `${rows} weights, one per row`, o.sampleWeight);
    weights = Float64Array.from(o.sampleWeight, (w, i) => requireNonNegative(w, `sampleWeight[${i}]`)) as unknown as Float32Array;
  }
  const sgd = (lr: number): OptimizerParams => ({ kind: Optimizer.sgd, lr, beta1: 0, beta2: 0, eps: 0, l2, l1 });
  const theta = engine.liveParams();
  return {
    gradient: (into) => {
      const start = Float64Array.from(theta);
      engine.trainStep(x, y, rows, sgd(1), step, stats, weights);
      for (let i = 0; i < theta.length; i++) into[i] = start[i]! - theta[i]!;
      theta.set(start);
    },
    loss: () => (engine.trainStep(x, y, rows, sgd(0), step, stats, weights), stats[STAT_LOSS]!),
  };
}

/**
 * Check the gradient of `spec`'s mean loss at `params` on (x, y): all float64. The spec's dropout
 * layers drop only with options.dropoutStep.
 */
export function gradientCheckSpec(
  spec: NetSpec, params: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>, rows: number, options: GradientCheckOptions = {},
): GradientCheckResult {
  const dropping = typeof options === 'object' && options !== null && options.dropoutStep !== undefined;
  return compareGradients(createFloat64Engine(dropping ? spec : { ...spec, dropout: undefined }), params, x, y, rows, options);
}

/**
 * The check itself, over a float64 reference engine: backpropagation (the engine's gradient)
 * against central differences of its loss, parameter by parameter.
 */
export function compareGradients(
  engine: ComposedEngine, params: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>, rows: number, options: GradientCheckOptions = {},
): GradientCheckResult {
  const o = requireOptions(options, 'gradient check options', CHECK_OPTIONS) as GradientCheckOptions;
  const h = requirePositive(o.epsilon ?? 1e-5, 'epsilon');
  const floor = requirePositive(o.floor ?? 1e-4, 'floor');
  engine.reserve(rows);
  const theta = engine.liveParams();
  theta.set(params);
  const x64 = Float64Array.from(x) as unknown as Float32Array;
  const y64 = Float64Array.from(y) as unknown as Float32Array;
  const at = probe(engine, o, x64, y64, rows);
  const analytic = new Float64Array(theta.length);
  at.gradient(analytic);
  const numeric = new Float64Array(theta.length);
  const lossAt = at.loss;
  let maxRelativeError = 0;
  let worstIndex = 0;
  for (let i = 0; i < theta.length; i++) {
    const saved = theta[i]!;
    theta[i] = saved + h;
    const up = lossAt();
    theta[i] = saved - h;
    const down = lossAt();
    theta[i] = saved;
    numeric[i] = (up - down) / (2 * h);
    const difference = Math.abs(analytic[i]! - numeric[i]!) / Math.max(Math.abs(analytic[i]!), Math.abs(numeric[i]!), floor);
    const error = Number.isNaN(difference) ? Infinity : difference; // a non-finite gradient or loss never passes
    if (error > maxRelativeError) {
      maxRelativeError = error;
      worstIndex = i;
    }
  }
  return { maxRelativeError, worstIndex, analytic, numeric };
}

/** Check a network's backpropagation at its current weights on (x, y) (its dropout layers drop only with options.dropoutStep). */
export function gradientCheck(net: Network, x: Float32Array, y: Float32Array | Uint8Array | Int32Array, options: GradientCheckOptions = {}): GradientCheckResult {
  const { x: data, y: targets, rows } = requireSamples(net.architecture, x, y);
  if (rows * net.parameterCount > 5e6) throw invalidArgument('x', 'a small sample (rows × parameters ≤ 5e6): the check evaluates the loss twice per parameter', x);
  return gradientCheckSpec(net.spec, net.getWeights(), data, targets, rows, options);
}
