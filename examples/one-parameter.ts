// One-parameter intuition. A linear model y = w x + b on x = 0..9 with targets
// sin(x) and b fixed at 2: its cost as a function of w, its derivative −2/n Σ (y − (w x + b)) x,
// and gradient descent stepping downhill on it — all computed by an mlpx 1 → 1 linear network.
import asciichart from 'asciichart';
import { gradientCheck, Network } from '../src/index.js';

const x = Float32Array.from({ length: 10 }, (_, i) => i);
const y = x.map(Math.sin);
const net = await Network.create({ inputs: 1, layers: [{ units: 1, activation: 'linear' }], loss: 'mse', backend: 'js' });

/** cost and ∂cost/∂w at (w, b = 2): the slope is backpropagation's (in float64, as the gradient check computes it) */
function at(w: number): { cost: number; slope: number } {
  net.setWeights(Float32Array.of(w, 2));
  return { cost: net.evaluate(x, y).loss, slope: gradientCheck(net, x, y).analytic[0]! };
}

const ws = Array.from({ length: 41 }, (_, i) => -1 + i * 0.05);
console.log('cost (mean squared error) as a function of w, b = 2:');
console.log(asciichart.plot(ws.map((w) => at(w).cost), { height: 10 }));
const check = at(0.3);
const byFormula = (-2 / x.length) * x.reduce((sum, xi, i) => sum + (y[i]! - (0.3 * xi + 2)) * xi, 0);
console.log(`\nat w = 0.3: backprop slope ${check.slope.toFixed(5)}, formula −2/n Σ (y − (wx+b)) x = ${byFormula.toFixed(5)}`);
let w = 0.8;
console.log('\ngradient descent on w (η = 0.01):');
for (let step = 0; step <= 10; step++) {
  const { cost, slope } = at(w);
  console.log(`  step ${String(step).padStart(2)}: w = ${w.toFixed(4)}  cost = ${cost.toFixed(4)}  slope = ${slope.toFixed(4)}`);
  w -= 0.01 * slope;
}
