// Engine over the addon's Net: parameters, gradients, optimizer state and workspace live in
// memory the Net owns for the network's lifetime; trainStep is one native call and trainEpoch
// runs every batch on a libuv worker thread, so the event loop stays free.
import type { BoundData, Engine } from '../engine.js';
import type { OptimizerId, OptimizerParams } from '../kernels.js';
import { packSpec, type NetSpec } from '../layout.js';
import { invalidArgument } from '../../util/errors.js';
import type { NativeAddon, NativeNet } from './load.js';

/**
 * The native engine reads the caller's arrays in place (no copy): they are pinned by the
 * running trainEpoch call, and must not be detached (transferred) while it runs.
 */
class NativeBoundData implements BoundData {
  #released = false;
  constructor(readonly x: Float32Array, readonly y: Float32Array, readonly rows: number) {}
  release(): void { this.#released = true; }
  get released(): boolean { return this.#released; }
}

export class NativeEngine implements Engine {
  readonly paramCount: number;
  readonly #net: NativeNet;
  /** forward()'s output, reused (and grown) from call to call. */
  #output = new Float32Array(0);

  constructor(readonly spec: NetSpec, addon: NativeAddon) {
    this.#net = new addon.Net(packSpec(spec));
    this.paramCount = this.#net.paramCount();
  }

  params(): Float32Array { return this.#net.params(); }
  grads(): Float32Array { return this.#net.grads(); }
  optimizerState(): Float32Array { return this.#net.optimizerState(); }
  setOptimizer(kind: OptimizerId): void { this.#net.setOptimizer(kind); }
  reserve(rows: number): void { this.#net.reserve(rows); }
  get capacity(): number { return this.#net.capacity(); }

  /**
   * Prediction (native/inference.cc): reads the weights in place and needs no training
   * workspace, so the result is never stale after a parameter change and batch 1 touches only
   * the weights. Bit-identical to the training step's forward pass.
   */
  forward(x: Float32Array, rows: number): Float32Array {
    const size = rows * this.spec.sizes[this.spec.sizes.length - 1]!;
    if (this.#output.length < size) this.#output = new Float32Array(size);
    const out = this.#output.subarray(0, size);
    this.#net.predict(x, rows, out);
    return out;
  }

  evaluate(x: Float32Array, y: Float32Array, rows: number, stats: Float64Array): void {
    this.#net.evaluate(x, y, rows, stats);
  }

  gradient(x: Float32Array, y: Float32Array, rows: number, stats: Float64Array): void {
    this.#net.gradient(x, y, rows, stats);
  }

  trainStep(x: Float32Array, y: Float32Array, rows: number, opt: OptimizerParams, step: number, stats: Float64Array): void {
    this.#net.trainStep(x, y, rows, opt.kind, opt.lr, opt.beta1, opt.beta2, opt.eps, step, stats);
  }

  bindData(x: Float32Array, y: Float32Array, rows: number): BoundData {
    return new NativeBoundData(x, y, rows);
  }

  trainEpoch(
    data: BoundData, order: Uint32Array, batchSize: number, opt: OptimizerParams, firstStep: number,
    batchStats: Float64Array, onProgress?: (batchesDone: number) => void,
  ): Promise<number> {
    if (!(data instanceof NativeBoundData)) throw invalidArgument('data', 'data bound by this backend (engine.bindData)', data);
    if (data.released) throw new Error('mlpx: bound data used after release()');
    return this.#net.trainEpoch(
      data.x, data.y, data.rows, order, batchSize, opt.kind, opt.lr, opt.beta1, opt.beta2, opt.eps, firstStep,
      batchStats, onProgress,
    );
  }
}
