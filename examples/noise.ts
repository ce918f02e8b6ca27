// A network trained on digits, fed pure noise, still answers confidently: the
// distribution of its predicted classes and of its top probability on uniform-noise images.
import { Network, Random } from '../src/index.js';
import { BASE_EXAMPLE, digits } from './data.js';

const { name, train, test } = await digits();
const net = await Network.create({ ...BASE_EXAMPLE, seed: 1 });
await net.fit(train.x, train.labels, { epochs: 5, batchSize: 32, optimizer: { type: 'adam', lr: 0.003 }, lrSchedule: 'cosine' });
console.log(`${net} on ${name}: test accuracy ${(100 * net.evaluate(test.x, test.labels).accuracy!).toFixed(1)}%`);

const samples = 1000;
const random = new Random(3);
const noise = Float32Array.from({ length: samples * 784 }, () => random.next());
const output = net.predict(noise);
const classes = new Array<number>(10).fill(0);
const confidence = new Array<number>(10).fill(0); // top probability in tenths
for (let s = 0; s < samples; s++) {
  const row = output.subarray(s * 10, s * 10 + 10);
  const best = row.indexOf(Math.max(...row));
  classes[best]!++;
  confidence[Math.min(9, Math.floor(row[best]! * 10))]!++;
}
const bar = (count: number) => '█'.repeat(Math.round((50 * count) / samples));
console.log(`\npredicted class for ${samples} noise images:`);
classes.forEach((count, digit) => console.log(`  ${digit}: ${String(count).padStart(4)} ${bar(count)}`));
console.log('\ntop probability:');
confidence.forEach((count, tenth) => console.log(`  ${(tenth / 10).toFixed(1)}–${((tenth + 1) / 10).toFixed(1)}: ${String(count).padStart(4)} ${bar(count)}`));
const confident = confidence.slice(9).reduce((a, b) => a + b, 0);
console.log(`\n${((100 * confident) / samples).toFixed(1)}% of noise images get a top probability ≥ 0.9`);
