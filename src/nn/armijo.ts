// One iteration of full-batch gradient descent with Armijo backtracking: direction d = −∇f, step
// t = initialStep·α^l for the smallest l with f(x + t d) ≤ f(x) + σ t ∇fᵀd = f(x) − σ t ‖∇f‖².
// A step is only ever taken when the condition holds, so the loss never increases. The weights
// and gradient are copies (engine memory may move while this awaits); each trial is written in.
import { STAT_CORRECT, STAT_GRAD_NORM2, STAT_LOSS, STATS_PER_BATCH, type Engine } from '../backend/engine.js';
import { yieldToEventLoop } from '../util/yield.js';
import type { ResolvedOptimizer } from './optimizers.js';

export interface ArmijoResult {
  loss: number;
  correct: number;
  /** 0 when no trial step satisfied the condition (weights unchanged) */
  stepSize: number;
  /** gradient evaluation + loss evaluations */
  evaluations: number;
  gradientNorm: number;
  /** ‖∇f‖ was below the tolerance: no step taken */
  converged: boolean;
}

export async function armijoIteration(
  engine: Engine, x: Float32Array, y: Float32Array, rows: number, opt: Extract<ResolvedOptimizer, { type: 'armijo' }>,
): Promise<ArmijoResult> {
  const stats = new Float64Array(STATS_PER_BATCH);
  engine.reserve(rows);
  engine.gradient(x, y, rows, stats);
  const f0 = stats[STAT_LOSS]!;
  const correct0 = stats[STAT_CORRECT]!;
  const g2 = stats[STAT_GRAD_NORM2]!;
  const gradientNorm = Math.sqrt(g2);
  const unchanged = (evaluations: number, converged: boolean): ArmijoResult => ({ loss: f0, correct: correct0, stepSize: 0, evaluations, gradientNorm, converged });
  if (gradientNorm < opt.tolerance) return unchanged(1, true);
  if (!Number.isFinite(f0) || !Number.isFinite(g2)) return unchanged(1, false);
  const start = engine.readParams();
  const grads = engine.readGrads();
  const trial = new Float32Array(start.length);
  let t = opt.initialStep;
  for (let l = 0; l <= opt.maxBacktracks && t > 0; l++) {
    for (let i = 0; i < trial.length; i++) trial[i] = start[i]! - t * grads[i]!;
    engine.writeParams(trial);
    engine.evaluate(x, y, rows, stats);
    if (stats[STAT_LOSS]! <= f0 - opt.sigma * t * g2) {
      return { loss: stats[STAT_LOSS]!, correct: stats[STAT_CORRECT]!, stepSize: t, evaluations: l + 2, gradientNorm, converged: false };
    }
    t *= opt.alpha;
    await yieldToEventLoop();
  }
  engine.writeParams(start);
  return unchanged(opt.maxBacktracks + 2, false);
}
