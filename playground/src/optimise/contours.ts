// Contour lines of a grid of values by marching squares: for each level, the segments where the
// surface crosses it, interpolated linearly along the cell edges.

/** Segments [x1, y1, x2, y2] in grid coordinates (column, row; cell centres at integers). */
export function contourSegments(values: ArrayLike<number>, side: number, level: number): number[] {
  const out: number[] = [];
  const at = (r: number, c: number) => values[r * side + c]!;
  const cross = (a: number, b: number) => (level - a) / (b - a);
  for (let r = 0; r + 1 < side; r++) {
    for (let c = 0; c + 1 < side; c++) {
      const tl = at(r, c), tr = at(r, c + 1), br = at(r + 1, c + 1), bl = at(r + 1, c);
      const code = (tl > level ? 8 : 0) | (tr > level ? 4 : 0) | (br > level ? 2 : 0) | (bl > level ? 1 : 0);
      if (code === 0 || code === 15) continue;
      const top = [c + cross(tl, tr), r];
      const right = [c + 1, r + cross(tr, br)];
      const bottom = [c + cross(bl, br), r + 1];
      const left = [c, r + cross(tl, bl)];
      const pairs: number[][][] = {
        1: [[left, bottom]], 2: [[bottom, right]], 3: [[left, right]], 4: [[top, right]],
        5: [[left, top], [bottom, right]], 6: [[top, bottom]], 7: [[left, top]], 8: [[left, top]],
        9: [[top, bottom]], 10: [[left, bottom], [top, right]], 11: [[top, right]], 12: [[left, right]],
        13: [[bottom, right]], 14: [[left, bottom]],
      }[code]!;
      for (const [a, b] of pairs) out.push(a![0]!, a![1]!, b![0]!, b![1]!);
    }
  }
  return out;
}

/** `count` levels spaced evenly in log between the smallest and largest value. */
export function logLevels(values: ArrayLike<number>, count: number): number[] {
  let low = Infinity, high = -Infinity;
  for (let i = 0; i < values.length; i++) {
    low = Math.min(low, values[i]!);
    high = Math.max(high, values[i]!);
  }
  const a = Math.log(Math.max(low, 1e-12) * 1.02);
  const b = Math.log(high);
  return Array.from({ length: count }, (_, i) => Math.exp(a + ((i + 0.5) / count) * (b - a)));
}
