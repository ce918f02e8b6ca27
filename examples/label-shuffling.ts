// Train once with the true labels and once with shuffled labels. The network can
// fit the training set either way, but the cost falls much faster with the true labels, and only
// they generalise to the test set.
import asciichart from 'asciichart';
import { Network, Random } from '../src/index.js';
import { digits } from './data.js';

const rows = Number(process.env.ROWS ?? 2000);
const epochs = Number(process.env.EPOCHS ?? 40);
const { name, train, test } = await digits();
const x = train.x.subarray(0, rows * 784);
const trueLabels = train.labels.subarray(0, rows);
const shuffledLabels = new Random(7).shuffle(Uint32Array.from(trueLabels)).reduce((out, label, i) => ((out[i] = label), out), new Uint8Array(rows));

const curves: number[][] = [];
for (const [label, labels] of [['true labels', trueLabels], ['shuffled labels', shuffledLabels]] as const) {
  const net = await Network.create({ inputs: 784, layers: [{ units: 256, activation: 'relu' }, { units: 10, activation: 'softmax' }], loss: 'cross_entropy', seed: 1 });
  const history = await net.fit(x, labels, { epochs, batchSize: 32, optimizer: { type: 'adam', lr: 0.001 } });
  curves.push(history.epochs.map((e) => e.loss));
  const last = history.epochs.at(-1)!;
  console.log(`${label.padEnd(15)}: training cost ${last.loss.toFixed(4)}, training accuracy ${(100 * last.accuracy!).toFixed(1)}%, test accuracy ${(100 * net.evaluate(test.x, test.labels).accuracy!).toFixed(1)}%`);
}
console.log(`\ntraining cost per epoch on ${rows} rows of ${name} (green: true labels, red: shuffled):`);
console.log(asciichart.plot(curves, { height: 14, colors: [asciichart.green, asciichart.red] }));
