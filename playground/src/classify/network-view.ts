// The network as TensorFlow Playground draws it: a column of nodes per layer, each node showing
// what it computes over the plane (the input features, every hidden unit's output, the network's
// output), and every weight a line whose thickness is its magnitude and whose colour its sign
// (blue positive, orange negative).
import { diverging } from '../shared/colors.js';
import { fitCanvas, paintGrid } from '../shared/heatmap.js';

export interface NetworkPicture {
  /** units per layer, inputs first, output last */
  sizes: number[];
  /** names of the input nodes */
  inputNames: string[];
  /** per layer after the inputs: its activation */
  activations: string[];
  /** maps per layer (inputs first; the output's are probabilities): grid values, units interleaved (unit j at point i is at i·units + j) */
  maps: Float32Array[];
  gridSide: number;
  /** flat parameters: per layer W (inputs × units, row-major) then b */
  weights: Float32Array;
}

const NODE = 38;

/** Node centres, per layer, for a canvas of the given size. */
function layout(sizes: number[], width: number, height: number): { x: number; y: number }[][] {
  const columns = sizes.length;
  const gapX = (width - NODE) / Math.max(1, columns - 1);
  return sizes.map((units, l) => {
    const gapY = Math.min(NODE + 14, (height - NODE) / Math.max(1, units - 1));
    const top = (height - (units - 1) * gapY) / 2;
    return Array.from({ length: units }, (_, j) => ({ x: NODE / 2 + l * gapX, y: top + j * gapY }));
  });
}

export function drawNetwork(canvas: HTMLCanvasElement, picture: NetworkPicture): void {
  const { width, height } = fitCanvas(canvas);
  const ctx = canvas.getContext('2d')!;
  ctx.clearRect(0, 0, width, height);
  const nodes = layout(picture.sizes, width, height - 14);
  let offset = 0;
  let largest = 1e-6;
  for (const w of picture.weights) largest = Math.max(largest, Math.abs(w));
  for (let l = 1; l < picture.sizes.length; l++) {
    const inputs = picture.sizes[l - 1]!;
    const units = picture.sizes[l]!;
    for (let i = 0; i < inputs; i++) {
      for (let j = 0; j < units; j++) {
        const w = picture.weights[offset + i * units + j]!;
        const from = nodes[l - 1]![i]!;
        const to = nodes[l]![j]!;
        ctx.strokeStyle = w >= 0 ? 'rgba(8, 119, 189, 0.75)' : 'rgba(245, 147, 34, 0.75)';
        ctx.lineWidth = 0.4 + 5 * Math.sqrt(Math.abs(w) / largest);
        ctx.beginPath();
        ctx.moveTo(from.x + NODE / 2, from.y);
        const mid = (from.x + to.x) / 2;
        ctx.bezierCurveTo(mid, from.y, mid, to.y, to.x - NODE / 2, to.y);
        ctx.stroke();
      }
    }
    offset += inputs * units + units;
  }
  const side = picture.gridSide;
  picture.sizes.forEach((units, l) => {
    const map = picture.maps[l]!;
    const isOutput = l === picture.sizes.length - 1;
    nodes[l]!.forEach((node, j) => {
      // outputs are probabilities, drawn as 2p − 1; other nodes scaled to their largest |value|
      let scale = 1e-6;
      for (let i = j; i < map.length; i += units) scale = Math.max(scale, Math.abs(map[i]!));
      const rect = { x: node.x - NODE / 2, y: node.y - NODE / 2, w: NODE, h: NODE };
      paintGrid(ctx, map, { width: side, height: side, offset: j, stride: units }, rect, diverging, isOutput ? (p) => 2 * p - 1 : (v) => v / scale);
      ctx.strokeStyle = '#444';
      ctx.lineWidth = 1;
      ctx.strokeRect(rect.x, rect.y, rect.w, rect.h);
    });
    ctx.fillStyle = '#333';
    ctx.font = '11px system-ui, sans-serif';
    const last = l === picture.sizes.length - 1;
    ctx.textAlign = l === 0 ? 'left' : last ? 'right' : 'center';
    const caption = l === 0 ? 'inputs' : last ? `output, ${picture.activations[l - 1]}` : `${units} ${picture.activations[l - 1]}`;
    ctx.fillText(caption, l === 0 ? 0 : last ? width : nodes[l]![0]!.x, height - 2);
  });
  ctx.textAlign = 'right';
  ctx.font = '11px system-ui, sans-serif';
  nodes[0]!.forEach((node, i) => {
    ctx.fillStyle = '#fff';
    ctx.fillRect(node.x - NODE / 2, node.y + NODE / 2 - 12, 30, 12);
    ctx.fillStyle = '#222';
    ctx.textAlign = 'left';
    ctx.fillText(picture.inputNames[i]!, node.x - NODE / 2 + 1, node.y + NODE / 2 - 2);
  });
}

/** Height the drawing needs for its widest layer. */
export function networkHeight(sizes: number[]): number {
  return Math.max(160, Math.max(...sizes) * (NODE + 14) + 20);
}
