// The shipped digits (dist/data/digits.br, built by scripts/build-digits.mjs) against their
// source, the `mnist` package: every row, label and pixel, within the 16-level quantisation.
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadDigits, readDigits } from '../../src/data/digits.js';

const FEATURES = 784;
const require = createRequire(import.meta.url);

describe('embedded digits', () => {
  const digits = readDigits();

  it('hold every digit of the mnist package, in order, each pixel its nearest of 16 grey levels', () => {
    let row = 0;
    let worst = 0;
    const mismatches: string[] = [];
    for (let digit = 0; digit < 10; digit++) {
      const source = (require(`mnist/src/digits/${digit}.json`) as { data: number[] }).data;
      const rows = source.length / FEATURES;
      expect(Array.from(new Set(digits.labels.subarray(row, row + rows)))).toEqual([digit]);
      for (let i = 0; i < source.length; i++) {
        const shipped = digits.x[row * FEATURES + i]!;
        const level = Math.round((Math.round(source[i]! * 255) * 15) / 255);
        if (shipped !== Math.fround(level / 15)) mismatches.push(`digit ${digit} pixel ${i}: ${shipped} for ${source[i]}`);
        worst = Math.max(worst, Math.abs(shipped - source[i]!));
      }
      row += rows;
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(row).toBe(digits.rows);
    expect(digits.rows).toBe(10_000);
    expect(worst).toBeLessThanOrEqual(8.5 / 255 + 5e-4);
  });

  it('ship in at most 1 MB', () => {
    expect(statSync(new URL('../../dist/data/digits.br', import.meta.url)).size).toBeLessThanOrEqual(1_000_000);
  });

  it('split by seed into disjoint train and test rows', () => {
    const a = loadDigits(0.2, 1);
    const b = loadDigits(0.2, 1);
    expect(a.test.rows).toBe(2000);
    expect(a.train.rows).toBe(8000);
    expect(a.test.labels).toEqual(b.test.labels);
    expect(loadDigits(0.2, 2).test.labels).not.toEqual(a.test.labels);
  });
});
