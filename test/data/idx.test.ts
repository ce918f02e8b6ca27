// IDX parsing: valid files (raw and gzip), and truncated, foreign or inconsistent ones.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadMnist, readIdxFile } from '../../src/index.js';
import { FormatError, DataError } from '../../src/util/errors.js';
import { HAVE_MNIST, MNIST_DIR } from '../helpers/mnist.js';

function idx(dims: number[], values: number[]): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  header.set([0, 0, 0x08, dims.length]);
  const view = new DataView(header.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  return Uint8Array.from([...header, ...values]);
}

const dir = mkdtempSync(join(tmpdir(), 'mlpx-idx-'));

function writeMnistFolder(name: string, images: Uint8Array, labels: Uint8Array): string {
  const folder = join(dir, name);
  mkdirSync(folder);
  writeFileSync(join(folder, 'train-images-idx3-ubyte.gz'), gzipSync(images));
  writeFileSync(join(folder, 'train-labels-idx1-ubyte'), labels);
  writeFileSync(join(folder, 't10k-images-idx3-ubyte'), images);
  writeFileSync(join(folder, 't10k-labels-idx1-ubyte.gz'), gzipSync(labels));
  return folder;
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

  it.runIf(HAVE_MNIST)('reads the real MNIST distribution files', async () => {
    const mnist = await loadMnist(MNIST_DIR);
    expect([mnist.train.rows, mnist.test.rows, mnist.train.features]).toEqual([60_000, 10_000, 784]);
    expect(Array.from(mnist.train.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]); // the well-known first labels
    expect(Math.max(...mnist.train.x.subarray(0, 784))).toBe(1);
  });
});
