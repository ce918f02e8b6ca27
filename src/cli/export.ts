// `mlpx export`: a saved model as ONNX (one file) or TF.js layers format (a folder holding
// model.json and weights.bin). Every file is written atomically.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileError } from '../io/file-errors.js';
import { WEIGHTS_FILE } from '../interop/tfjs.js';
import { Network } from '../nn/network.js';
import { fileStorage } from '../nn/storage.js';

export const MODEL_FORMATS = ['onnx', 'tfjs'] as const;
export type ModelFormat = (typeof MODEL_FORMATS)[number];
export const TFJS_MODEL_FILE = 'model.json';

export async function exportCommand(options: { model: string; format: ModelFormat; out: string }): Promise<void> {
  const net = await Network.load(options.model, { backend: 'js' });
  if (options.format === 'onnx') {
    await fileStorage().writeAtomic(options.out, await net.toOnnx());
    process.stderr.write(`wrote ${options.out} (ONNX, opset 13)\n`);
    return;
  }
  const { modelJson, weights } = net.toTfjs();
  await mkdir(options.out, { recursive: true }).catch((error: unknown) => {
    throw fileError('could not create folder', options.out, error);
  });
  // weights first: a model.json never points at weights that are not there yet
  await fileStorage().writeAtomic(join(options.out, WEIGHTS_FILE), weights);
  await fileStorage().writeAtomic(join(options.out, TFJS_MODEL_FILE), new TextEncoder().encode(JSON.stringify(modelJson)));
  process.stderr.write(`wrote ${join(options.out, TFJS_MODEL_FILE)} and ${WEIGHTS_FILE} (TF.js layers format)\n`);
}
