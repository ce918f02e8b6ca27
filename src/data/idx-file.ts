// Reading IDX files from disk (Node only): gzip or raw, and the four-file MNIST layout.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DataError, FormatError } from '../util/errors.js';
import { imagesWithLabels, parseIdx, type IdxArray, type LabelledImages } from './idx.js';

export async function readIdxFile(path: string): Promise<IdxArray> {
  let bytes: Uint8Array = await readFile(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new FormatError(`${path}: corrupt gzip data (${(error as Error).message})`);
    }
  }
  return parseIdx(bytes, path);
}

const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

function findFile(dir: string, base: string): string {
  for (const name of [`${base}.gz`, base]) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  throw new DataError(`${dir}: missing ${base}(.gz); an MNIST-style folder holds ${Object.values(MNIST_FILES).join(', ')} (raw or .gz)`);
}

export interface MnistData {
  readonly train: LabelledImages;
  readonly test: LabelledImages;
}

/** Load an MNIST-style folder (MNIST, Fashion-MNIST): four IDX files, raw or gzip. */
export async function loadMnist(dir: string): Promise<MnistData> {
  if (!existsSync(dir)) throw new DataError(`data folder ${dir} does not exist`);
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(
    Object.values(MNIST_FILES).map((base) => readIdxFile(findFile(dir, base))),
  );
  return {
    train: imagesWithLabels(trainImages!, trainLabels!, `${dir} (train)`),
    test: imagesWithLabels(testImages!, testLabels!, `${dir} (t10k)`),
  };
}
