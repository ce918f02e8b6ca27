// The naive baseline: guess parameters near the current ones (every parameter
// moved by scale·N(0, 1)) and keep the guess only if the average cost over the data fell. The
// kept weights are a copy (engine memory may move while this awaits); each guess is written in.
import type { Engine } from '../backend/engine.js';
import { yieldToEventLoop } from '../util/yield.js';
import type { Random } from '../util/prng.js';
import { evaluateRows } from './evaluate.js';
import type { ResolvedOptimizer } from './optimizers.js';

export async function randomSearchEpoch(
  engine: Engine, x: Float32Array, y: Float32Array, rows: number, opt: Extract<ResolvedOptimizer, { type: 'random' }>, random: Random,
): Promise<{ loss: number; correct: number; evaluations: number; accepted: number }> {
  let current = evaluateRows(engine, x, y, rows);
  const kept = engine.readParams();
  const guess = new Float32Array(kept.length);
  let accepted = 0;
  for (let episode = 0; episode < opt.episodes; episode++) {
    for (let i = 0; i < guess.length; i++) guess[i] = kept[i]! + opt.scale * random.normal();
    engine.writeParams(guess);
    const result = evaluateRows(engine, x, y, rows);
    if (result.loss < current.loss) {
      current = result;
      kept.set(guess);
      accepted++;
    } else {
      engine.writeParams(kept);
    }
    await yieldToEventLoop();
  }
  return { loss: current.loss, correct: current.correct, evaluations: opt.episodes + 1, accepted };
}
