// Colours: class 0 orange, class 1 blue (as in TensorFlow Playground), and the diverging scale
// between them that maps, weights and unit outputs are drawn in.
export const CLASS_COLORS = ['#f59322', '#0877bd'] as const;
export const SERIES_COLORS = ['#0877bd', '#f59322', '#2ca02c', '#9467bd', '#d62728', '#8c564b'] as const;

const NEGATIVE = [245, 147, 34];
const POSITIVE = [8, 119, 189];
const MIDDLE = [232, 234, 235];

/** RGB for v in [−1, 1] (clamped): orange through light grey to blue. */
export function diverging(v: number, out: Uint8ClampedArray, at: number): void {
  const t = Math.max(-1, Math.min(1, Number.isFinite(v) ? v : 0));
  const end = t < 0 ? NEGATIVE : POSITIVE;
  const s = Math.abs(t);
  out[at] = MIDDLE[0]! + (end[0]! - MIDDLE[0]!) * s;
  out[at + 1] = MIDDLE[1]! + (end[1]! - MIDDLE[1]!) * s;
  out[at + 2] = MIDDLE[2]! + (end[2]! - MIDDLE[2]!) * s;
  out[at + 3] = 255;
}

/** A CSS colour for v in [−1, 1]. */
export function divergingCss(v: number): string {
  const rgb = new Uint8ClampedArray(4);
  diverging(v, rgb, 0);
  return `rgb(${rgb[0]},${rgb[1]},${rgb[2]})`;
}

/** RGB for t in [0, 1] on a perceptually ordered dark-to-light scale (viridis, piecewise linear). */
const VIRIDIS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
export function sequential(t: number, out: Uint8ClampedArray, at: number): void {
  const x = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  for (let c = 0; c < 3; c++) out[at + c] = VIRIDIS[i]![c]! + (VIRIDIS[i + 1]![c]! - VIRIDIS[i]![c]!) * f;
  out[at + 3] = 255;
}

/** RGB for t in [0, 1] from near white to mid blue: a light background for paths drawn over it. */
export function light(t: number, out: Uint8ClampedArray, at: number): void {
  const s = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 1));
  out[at] = 250 - (250 - 107) * s;
  out[at + 1] = 251 - (251 - 158) * s;
  out[at + 2] = 255 - (255 - 200) * s;
  out[at + 3] = 255;
}
