// `mlpx import`: an ONNX file or a TF.js layers model (its folder, or its model.json) as an mlpx
// model file, ready to train further or to run with `mlpx predict`.
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { LossName } from '../backend/kernels.js';
import { Network } from '../nn/network.js';
import { fileStorage } from '../nn/storage.js';
import { FormatError } from '../util/errors.js';
import { TFJS_MODEL_FILE, type ModelFormat } from './export.js';

export async function importCommand(options: { format: ModelFormat; in: string; out: string; loss?: LossName }): Promise<void> {
  await fileStorage().checkWritable(options.out);
  const backend = { backend: 'js' as const, loss: options.loss };
  const net = options.format === 'onnx'
    ? await Network.fromOnnx(await fileStorage().read(options.in), backend, options.in)
    : await readTfjs(options.in, backend);
  await net.save(options.out);
  process.stderr.write(`${net}\nsaved to ${options.out}\n`);
}

async function readTfjs(path: string, options: { backend: 'js'; loss?: LossName }): Promise<Network> {
  const isFolder = await stat(path).then((s) => s.isDirectory(), () => false);
  const modelPath = isFolder ? join(path, TFJS_MODEL_FILE) : path;
  let modelJson: { weightsManifest?: { paths?: unknown }[] };
  try {
    modelJson = JSON.parse(new TextDecoder().decode(await fileStorage().read(modelPath)));
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new FormatError(`${modelPath}: not JSON (${error.message})`);
  }
  // the weight files, in manifest order, concatenated: the layout fromTfjs reads
  const paths = (Array.isArray(modelJson?.weightsManifest) ? modelJson.weightsManifest : []).flatMap((group) => (Array.isArray(group?.paths) ? group.paths : []));
  const parts = await Promise.all(paths.map((p) => {
    if (typeof p !== 'string' || p.includes('/') || p.includes('\\')) throw new FormatError(`${modelPath}: weight file ${JSON.stringify(p)} is not a file name beside model.json`);
    return fileStorage().read(join(dirname(modelPath), p));
  }));
  const weights = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    weights.set(part, offset);
    offset += part.length;
  }
  return Network.fromTfjs(modelJson, weights, options);
}
