// The input features a network sees for a point (x₁, x₂), as in TensorFlow Playground.
export type FeatureId = 'x' | 'y' | 'x2' | 'y2' | 'xy' | 'sinx' | 'siny';

export const FEATURES: { id: FeatureId; label: string; of: (x: number, y: number) => number }[] = [
  { id: 'x', label: 'x₁', of: (x) => x },
  { id: 'y', label: 'x₂', of: (_x, y) => y },
  { id: 'x2', label: 'x₁²', of: (x) => x * x },
  { id: 'y2', label: 'x₂²', of: (_x, y) => y * y },
  { id: 'xy', label: 'x₁x₂', of: (x, y) => x * y },
  { id: 'sinx', label: 'sin(x₁)', of: (x) => Math.sin(x) },
  { id: 'siny', label: 'sin(x₂)', of: (_x, y) => Math.sin(y) },
];

/** rows × features: each point's chosen features, in FEATURES order. */
export function expand(xy: Float32Array, ids: readonly FeatureId[]): Float32Array {
  const chosen = FEATURES.filter((f) => ids.includes(f.id));
  const rows = xy.length / 2;
  const out = new Float32Array(rows * chosen.length);
  for (let r = 0; r < rows; r++) {
    chosen.forEach((feature, c) => { out[r * chosen.length + c] = feature.of(xy[2 * r]!, xy[2 * r + 1]!); });
  }
  return out;
}

/** The points of a side × side grid over [−extent, extent]², row 0 at the top (largest x₂). */
export function gridPoints(side: number, extent: number): Float32Array {
  const xy = new Float32Array(2 * side * side);
  for (let row = 0; row < side; row++) {
    for (let col = 0; col < side; col++) {
      const i = row * side + col;
      xy[2 * i] = -extent + ((col + 0.5) / side) * 2 * extent;
      xy[2 * i + 1] = extent - ((row + 0.5) / side) * 2 * extent;
    }
  }
  return xy;
}
