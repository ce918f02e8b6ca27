// Finite-difference gradient check: backpropagated gradients against central differences
// (f(θ+h) − f(θ−h)) / 2h, both computed by the reference composition in float64.
import { STAT_LOSS, STATS_PER_BATCH } from '../backend/engine.js';
import type { ComposedEngine } from '../backend/composed.js';
import { createFloat64Engine } from '../backend/js/index.js';
import type { NetSpec } from '../backend/layout.js';
import { invalidArgument } from '../util/errors.js';
import { requireOptions } from '../util/validate.js';
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
}

function requirePositive(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw invalidArgument(name, 'a finite number > 0', value);
  return value;
}

/** Check the gradient of `spec`'s mean loss at `params` on (x, y): all float64. */
export function gradientCheckSpec(
  spec: NetSpec, params: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>, rows: number, options: GradientCheckOptions = {},
): GradientCheckResult {
  return compareGradients(createFloat64Engine(spec), params, x, y, rows, options);
}

/**
 * The check itself, over a float64 reference engine: backpropagation (the engine's gradient)
 * against central differences of its loss, parameter by parameter.
 */
export function compareGradients(
  engine: ComposedEngine, params: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>, rows: number, options: GradientCheckOptions = {},
): GradientCheckResult {
  const o = requireOptions(options, 'gradient check options', ['epsilon', 'floor']) as GradientCheckOptions;
  const h = requirePositive(o.epsilon ?? 1e-5, 'epsilon');
  const floor = requirePositive(o.floor ?? 1e-4, 'floor');
  engine.reserve(rows);
  const theta = engine.liveParams();
  theta.set(params);
  const x64 = Float64Array.from(x) as unknown as Float32Array;
  const y64 = Float64Array.from(y) as unknown as Float32Array;
  const stats = new Float64Array(STATS_PER_BATCH);
  engine.gradient(x64, y64, rows, stats);
  const analytic = engine.readGrads(new Float64Array(theta.length) as unknown as Float32Array) as unknown as Float64Array;
  const numeric = new Float64Array(theta.length);
  const lossAt = (): number => (engine.evaluate(x64, y64, rows, stats), stats[STAT_LOSS]!);
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

/** Check a network's backpropagation at its current weights on (x, y). */
export function gradientCheck(net: Network, x: Float32Array, y: Float32Array | Uint8Array | Int32Array, options: GradientCheckOptions = {}): GradientCheckResult {
  const { x: data, y: targets, rows } = requireSamples(net.architecture, x, y);
  if (rows * net.parameterCount > 5e6) throw invalidArgument('x', 'a small sample (rows × parameters ≤ 5e6): the check evaluates the loss twice per parameter', x);
  return gradientCheckSpec(net.spec, net.getWeights(), data, targets, rows, options);
}
