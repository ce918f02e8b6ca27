// CSV and .npy input: golden files (a BOM, CRLF, quoted fields, empty lines, a field spanning two
// lines; .npy files written by numpy itself), every bad-input case with its message, and the same
// results from a file stream and from a string.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv, parseNpy, readCsvFile, readNpyFile } from '../../src/index.js';
import { DataError, FileError, FormatError } from '../../src/util/errors.js';

const fixtures = resolve(import.meta.dirname, '../fixtures');
const csvFixture = (name: string) => join(fixtures, 'csv', name);
const npyFixture = (name: string) => join(fixtures, 'npy', name);
const dir = mkdtempSync(join(tmpdir(), 'mlpx-tabular-'));

describe('CSV golden files', () => {
  it('reads a BOM, CRLF line ends, quoted names and values, escaped quotes and empty lines', async () => {
    const table = await readCsvFile(csvFixture('classes-bom-crlf.csv'), { target: 'label, name' });
    expect(table.features).toEqual(['x 1', 'x2']);
    expect(table.target).toBe('label, name');
    expect(Array.from(table.x)).toEqual([1.5, -2, 3, 0.4000000059604645, -0.25, 7]);
    expect(table.classes).toEqual(['cat', 'dog "big"']);
    expect(Array.from(table.y!)).toEqual([0, 1, 0]);
    expect(table.rows).toBe(3);
  });

  it('reads a numeric target as regression values', async () => {
    const table = await readCsvFile(csvFixture('regression-lf.csv'), { target: 'price' });
    expect(table.classes).toBeNull();
    expect(table.y).toBeInstanceOf(Float32Array);
    expect(Array.from(table.y!)).toEqual([10.5, -3, 100]);
    expect(Array.from(table.x)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('reads numeric class labels as classes when asked, in numeric order', async () => {
    const table = await parseCsv('a,k\n1,10\n2,9\n3,10\n4,2\n', { target: 'k', targetKind: 'classes' });
    expect(table.classes).toEqual(['2', '9', '10']);
    expect(Array.from(table.y!)).toEqual([2, 1, 2, 0]);
  });

  it('picks and orders feature columns by name, and reads without a target', async () => {
    const picked = await readCsvFile(csvFixture('multiline-field.csv'), { target: 'label', features: ['f'] });
    expect(Array.from(picked.x)).toEqual([1, 2, 3]);
    expect(picked.classes).toEqual(['maybe?', 'no', 'yes']);
    const reordered = await readCsvFile(csvFixture('regression-lf.csv'), { features: ['c', 'a'] });
    expect(Array.from(reordered.x)).toEqual([3, 1, 6, 4, 9, 7]);
    expect(reordered.y).toBeNull();
  });

  it('gives the same table from a string as from the file', async () => {
    for (const [name, target] of [['classes-bom-crlf.csv', 'label, name'], ['regression-lf.csv', 'price']] as const) {
      const text = readFileSync(csvFixture(name), 'utf8');
      expect(await parseCsv(text, { target })).toEqual(await readCsvFile(csvFixture(name), { target }));
    }
  });
});

describe('CSV bad input: a DataError naming the file, row and column', () => {
  const cases: [string, string, Record<string, unknown>, RegExp][] = [
    ['non-numeric cell', 'a,b,y\n1,2,p\n3,abc,q\n', { target: 'y' }, /bad\.csv: row 2 \(line 3\), column 'b': 'abc' is not a number$/],
    ['hex is text in a CSV', 'a,y\n0x1f,p\n1,q\n', { target: 'y' }, /row 1 \(line 2\), column 'a': '0x1f' is not a number$/],
    ['empty cell', 'a,b,y\n1,,p\n', { target: 'y' }, /row 1 \(line 2\), column 'b': the cell is empty$/],
    ['NaN feature', 'a,b,y\n1,2,p\n1,NaN,q\n', { target: 'y' }, /row 2 \(line 3\), column 'b': the value is NaN$/],
    ['infinite feature', 'a,y\n-Infinity,p\n', { target: 'y' }, /row 1 \(line 2\), column 'a': the value is -Infinity \(not finite\)$/],
    ['NaN target', 'a,y\n1,2\n2,nan\n', { target: 'y' }, /row 2 \(line 3\), column 'y': the target is nan$/],
    ['empty target', 'a,y\n1,\n', { target: 'y' }, /row 1 \(line 2\), column 'y': the target is empty$/],
    ['ragged row (short)', 'a,b,y\n1,2,p\n\n3,4\n', { target: 'y' }, /bad\.csv: row 2 \(line 4\) has 2 fields; the header has 3$/],
    ['ragged row (long)', 'a,y\n1,p,extra\n', { target: 'y' }, /row 1 \(line 2\) has 3 fields; the header has 2$/],
    ['missing target column', 'a,b\n1,2\n', { target: 'label' }, /bad\.csv: target column 'label' not found; the columns are 'a', 'b'$/],
    ['missing feature column', 'a,b,y\n1,2,p\n', { target: 'y', features: ['a', 'c'] }, /feature column 'c' not found; the columns are 'a', 'b', 'y'$/],
    ['target as a feature', 'a,y\n1,p\n', { target: 'y', features: ['a', 'y'] }, /column 'y' is the target; it cannot be a feature too$/],
    ['duplicate header name', 'a,a,y\n1,2,p\n', { target: 'y' }, /header names column 'a' twice \(columns 1 and 2\)$/],
    ['unnamed header column', 'a,,y\n1,2,p\n', { target: 'y' }, /header column 2 has no name$/],
    ['empty file', '', { target: 'y' }, /bad\.csv: the file is empty \(no header row\)$/],
    ['only empty lines', '\n\n\n', { target: 'y' }, /bad\.csv: the file is empty \(no header row\)$/],
    ['header without rows', 'a,y\r\n', { target: 'y' }, /bad\.csv: the header has no data rows after it$/],
    ['one class', 'a,y\n1,p\n2,p\n', { target: 'y' }, /target column 'y' has only one class \('p'\); a classifier needs two or more$/],
    ['names where numbers are required', 'a,y\n1,p\n2,q\n', { target: 'y', targetKind: 'numbers' }, /target column 'y' holds names, not numbers$/],
    ['unclosed quote', 'a,y\n1,"p\n', { target: 'y' }, /bad\.csv: line 2: Quote Not Closed/],
  ];
  it.each(cases)('%s', async (_name, text, options, message) => {
    const path = join(dir, 'bad.csv');
    writeFileSync(path, text);
    const error = await readCsvFile(path, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(message);
    // the same message (with the string's source name) from a string
    const fromString = await parseCsv(text, { ...options, source: 'bad.csv' }).catch((e: unknown) => e);
    expect((fromString as Error).message).toBe((error as Error).message.replace(path, 'bad.csv'));
  });

  it('reports the line a record ends on when a quoted field spans lines', async () => {
    const error = await parseCsv('a,note,y\n1,"two\nlines",p\nx,plain,q\n', { target: 'y', features: ['a'], source: 'f.csv' }).catch((e: unknown) => e);
    expect((error as Error).message).toBe("f.csv: row 2 (line 4), column 'a': 'x' is not a number");
  });

  it('a missing file is a FileError naming it', async () => {
    await expect(readCsvFile(join(dir, 'absent.csv'), { target: 'y' })).rejects.toThrow(FileError);
    await expect(readCsvFile(join(dir, 'absent.csv'), { target: 'y' })).rejects.toThrow(`could not read ${join(dir, 'absent.csv')} (ENOENT`);
    await expect(readCsvFile(dir, { target: 'y' })).rejects.toThrow('(not a regular file)');
  });
});

describe('.npy files written by numpy', () => {
  const expected = Array.from({ length: 12 }, (_, i) => (i - 5) / 4);
  it.each(['f4.npy', 'f8.npy', 'f4-big-endian.npy', 'f4-v2.npy'])('%s: 4 × 3 values', async (name) => {
    const array = await readNpyFile(npyFixture(name));
    expect(array.shape).toEqual([4, 3]);
    expect(Array.from(array.data)).toEqual(expected);
  });

  it('uint8 values and a 1-D label vector', async () => {
    expect(Array.from((await readNpyFile(npyFixture('u1.npy'))).data)).toEqual(Array.from({ length: 12 }, (_, i) => 20 * i));
    const labels = await readNpyFile(npyFixture('labels-u1.npy'));
    expect(labels.shape).toEqual([4]);
    expect(Array.from(labels.data)).toEqual([0, 1, 2, 1]);
  });

  it('refuses what it cannot read, naming the file and the reason', async () => {
    const cases: [string, typeof FormatError | typeof DataError, RegExp][] = [
      ['fortran.npy', FormatError, /fortran\.npy: the array is in Fortran order; save it in C order/],
      ['rank3.npy', FormatError, /shape \(2, 2, 2\) has 3 dimensions; mlpx reads 1 \(a vector\) or 2/],
      ['i8.npy', FormatError, /dtype '<i8' is not supported/],
      ['nan.npy', DataError, /nan\.npy: row 2, column 1 is NaN$/],
    ];
    for (const [name, type, message] of cases) {
      const error = await readNpyFile(npyFixture(name)).catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(type);
      expect((error as Error).message, name).toMatch(message);
    }
  });

  it('refuses damaged bytes before reading values', () => {
    const good = new Uint8Array(readFileSync(npyFixture('f4.npy')));
    const text = new TextEncoder();
    const withHeader = (header: string) => {
      const h = text.encode(header);
      const bytes = new Uint8Array(10 + h.length + 48);
      bytes.set(good.subarray(0, 8));
      new DataView(bytes.buffer).setUint16(8, h.length, true);
      bytes.set(h, 10);
      return bytes;
    };
    const cases: [Uint8Array, RegExp][] = [
      [good.subarray(0, good.length - 4), /shape \(4, 3\) of <f4 needs 48 bytes of data but the file has 44/],
      [Uint8Array.from([...good, 0, 0, 0, 0]), /needs 48 bytes of data but the file has 52/],
      [text.encode('not numpy at all'), /not a \.npy file/],
      [Uint8Array.from(good, (b, i) => (i === 6 ? 9 : b)), /format version 9\.0 is not supported/],
      [withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 3), '__import__': 1}"), /unreadable header/],
      [withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (4, x), }"), /shape \(4, x\) is not a tuple of sizes/],
      [withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999, 99999999), }"), /shape \(99999999, 99999999\) of <f4 needs \d+ bytes of data but the file has 48/],
    ];
    for (const [bytes, message] of cases) {
      expect(() => parseNpy(bytes, 'x.npy')).toThrow(FormatError);
      expect(() => parseNpy(bytes, 'x.npy')).toThrow(message);
    }
  });
});
