// Optimizer options: names with defaults, validated once and turned into kernel parameters.
import { Optimizer, type OptimizerParams } from '../backend/kernels.js';
import { invalidArgument } from '../util/errors.js';
import { requireInRange, requireInteger, requireOneOf, requirePositive } from '../util/validate.js';

export type GradientOptimizerName = 'sgd' | 'momentum' | 'rmsprop' | 'adam';
export type OptimizerName = GradientOptimizerName | 'armijo' | 'random';
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['sgd', 'momentum', 'rmsprop', 'adam', 'armijo', 'random'];

export interface GradientOptimizerOptions {
  type: GradientOptimizerName;
  lr?: number;
  /** momentum γ (default 0.9) */
  momentum?: number;
  /** RMSProp decay β (default 0.9) / Adam β1 (default 0.9) */
  beta1?: number;
  /** Adam β2 (default 0.999) */
  beta2?: number;
  eps?: number;
}

/** Full-batch gradient descent with Armijo backtracking: t = initialStep·α^l, accept when f(x − t g) ≤ f(x) − σ t ‖g‖². */
export interface ArmijoOptions {
  type: 'armijo';
  /** σ ∈ (0, 1), default 1e-4 */
  sigma?: number;
  /** α ∈ (0, 1), the backtracking factor, default 0.5 */
  alpha?: number;
  /** first trial step, default 1 */
  initialStep?: number;
  /** default 40 */
  maxBacktracks?: number;
  /** stop when ‖∇f‖ < tolerance, default 1e-6 */
  tolerance?: number;
}

/** Random search: perturb every parameter by scale·N(0, 1), keep the guess if the average cost fell. */
export interface RandomSearchOptions {
  type: 'random';
  /** default 0.05 */
  scale?: number;
  /** guesses per epoch, default 1 */
  episodes?: number;
}

export type OptimizerOptions = OptimizerName | GradientOptimizerOptions | ArmijoOptions | RandomSearchOptions;

export type ResolvedOptimizer =
  | { type: GradientOptimizerName; params: OptimizerParams }
  | { type: 'armijo'; sigma: number; alpha: number; initialStep: number; maxBacktracks: number; tolerance: number }
  | { type: 'random'; scale: number; episodes: number };

const DEFAULT_LR: Record<GradientOptimizerName, number> = { sgd: 0.1, momentum: 0.01, rmsprop: 0.001, adam: 0.001 };

export function resolveOptimizer(option: unknown = 'adam'): ResolvedOptimizer {
  const spec = (typeof option === 'string' ? { type: option } : option) as Record<string, unknown> | null;
  if (typeof spec !== 'object' || spec === null) throw invalidArgument('optimizer', `a name (${OPTIMIZER_NAMES.join(', ')}) or { type, … }`, option);
  const type = requireOneOf(spec.type, 'optimizer.type', OPTIMIZER_NAMES);
  const get = (key: string, fallback: number): unknown => spec[key] ?? fallback;
  switch (type) {
    case 'armijo':
      return {
        type,
        sigma: requireInRange(get('sigma', 1e-4), 'optimizer.sigma', 0, 1),
        alpha: requireInRange(get('alpha', 0.5), 'optimizer.alpha', 0, 1),
        initialStep: requirePositive(get('initialStep', 1), 'optimizer.initialStep'),
        maxBacktracks: requireInteger(get('maxBacktracks', 40), 'optimizer.maxBacktracks', 0),
        tolerance: requirePositive(get('tolerance', 1e-6), 'optimizer.tolerance'),
      };
    case 'random':
      return {
        type,
        scale: requirePositive(get('scale', 0.05), 'optimizer.scale'),
        episodes: requireInteger(get('episodes', 1), 'optimizer.episodes', 1),
      };
    default: {
      const lr = requirePositive(get('lr', DEFAULT_LR[type]), 'optimizer.lr');
      const beta1 = requireInRange(type === 'momentum' ? get('momentum', 0.9) : get('beta1', 0.9), type === 'momentum' ? 'optimizer.momentum' : 'optimizer.beta1', 0, 1, true);
      const beta2 = requireInRange(get('beta2', 0.999), 'optimizer.beta2', 0, 1, true);
      const eps = requirePositive(get('eps', type === 'adam' ? 1e-8 : 1e-7), 'optimizer.eps');
      return { type, params: { kind: Optimizer[type], lr, beta1, beta2, eps } };
    }
  }
}

/** The options that recreate a resolved optimizer (saved with the model). */
export function optimizerOptions(resolved: ResolvedOptimizer): OptimizerOptions {
  if (resolved.type === 'armijo' || resolved.type === 'random') return { ...resolved };
  const { lr, beta1, beta2, eps } = resolved.params;
  return resolved.type === 'momentum' ? { type: resolved.type, lr, momentum: beta1, eps } : { type: resolved.type, lr, beta1, beta2, eps };
}
