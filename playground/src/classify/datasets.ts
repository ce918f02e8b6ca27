// The 2-D classification data sets of TensorFlow Playground, on the same [−6, 6]² plane: two
// circles, XOR quadrants, two Gaussians, two spirals, and points the user places. Seeded, so a
// page reload shows the same points. Labels: 0 (orange) and 1 (blue).
import { Random } from 'mlpx';

export type DatasetName = 'xor' | 'circles' | 'gaussians' | 'spirals' | 'custom';
export const DATASETS: { name: DatasetName; label: string }[] = [
  { name: 'xor', label: 'XOR' },
  { name: 'circles', label: 'Circles' },
  { name: 'gaussians', label: 'Two Gaussians' },
  { name: 'spirals', label: 'Spirals' },
  { name: 'custom', label: 'Your points' },
];

/** points (x, y) interleaved and one label per point */
export interface Points {
  xy: Float32Array;
  labels: Uint8Array;
  count: number;
}

export const EXTENT = 6;
const RADIUS = 5;

function collect(count: number, point: (i: number) => [number, number, number]): Points {
  const xy = new Float32Array(2 * count);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const [x, y, label] = point(i);
    xy[2 * i] = x;
    xy[2 * i + 1] = y;
    labels[i] = label;
  }
  return { xy, labels, count };
}

/** `count` points of a generated set; noise in [0, 0.5] as in TensorFlow Playground. */
export function generate(name: Exclude<DatasetName, 'custom'>, count: number, noise: number, seed: number): Points {
  const random = new Random(seed);
  const u = (low: number, high: number) => random.uniform(low, high);
  switch (name) {
    case 'circles':
      return collect(count, (i) => {
        const inner = i < count / 2;
        const r = inner ? u(0, RADIUS * 0.5) : u(RADIUS * 0.7, RADIUS);
        const angle = u(0, 2 * Math.PI);
        const x = r * Math.sin(angle);
        const y = r * Math.cos(angle);
        // as in TensorFlow Playground: noise moves the point the label is taken from, not the point
        const label = Math.hypot(x + u(-RADIUS, RADIUS) * noise, y + u(-RADIUS, RADIUS) * noise) < RADIUS * 0.5 ? 1 : 0;
        return [x, y, label];
      });
    case 'xor':
      return collect(count, () => {
        const padding = 0.3;
        let x = u(-5, 5);
        let y = u(-5, 5);
        x += x > 0 ? padding : -padding;
        y += y > 0 ? padding : -padding;
        const label = (x + u(-5, 5) * noise) * (y + u(-5, 5) * noise) >= 0 ? 1 : 0;
        return [x, y, label];
      });
    case 'gaussians': {
      const spread = 0.5 + (4 - 0.5) * (noise / 0.5);
      return collect(count, (i) => {
        const label = i < count / 2 ? 1 : 0;
        const centre = label === 1 ? 2 : -2;
        return [centre + Math.sqrt(spread) * random.normal(), centre + Math.sqrt(spread) * random.normal(), label];
      });
    }
    case 'spirals': {
      const half = Math.ceil(count / 2);
      return collect(count, (i) => {
        const label = i < half ? 1 : 0;
        const k = label === 1 ? i : i - half;
        const r = (k / half) * RADIUS;
        const t = ((1.75 * k) / half) * 2 * Math.PI + (label === 1 ? 0 : Math.PI);
        return [r * Math.sin(t) + u(-1, 1) * noise, r * Math.cos(t) + u(-1, 1) * noise, label];
      });
    }
  }
}

/** Split points into training and test sets by a seeded shuffle. */
export function split(points: Points, trainFraction: number, seed: number): { train: Points; test: Points } {
  const order = new Random(seed ^ 0x9e3779b9).shuffle(Uint32Array.from({ length: points.count }, (_, i) => i));
  const trainCount = Math.round(points.count * trainFraction);
  const pick = (indices: Uint32Array) => collect(indices.length, (i) => {
    const j = indices[i]!;
    return [points.xy[2 * j]!, points.xy[2 * j + 1]!, points.labels[j]!];
  });
  return { train: pick(order.subarray(0, trainCount)), test: pick(order.subarray(trainCount)) };
}
