// Reading IDX files from disk (Node only): gzip or raw, and the four-file MNIST layout.
import { existsSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { fileError, requirePath } from '../io/file-errors.js';
import { DataError, FormatError, MlpxError } from '../util/errors.js';
import { IdxReader, imagesWithLabels, type IdxArray, type LabelledImages } from './idx.js';

const READ_CHUNK = 64 * 1024;

/**
 * Read an IDX file, raw or gzip. Gzip data is decompressed as a stream and checked against the
 * header as it arrives, so a small file cannot make mlpx decompress far more than it promises.
 */
export async function readIdxFile(path: string): Promise<IdxArray> {
  requirePath(path);
  const reader = new IdxReader(path);
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    const magic = new Uint8Array(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    const gzip = bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
    // read buffers no larger than the file: a tiny file should not cost two 64 KiB buffers
    const stats = await handle.stat();
    const file = handle.createReadStream({ start: 0, highWaterMark: stats.isFile() ? Math.max(1, Math.min(stats.size, READ_CHUNK)) : READ_CHUNK });
    handle = undefined; // the stream owns (and closes) it now
    const chunks: Readable = gzip ? pipeline(file, createGunzip(), () => {}) : file;
    try {
      for await (const chunk of chunks) reader.push(chunk as Buffer);
    } finally {
      chunks.destroy();
      file.destroy();
    }
  } catch (error) {
    await handle?.close().catch(() => {});
    if (error instanceof MlpxError) throw error;
    const { code, message } = error as NodeJS.ErrnoException;
    if (code?.startsWith('Z_') === true) throw new FormatError(`${path}: corrupt gzip data (${message})`);
    throw fileError('could not read', path, error);
  }
  return reader.end();
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
  requirePath(dir, 'dir');
  if (!existsSync(dir)) throw new DataError(`data folder ${dir} does not exist`);
  const paths = Object.values(MNIST_FILES).map((base) => findFile(dir, base));
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(paths.map(readIdxFile));
  const train = imagesWithLabels(trainImages!, trainLabels!, `${dir} (train)`);
  const test = imagesWithLabels(testImages!, testLabels!, `${dir} (t10k)`);
  // a network trained on one image size cannot be tested on another: say so before anyone trains
  const size = (images: IdxArray): string => images.dims.slice(1).join('×');
  if (test.features !== train.features) {
    throw new FormatError(`${paths[2]}: test images are ${size(testImages!)} but the training images (${paths[0]}) are ${size(trainImages!)}`);
  }
  return { train, test };
}
