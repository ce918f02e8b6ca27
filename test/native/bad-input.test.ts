// Bad input that reaches the addon must throw an InvalidArgumentError (an MlpxError) with a
// message, never abort the process or touch memory out of bounds (the ASan run of this file
// checks the latter); calls while an epoch runs get a BusyError, after dispose a DisposedError.
import { describe, expect, it } from 'vitest';
import { Activation, Loss, Optimizer } from '../../src/backend/kernels.js';
import { packSpec } from '../../src/backend/layout.js';
import { candidatePaths, loadAddon } from '../../src/backend/native/load.js';
import { BackendUnavailableError, BusyError, DisposedError, InvalidArgumentError } from '../../src/util/errors.js';
import { addon } from './addon.js';

const f32 = (n: number) => new Float32Array(n);

describe.skipIf(addon === undefined)('native addon: bad input', () => {
  const k = addon!;

  it('rejects the wrong typed-array kind with an InvalidArgumentError naming the argument', () => {
    expect(() => k.matmul_nn(new Float64Array(4) as unknown as Float32Array, f32(4), f32(4), 2, 2, 2))
      .toThrow(/matmul_nn: expected a Float32Array for c but received Float64Array\(4\)/);
    expect(() => k.sgd_update([1, 2] as unknown as Float32Array, f32(2), 2, 0.1, 1, 0, 0, 0, 0)).toThrow(InvalidArgumentError);
    expect(() => k.sum_squares(null as unknown as Float32Array, 1)).toThrow(InvalidArgumentError);
    expect(() => k.activation_forward(f32(4), new Uint8Array(4) as unknown as Float32Array, 2, 2, Activation.relu)).toThrow(InvalidArgumentError);
  });

  it('rejects buffers shorter than the dimensions with an InvalidArgumentError', () => {
    expect(() => k.matmul_tn(f32(6), f32(5), f32(6), 2, 3, 3)).toThrow(/a has 5 elements but the dimensions need 6/);
    expect(() => k.matmul_nt(f32(5), f32(6), f32(6), 2, 3, 3)).toThrow(InvalidArgumentError);
    expect(() => k.dense_backward(f32(1), f32(6), f32(3), f32(6), f32(4), f32(6), 2, 2, 3)).toThrow(/dx has 1 elements/);
    expect(() => k.adam_update(f32(10), f32(10), f32(10), f32(9), 10, 0.1, 0.9, 0.999, 1e-8, 1, 1, 0, 0, 0, 0)).toThrow(InvalidArgumentError);
    expect(() => k.loss_forward(f32(4), f32(4), f32(1), 2, 2, Loss.mse)).toThrow(/weights has 1 elements but the dimensions need 2/);
    expect(() => k.output_delta_fused(f32(4), f32(4), f32(4), f32(1), 2, 2, Activation.softmax)).toThrow(/weights/);
    expect(() => k.bias_add(f32(6), f32(2), 2, 3)).toThrow(InvalidArgumentError);
  });

  it('rejects zero, negative, fractional, huge and missing dimensions', () => {
    for (const bad of [0, -1, 1.5, NaN, Infinity, 2 ** 31]) {
      expect(() => k.matmul_nn(f32(4), f32(4), f32(4), bad, 2, 2)).toThrow(InvalidArgumentError);
    }
    expect(() => k.sum_squares(f32(4), 0)).toThrow(InvalidArgumentError);
    expect(() => (k.matmul_nn as (...args: unknown[]) => void)(f32(4), f32(4), f32(4), 2, 2)).toThrow(InvalidArgumentError);
    expect(() => k.bias_grad(f32(2), f32(4), '2' as unknown as number, 2)).toThrow(InvalidArgumentError);
  });

  it('rejects unknown activation and loss ids', () => {
    expect(() => k.activation_forward(f32(4), f32(4), 2, 2, 6 as never)).toThrow(/act/);
    expect(() => k.activation_backward(f32(4), f32(4), f32(4), f32(4), 2, 2, -1 as never)).toThrow(InvalidArgumentError);
    expect(() => k.loss_forward(f32(4), f32(4), null, 2, 2, 5 as never)).toThrow(InvalidArgumentError);
    expect(() => k.loss_backward(f32(4), f32(4), f32(4), null, 2, 2, 0.5 as never)).toThrow(InvalidArgumentError);
  });

  it('rejects dropout with softmax, a rate outside [0, 1), and seeds, steps or layers that are not small integers', () => {
    const call = (act: number, rate: number, seed: number, step: number, layer: number) => () => k.dropout_forward(f32(4), f32(4), 2, 2, act as never, rate, seed, step, layer);
    expect(call(Activation.relu, 0.5, 1, 1, 0)).not.toThrow();
    expect(call(Activation.softmax, 0.5, 1, 1, 0)).toThrow(/softmax/);
    for (const rate of [1, -0.1, NaN]) expect(call(Activation.relu, rate, 1, 1, 0), String(rate)).toThrow(/rate must be in \[0, 1\)/);
    for (const bad of [-1, 0.5, 2 ** 53, NaN]) {
      expect(call(Activation.relu, 0.5, bad, 1, 0), `seed ${bad}`).toThrow(/seed/);
      expect(call(Activation.relu, 0.5, 1, bad, 0), `step ${bad}`).toThrow(/step/);
    }
    expect(call(Activation.relu, 0.5, 1, 1, 2 ** 31)).toThrow(/layer/);
    expect(() => k.dropout_backward(f32(4), f32(4), f32(3), 2, 2, Activation.tanh, 0.5, 1, 1, 0)).toThrow(/z has 3 elements/);
  });

  it('rejects malformed network specs and out-of-capacity batches', () => {
    expect(() => new k.Net(new Int32Array([1, Loss.mse, 3]))).toThrow(InvalidArgumentError);
    expect(() => new k.Net(new Int32Array([1, 9, 3, 2, Activation.relu, 0, 0, 0]))).toThrow(/loss/);
    expect(() => new k.Net(new Int32Array([1, Loss.mse, 0, 2, Activation.relu, 0, 0, 0]))).toThrow(/size/);
    expect(() => new k.Net(new Int32Array([1, Loss.mse, 3, 2, 17, 0, 0, 0]))).toThrow(/activation/);
    expect(() => new k.Net(new Float32Array([1, 2, 3, 2, 3, 0, 0, 0]) as unknown as Int32Array)).toThrow(InvalidArgumentError);
    // dropout on the output layer, or on a softmax layer; a seed of 2^53
    expect(() => new k.Net(new Int32Array([1, Loss.mse, 3, 2, Activation.relu, 1 << 30, 0, 0]))).toThrow(/dropout on layer 0/);
    expect(() => new k.Net(new Int32Array([2, Loss.mse, 3, 4, 2, Activation.softmax, Activation.linear, 1 << 30, 0, 0, 0]))).toThrow(/dropout on layer 0/);
    expect(() => new k.Net(new Int32Array([1, Loss.mse, 3, 2, Activation.relu, 0, 0, 1 << 21]))).toThrow(/seed/);
    // the memory check's counts (K-block products, predict's packed weights) take the same sizes
    expect(() => k.depthPartialsBytes(new Int32Array([3]), 1)).toThrow(/at least one layer/);
    expect(() => k.depthPartialsBytes(new Int32Array([3, 0]), 1)).toThrow(/size < 1/);
    expect(() => k.depthPartialsBytes(new Int32Array([3, 2]), 0)).toThrow(/rows/);
    expect(() => k.depthPartialsBytes([3, 2] as unknown as Int32Array, 1)).toThrow(InvalidArgumentError);
    expect(() => k.packedWeightsBytes(new Int32Array([3]))).toThrow(/at least one layer/);
    expect(() => k.packedWeightsBytes(new Int32Array([3, 0]))).toThrow(/size < 1/);
    expect(() => k.packedWeightsBytes([3, 2] as unknown as Int32Array)).toThrow(InvalidArgumentError);
    const net = new k.Net(packSpec({ sizes: [3, 2], activations: [Activation.linear], loss: Loss.mse }));
    const stats = new Float64Array(4);
    expect(() => net.forward(f32(3), 1, f32(2))).toThrow(/capacity/);
    net.reserve(4);
    expect(net.capacity()).toBe(4);
    expect(() => net.forward(f32(3), 5, f32(10))).toThrow(InvalidArgumentError);
    expect(() => net.forward(f32(6), 2, f32(3))).toThrow(/out has 3 elements but the dimensions need 4/);
    expect(() => net.writeParams(f32(9))).toThrow(/exactly 8 values/);
    expect(() => net.writeParams(f32(7))).toThrow(/values has 7 elements/);
    expect(() => net.readParams(f32(7))).toThrow(/out has 7 elements/);
    expect(() => net.evaluate(f32(3), f32(4), 2, stats)).toThrow(/x has 3 elements/);
    const opt = (kind: number) => Float64Array.of(kind, 0.1, 0.9, 0.999, 1e-8, 0, 0, 0, 0, 0, 0);
    expect(() => net.trainStep(f32(6), f32(4), null, 2, opt(7), 1, stats)).toThrow(/optimizer id 7/);
    expect(() => net.trainStep(f32(6), f32(4), null, 2, opt(0).subarray(0, 10), 1, stats)).toThrow(/opt has 10 elements/);
    expect(() => net.trainStep(f32(6), f32(4), f32(1), 2, opt(0), 1, stats)).toThrow(/weights has 1 elements/);
    expect(() => net.trainStep(f32(6), f32(4), null, 2, opt(0), -1, stats)).toThrow(/step must be an integer/);
    expect(() => net.gradient(f32(6), f32(4), 2, new Float64Array(3))).toThrow(/stats/);
    expect(() => net.observeSplitChoice(-1)).toThrow(/ms must be a time/);
    expect(() => net.observeSplitChoice(Number.NaN)).toThrow(/ms must be a time/);
  });

  it('rejects epochs whose order names rows outside the data, and calls while an epoch runs', async () => {
    const net = new k.Net(packSpec({ sizes: [3, 2], activations: [Activation.linear], loss: Loss.mse }));
    const x = f32(30);
    const y = f32(20);
    const stats = new Float64Array(40);
    const opt = Float64Array.of(Optimizer.sgd, 0.1, 0.9, 0.999, 1e-8, 0, 0, 0, 0, 0, 0);
    expect(() => net.trainEpoch(x, y, null, 10, new Uint32Array([0, 10]), 2, opt, null, 1, stats)).toThrow(/order\[1\] = 10/);
    expect(() => net.trainEpoch(x, y, null, 10, new Uint32Array(10), 1, opt, null, 1, new Float64Array(39))).toThrow(/batchStats/);
    expect(() => net.trainEpoch(x, y, null, 10, new Int32Array(10) as unknown as Uint32Array, 1, opt, null, 1, stats)).toThrow(InvalidArgumentError);
    expect(() => net.trainEpoch(x, y, null, 10, new Uint32Array(0), 1, opt, null, 1, stats)).toThrow(/order is empty/);
    expect(() => net.trainEpoch(x, y, f32(9), 10, new Uint32Array(10), 1, opt, null, 1, stats)).toThrow(/weights has 9 elements/);
    expect(() => net.trainEpoch(x, y, null, 10, new Uint32Array(10), 1, opt, f32(9), 1, stats)).toThrow(/rates has 9 elements/);
    expect(() => net.trainEpoch(x, y, null, 10, new Uint32Array(10), 1, opt, null, 2 ** 53 - 5, stats)).toThrow(/below 2\^53/);
    expect(() => net.trainEpoch(x, y, null, 10, new Uint32Array(10), 1, opt, null, 1, stats, undefined, 1 as unknown as boolean))
      .toThrow(/expected a boolean or undefined for now/);
    const running = net.trainEpoch(x, y, null, 10, new Uint32Array(10), 1, opt, f32(10), 1, stats);
    expect(() => net.reserve(100)).toThrow(BusyError);
    expect(() => net.trainEpoch(x, y, null, 10, new Uint32Array(10), 1, opt, null, 1, stats)).toThrow(/running trainEpoch/);
    expect(() => net.dispose()).toThrow(BusyError);
    await expect(running).resolves.toBe(10);
    expect(() => net.reserve(100)).not.toThrow();
    net.dispose();
    expect(() => net.readParams()).toThrow(DisposedError);
    expect(() => net.dispose()).not.toThrow();
  });

  it('explains a missing addon with every path tried and the commands that fix it', () => {
    const saved = process.env['MLPX_NATIVE_PATH'];
    process.env['MLPX_NATIVE_PATH'] = '/nonexistent/mlpx.node';
    try {
      expect(candidatePaths()).toEqual(['/nonexistent/mlpx.node']);
      expect(() => loadAddon()).toThrow(BackendUnavailableError);
      expect(() => loadAddon()).toThrow(/Could not load the native backend[^]*nonexistent\/mlpx.node: not found[^]*Possible solutions:[^]*npx mlpx build-native/);
    } finally {
      if (saved === undefined) delete process.env['MLPX_NATIVE_PATH'];
      else process.env['MLPX_NATIVE_PATH'] = saved;
    }
  });
});
