// The digits page's pictures: the first layer's weights as 28 × 28 images, the confusion matrix
// as a table, and a single image enlarged.
import { diverging } from '../shared/colors.js';
import { paintGrid } from '../shared/heatmap.js';

/** One tile per unit of the first layer: its 784 input weights as an image, scaled to its own largest |w|. */
export function drawWeightImages(canvas: HTMLCanvasElement, weights: Float32Array, units: number): void {
  const width = canvas.parentElement!.clientWidth;
  const tile = units <= 32 ? 56 : 42;
  const gap = 4;
  const columns = Math.max(1, Math.floor((width + gap) / (tile + gap)));
  const rows = Math.ceil(units / columns);
  canvas.style.width = `${columns * (tile + gap) - gap}px`;
  canvas.style.height = `${rows * (tile + gap) - gap}px`;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(parseFloat(canvas.style.width) * ratio);
  canvas.height = Math.round(parseFloat(canvas.style.height) * ratio);
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  for (let j = 0; j < units; j++) {
    let scale = 1e-12;
    for (let i = j; i < weights.length; i += units) scale = Math.max(scale, Math.abs(weights[i]!));
    const x = (j % columns) * (tile + gap);
    const y = Math.floor(j / columns) * (tile + gap);
    paintGrid(ctx, weights, { width: 28, height: 28, offset: j, stride: units }, { x, y, w: tile, h: tile }, diverging, (w) => w / scale, false);
  }
}

/** The test rows by true digit (rows) and predicted digit (columns), with per-digit accuracy. */
export function renderConfusion(table: HTMLTableElement, counts: Int32Array): void {
  let largestOff = 1;
  for (let t = 0; t < 10; t++) for (let p = 0; p < 10; p++) if (t !== p) largestOff = Math.max(largestOff, counts[t * 10 + p]!);
  const head = `<thead><tr><th scope="col">true ↓ predicted →</th>${Array.from({ length: 10 }, (_, p) => `<th scope="col">${p}</th>`).join('')}<th scope="col">correct</th></tr></thead>`;
  const body = Array.from({ length: 10 }, (_, t) => {
    let total = 0;
    for (let p = 0; p < 10; p++) total += counts[t * 10 + p]!;
    const cells = Array.from({ length: 10 }, (_, p) => {
      const n = counts[t * 10 + p]!;
      const shade = t === p ? `rgba(8, 119, 189, ${0.15 + 0.6 * (n / Math.max(1, total))})` : n === 0 ? 'transparent' : `rgba(245, 147, 34, ${0.15 + 0.75 * (n / largestOff)})`;
      return `<td style="background:${shade}">${n}</td>`;
    }).join('');
    const correct = total === 0 ? '–' : `${((counts[t * 11]! / total) * 100).toFixed(1)}%`;
    return `<tr><th scope="row">${t}</th>${cells}<td>${correct}</td></tr>`;
  }).join('');
  table.innerHTML = `${head}<tbody>${body}</tbody>`;
}

/** A 28 × 28 image (pixels in [0, 1]) enlarged into a canvas, pixelated. */
export function drawDigit(canvas: HTMLCanvasElement, pixels: Float32Array | null): void {
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  if (pixels === null) return;
  paintGrid(ctx, pixels, { width: 28, height: 28 }, { x: 0, y: 0, w: canvas.width, h: canvas.height }, (v, out, at) => {
    const g = Math.round(v * 255);
    out[at] = g; out[at + 1] = g; out[at + 2] = g; out[at + 3] = 255;
  }, (v) => v, false);
}
