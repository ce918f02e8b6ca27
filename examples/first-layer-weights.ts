// The first layer's weights of the base example (784-16-16-10) as 28×28 images —
// they do not look like strokes a person would design. Writes a 4×4 grid PNG (atomically).
import { PNG } from 'pngjs';
import { Network } from '../src/index.js';
import { nodeFileStorage } from '../src/io/node-storage.js';
import { BASE_EXAMPLE, digits } from './data.js';

const output = process.argv[2] ?? 'first-layer-weights.png';
const { name, train, test } = await digits();
const net = await Network.create({ ...BASE_EXAMPLE, seed: 1 });
await net.fit(train.x, train.labels, { epochs: 5, batchSize: 32, optimizer: { type: 'adam', lr: 0.003 }, lrSchedule: 'cosine' });
console.log(`${net} on ${name}: test accuracy ${(100 * net.evaluate(test.x, test.labels).accuracy!).toFixed(1)}%`);

const { weights } = net.layerWeights(0); // 784 × 16: column u is unit u's image
const tile = 28;
const gap = 2;
const side = 4 * tile + 5 * gap;
const png = new PNG({ width: side, height: side });
png.data.fill(255);
for (let unit = 0; unit < 16; unit++) {
  let scale = 0;
  for (let p = 0; p < 784; p++) scale = Math.max(scale, Math.abs(weights[p * 16 + unit]!));
  const [left, top] = [gap + (unit % 4) * (tile + gap), gap + Math.floor(unit / 4) * (tile + gap)];
  for (let p = 0; p < 784; p++) {
    const value = weights[p * 16 + unit]! / scale; // −1 (blue) … 0 (white) … 1 (red)
    const at = ((top + Math.floor(p / 28)) * side + left + (p % 28)) * 4;
    png.data[at] = value < 0 ? Math.round(255 * (1 + value)) : 255;
    png.data[at + 1] = Math.round(255 * (1 - Math.abs(value)));
    png.data[at + 2] = value > 0 ? Math.round(255 * (1 - value)) : 255;
    png.data[at + 3] = 255;
  }
}
await nodeFileStorage.writeAtomic(output, PNG.sync.write(png));
console.log(`wrote the 16 first-layer weight images to ${output} (red positive, blue negative)`);
