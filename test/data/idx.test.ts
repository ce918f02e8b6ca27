// IDX parsing: valid files (raw and gzip), and truncated, foreign, inconsistent or inflating ones.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadMnist, parseIdx, readIdxFile } from '../../src/index.js';
import { IdxReader } from '../../src/data/idx.js';
import { DataError, FileError, FormatError, InvalidArgumentError } from '../../src/util/errors.js';
import { HAVE_MNIST, MNIST_DIR } from '../helpers/mnist.js';

function idx(dims: number[], values: number[]): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  header.set([0, 0, 0x08, dims.length]);
  const view = new DataView(header.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  return Uint8Array.from([...header, ...values]);
}

const dir = mkdtempSync(join(tmpdir(), 'mlpx-idx-'));

function writeMnistFolder(name: string, images: Uint8Array, labels: Uint8Array, testImages = images): string {
  const folder = join(dir, name);
  mkdirSync(folder);
  writeFileSync(join(folder, 'train-images-idx3-ubyte.gz'), gzipSync(images));
  writeFileSync(join(folder, 'train-labels-idx1-ubyte'), labels);
  writeFileSync(join(folder, 't10k-images-idx3-ubyte'), testImages);
  writeFileSync(join(folder, 't10k-labels-idx1-ubyte.gz'), gzipSync(labels));
  return folder;
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Bytes of array buffers allocated by `run` and still held when it settles (collected first). */
async function bufferGrowth(run: () => Promise<unknown>): Promise<number> {
  gc();
  const before = process.memoryUsage().arrayBuffers;
  await run().catch(() => {});
  return process.memoryUsage().arrayBuffers - before;
}

describe('IDX files', () => {
  it('reads raw and gzip files into [0, 1] pixels and labels', async () => {
    const folder = writeMnistFolder('ok', idx([2, 2, 2], [0, 51, 102, 255, 255, 0, 0, 0]), idx([2], [7, 3]));
    const data = await loadMnist(folder);
    expect(data.train.rows).toBe(2);
    expect(data.train.features).toBe(4);
    expect(data.train.x).toEqual(Float32Array.of(0, 0.2, 0.4, 1, 1, 0, 0, 0));
    expect(Array.from(data.test.labels)).toEqual([7, 3]);
  });

  it('rejects truncated, foreign, corrupt and inconsistent files, naming the file', async () => {
    const cases: [string, Uint8Array, RegExp][] = [
      ['truncated.idx', idx([3, 2, 2], [1, 2, 3]), /promises 3×2×2 = 12 values but the file has 3 \(truncated\)/],
      ['foreign.idx', new TextEncoder().encode('PK\u0003\u0004 zip'), /not an IDX file/],
      ['float.idx', Uint8Array.of(0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0), /type 0x0d is not supported/],
      ['short.idx', Uint8Array.of(0, 0), /too short/],
      ['header.idx', Uint8Array.of(0, 0, 8, 3, 0, 0), /truncated IDX header/],
      ['bad.gz', Uint8Array.of(0x1f, 0x8b, 8, 0, 1, 2, 3), /corrupt gzip/],
    ];
    for (const [name, bytes, message] of cases) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      await expect(readIdxFile(path)).rejects.toThrow(FormatError);
      await expect(readIdxFile(path)).rejects.toThrow(message);
      await expect(readIdxFile(path)).rejects.toThrow(path);
    }
    const mismatched = writeMnistFolder('mismatch', idx([2, 1, 1], [1, 2]), idx([3], [1, 2, 3]));
    await expect(loadMnist(mismatched)).rejects.toThrow(/2 images but 3 labels/);
    await expect(loadMnist(join(dir, 'absent'))).rejects.toThrow(DataError);
  });

  it('stop decompressing as soon as the data outgrows what the header promises', async () => {
    const tenValues = idx([10], []);
    const inflated = new Uint8Array(64 * 1024 * 1024);
    inflated.set(tenValues);
    const bomb = gzipSync(inflated);
    const path = join(dir, 'bomb.gz');
    writeFileSync(path, bomb);
    await expect(readIdxFile(path)).rejects.toThrow(FormatError);
    await expect(readIdxFile(path)).rejects.toThrow(/promises 10 = 10 values but the file has more \(\d+ so far\)/);
    // the whole 64 MiB would be held if it were inflated before the header is checked
    const held: Promise<unknown>[] = [];
    const growth = await bufferGrowth(async () => { for (let i = 0; i < 4; i++) held.push(readIdxFile(path).catch((e: unknown) => e)); await Promise.all(held); });
    expect(growth).toBeLessThan(4 * 1024 * 1024);
  });

  it('refuse headers that promise more values than an array holds, and name the file', async () => {
    const path = join(dir, 'huge.idx');
    writeFileSync(path, idx([65536, 65536, 2], [1, 2, 3]));
    await expect(readIdxFile(path)).rejects.toThrow(`${path}: IDX header promises 65536×65536×2 values, more than the 4294967296 one array can hold`);
    expect(() => parseIdx(idx([4294967295, 4294967295, 4294967295, 4294967295], []), 'x')).toThrow(FormatError);
    expect(() => parseIdx(idx(Array<number>(255).fill(7), []), 'x')).toThrow('x: IDX header promises 7×7×7×7×…×7 (255 dimensions) values, more than');
  });

  it('compare the values a gzip stream holds with the header: too few and too many', async () => {
    const cases: [string, Uint8Array, RegExp][] = [
      ['short.idx.gz', gzipSync(idx([2, 3], [1, 2, 3, 4])), /promises 2×3 = 6 values but the file has 4 \(truncated\)/],
      ['long.idx.gz', gzipSync(idx([2, 3], [1, 2, 3, 4, 5, 6, 7])), /promises 2×3 = 6 values but the file has more/],
      ['cut.gz', gzipSync(idx([2, 3], [1, 2, 3, 4, 5, 6])).subarray(0, 20), /corrupt gzip data/],
    ];
    for (const [name, bytes, message] of cases) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      await expect(readIdxFile(path)).rejects.toThrow(FormatError);
      await expect(readIdxFile(path)).rejects.toThrow(message);
    }
    writeFileSync(join(dir, 'ok.idx.gz'), gzipSync(idx([2, 3], [1, 2, 3, 4, 5, 6])));
    const ok = await readIdxFile(join(dir, 'ok.idx.gz'));
    expect([ok.dims, [...ok.data]]).toEqual([[2, 3], [1, 2, 3, 4, 5, 6]]);
  });

  it('read the same array however the bytes are split into pieces', () => {
    const bytes = idx([3, 2, 2], [...Array(12).keys()]);
    for (const piece of [1, 3, 5, 7, 100]) {
      const reader = new IdxReader('pieces');
      for (let at = 0; at < bytes.length; at += piece) reader.push(bytes.subarray(at, at + piece));
      expect(reader.end()).toEqual(parseIdx(bytes, 'whole'));
    }
  });

  it('report missing or unreadable files as FileErrors and bad arguments as InvalidArgumentErrors', async () => {
    await expect(readIdxFile(join(dir, 'absent.idx'))).rejects.toThrow(FileError);
    await expect(readIdxFile(join(dir, 'absent.idx'))).rejects.toThrow(`could not read ${join(dir, 'absent.idx')} (ENOENT`);
    await expect(readIdxFile(dir)).rejects.toThrow(FileError);
    for (const bytes of [null, undefined, 'idx', [0, 0, 8, 1], new ArrayBuffer(8)]) expect(() => parseIdx(bytes as unknown as Uint8Array, 'x')).toThrow(InvalidArgumentError);
    expect(() => parseIdx(idx([1], [5]), 7 as unknown as string)).toThrow(InvalidArgumentError);
    expect(parseIdx(idx([1], [5])).dims).toEqual([1]);
    await expect(readIdxFile(null as unknown as string)).rejects.toThrow(InvalidArgumentError);
    await expect(loadMnist(42 as unknown as string)).rejects.toThrow(InvalidArgumentError);
  });

  it('refuse train and test images of different sizes, naming the test file, when loading', async () => {
    const folder = writeMnistFolder('widths', idx([2, 2, 2], [...Array(8).keys()]), idx([2], [1, 2]), idx([2, 3, 3], [...Array(18).keys()]));
    await expect(loadMnist(folder)).rejects.toThrow(FormatError);
    await expect(loadMnist(folder)).rejects.toThrow(`${join(folder, 't10k-images-idx3-ubyte')}: test images are 3×3 but the training images (${join(folder, 'train-images-idx3-ubyte.gz')}) are 2×2`);
  });

  it.runIf(HAVE_MNIST)('reads the real MNIST distribution files', async () => {
    const mnist = await loadMnist(MNIST_DIR);
    expect([mnist.train.rows, mnist.test.rows, mnist.train.features]).toEqual([60_000, 10_000, 784]);
    expect(Array.from(mnist.train.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]); // the well-known first labels
    expect(Math.max(...mnist.train.x.subarray(0, 784))).toBe(1);
  });
});
