// ONNX Runtime (onnxruntime-node, its bundled CPU execution provider) running the ONNX model mlpx
// itself exports for the case's network and weights, on 1 and 2 intra-op threads. A call is one
// session.run from Node, result tensor included: what a Node program serving the model pays.
import { createRequire } from 'node:module';
import type * as Ort from 'onnxruntime-node';
import type { Contender, Runner } from '../harness.js';
import type { InferCase } from '../cases.js';
import { paramLayout, type NetSpec } from '../../src/backend/layout.js';
import { Activation, Loss, type ActivationName, type LossName } from '../../src/backend/kernels.js';
import { EMPTY_SCHEMA } from '../../src/nn/data-schema.js';
import { encodeOnnx, INPUT_NAME, OUTPUT_NAME } from '../../src/interop/onnx.js';
import { checkClose } from '../validate.js';
import { log } from '../log.js';

export function loadOrt(): typeof Ort | undefined {
  try {
    const require = createRequire(import.meta.url);
    const ort = require('onnxruntime-node') as typeof Ort;
    log(`onnxruntime-node ${(require('onnxruntime-node/package.json') as { version: string }).version}: loaded (CPU execution provider)`);
    return ort;
  } catch (error) {
    log(`note: onnxruntime-node not measured: ${(error as Error).message}`);
    return undefined;
  }
}

const nameOf = <T extends string>(table: Record<T, number>, id: number): T => (Object.keys(table) as T[]).find((k) => table[k] === id)!;

/** The case's network as mlpx exports it (Network.toOnnx's encoder on the same parameters). */
export function exportedModel(spec: NetSpec, params: Float32Array): Uint8Array {
  const architecture = {
    inputs: spec.sizes[0]!,
    layers: spec.activations.map((a, l) => ({ units: spec.sizes[l + 1]!, activation: nameOf<ActivationName>(Activation, a) })),
    loss: nameOf<LossName>(Loss, spec.loss),
  };
  return encodeOnnx({ architecture, params, layout: paramLayout(spec.sizes), schema: EMPTY_SCHEMA });
}

export class OrtInfer implements Contender<InferCase> {
  readonly impl = 'onnxruntime';
  readonly backend = 'cpu';
  constructor(private readonly ort: typeof Ort, readonly threads: number) {}

  async prepare(c: InferCase): Promise<Runner> {
    const session = await this.ort.InferenceSession.create(exportedModel(c.spec, c.params), {
      intraOpNumThreads: this.threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
    });
    const feeds = { [INPUT_NAME]: new this.ort.Tensor('float32', c.x, [c.batch, c.spec.sizes[0]!]) };
    const first = await session.run(feeds);
    checkClose(first[OUTPUT_NAME]!.data as Float32Array, c.reference, 1e-6, 1e-4, 'onnxruntime forward');
    return { run: () => session.run(feeds), dispose: () => session.release() };
  }
}
