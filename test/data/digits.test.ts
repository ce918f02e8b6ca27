// The shipped digits (dist/data/digits.br, built by scripts/build-digits.mjs) against their
// source, the `mnist` package: every row, label and pixel, within the 16-level quantisation.
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { brotliDecompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadDigits, readDigits } from '../../src/data/digits.js';
import { FormatError, InvalidArgumentError, parseDigits } from '../../src/index.js';

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

describe('parseDigits (the decoder browsers use, on bytes they decompressed)', () => {
  const raw = brotliDecompressSync(readFileSync(new URL('../../dist/data/digits.br', import.meta.url)));

  it('gives the split loadDigits gives', () => {
    const parsed = parseDigits(raw, 0.2, 3);
    const loaded = loadDigits(0.2, 3);
    expect(parsed.train.rows).toBe(8000);
    expect(parsed.test.labels).toEqual(loaded.test.labels);
    expect(parsed.train.labels).toEqual(loaded.train.labels);
    // byte comparison: a deep equal of 6 million floats takes a minute
    expect(Buffer.compare(Buffer.from(parsed.test.x.buffer), Buffer.from(loaded.test.x.buffer))).toBe(0);
    expect(Buffer.compare(Buffer.from(parsed.train.x.buffer), Buffer.from(loaded.train.x.buffer))).toBe(0);
  });

  it('refuses compressed, truncated and corrupt bytes with a FormatError that says what is wrong', () => {
    const compressed = readFileSync(new URL('../../dist/data/digits.br', import.meta.url));
    expect(() => parseDigits(compressed)).toThrow(FormatError);
    expect(() => parseDigits(compressed)).toThrow(/not an mlpx digits set.*decompressed first/);
    expect(() => parseDigits(raw.subarray(0, raw.length - 1))).toThrow(/10000 digits need 3930012 bytes, found 3930011/);
    expect(() => parseDigits(raw.subarray(0, 5))).toThrow(FormatError);
    const badLabel = Uint8Array.from(raw);
    badLabel[12 + 7] = 10;
    expect(() => parseDigits(badLabel)).toThrow(/digit 7 has label 10/);
  });

  it('refuses what is not bytes, and a test fraction outside [0, 1]', () => {
    expect(() => parseDigits([1, 2, 3] as unknown as Uint8Array)).toThrow(InvalidArgumentError);
    expect(() => parseDigits(raw, 1.5)).toThrow(/testFraction/);
  });
});
