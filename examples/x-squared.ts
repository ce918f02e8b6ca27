// Regression of f(x) = x² on [−1, 1] from 1000 random samples — gradient descent against random
// search. A plain gradient-descent baseline reaches a cost of about 3e-4 in 50 epochs and predicts
// 0.1, 0.5, −1, 0.01 as roughly 0.03, 0.23, 0.03, 0.03; random search does worse.
import asciichart from 'asciichart';
import { Network, squaresData } from '../src/index.js';

const data = squaresData(1000, 1);
const architecture = { inputs: 1, layers: [{ units: 16, activation: 'tanh' as const }, { units: 16, activation: 'tanh' as const }, { units: 1, activation: 'linear' as const }], loss: 'mse' as const, init: 'uniform' as const, seed: 1 };

const descent = await Network.create(architecture);
const gd = await descent.fit(data.x, data.y, { epochs: 50, batchSize: 16, optimizer: { type: 'adam', lr: 0.01 } });
const search = await Network.create(architecture);
const rs = await search.fit(data.x, data.y, { epochs: 500, optimizer: { type: 'random', scale: 0.02 } });

const inputs = [0.1, 0.5, -1, 0.01];
const probes = Float32Array.from(inputs);
const show = (net: Network) => Array.from(net.predict(probes), (p, i) => `f(${inputs[i]}) ≈ ${p.toFixed(4)}`).join(', ');
console.log(`gradient descent (Adam, 50 epochs): cost ${descent.evaluate(data.x, data.y).loss.toExponential(2)}; ${show(descent)}`);
console.log(`random search (500 episodes):       cost ${search.evaluate(data.x, data.y).loss.toExponential(2)}; ${show(search)}`);
console.log('\nlog10 cost per epoch (gradient descent) / per 10 episodes (random search):');
console.log(asciichart.plot([gd.epochs.map((e) => Math.log10(e.loss)), rs.epochs.filter((_, i) => i % 10 === 0).map((e) => Math.log10(e.loss))], { height: 12, colors: [asciichart.green, asciichart.red] }));
