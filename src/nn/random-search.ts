// The naive baseline of the material: guess parameters near the current ones (every parameter
// moved by scale·N(0, 1)) and keep the guess only if the average cost over the data fell.
import { yieldToEventLoop } from '../util/yield.js';
import type { Random } from '../util/prng.js';
import { evaluateRows } from './evaluate.js';
import type { Network } from './network.js';
import type { ResolvedOptimizer } from './optimizers.js';

export async function randomSearchEpoch(
  net: Network, x: Float32Array, y: Float32Array, rows: number, opt: Extract<ResolvedOptimizer, { type: 'random' }>, random: Random,
): Promise<{ loss: number; correct: number; evaluations: number; accepted: number }> {
  const { engine } = net;
  let current = evaluateRows(engine, x, y, rows);
  const params = engine.params();
  const kept = params.slice();
  let accepted = 0;
  for (let episode = 0; episode < opt.episodes; episode++) {
    for (let i = 0; i < params.length; i++) params[i] = kept[i]! + opt.scale * random.normal();
    const guess = evaluateRows(engine, x, y, rows);
    if (guess.loss < current.loss) {
      current = guess;
      kept.set(params);
      accepted++;
    } else {
      params.set(kept);
    }
    await yieldToEventLoop();
  }
  return { loss: current.loss, correct: current.correct, evaluations: opt.episodes + 1, accepted };
}
