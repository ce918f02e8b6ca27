// Engines are reachable (loadBackend(…).createEngine), so bad calls on them must throw mlpx's own
// errors too, on every backend: an InvalidArgumentError naming the call for a wrong argument,
// a DisposedError after dispose — never a plain TypeError/RangeError, a trap or garbage.
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/backend/engine.js';
import { STATS_PER_BATCH } from '../../src/backend/engine.js';
import { Activation, Loss, Optimizer } from '../../src/backend/kernels.js';
import { loadBackend } from '../../src/backend/registry.js';
import { DisposedError, InvalidArgumentError } from '../../src/util/errors.js';
import { BACKENDS, outcome, tally } from './setup.js';

const count = tally('engine calls');
const SPEC = { sizes: [3, 4, 2], activations: [Activation.tanh, Activation.softmax], loss: Loss.cross_entropy };
const f32 = (n: number) => new Float32Array(n);
const stats = () => new Float64Array(STATS_PER_BATCH);
const SGD = { kind: Optimizer.sgd, lr: 0.1, beta1: 0, beta2: 0, eps: 0 };

function badCalls(e: Engine): [string, () => unknown][] {
  const data = e.bindData(f32(30), f32(20), 10);
  return [
    ['readParams into a short array', () => e.readParams(f32(3))],
    ['readParams into a Float64Array', () => e.readParams(new Float64Array(26) as unknown as Float32Array)],
    ['writeParams too short', () => e.writeParams(f32(25))],
    ['writeParams too long', () => e.writeParams(f32(27))],
    ['writeParams an Array', () => e.writeParams(Array(26).fill(0) as unknown as Float32Array)],
    ['writeOptimizerState of the wrong size', () => e.writeOptimizerState(f32(5))],
    ['setOptimizer 9', () => e.setOptimizer(9 as never)],
    ['reserve 0', () => e.reserve(0)],
    ['reserve 1.5', () => e.reserve(1.5)],
    ['reserve NaN', () => e.reserve(Number.NaN)],
    ['forward beyond capacity', () => e.forward(f32(300), 100, f32(200))],
    ['forward with short x', () => e.forward(f32(5), 2, f32(4))],
    ['forward into a short out', () => e.forward(f32(6), 2, f32(3))],
    ['forward with x null', () => e.forward(null as unknown as Float32Array, 1, f32(2))],
    ['evaluate with short y', () => e.evaluate(f32(6), f32(3), 2, stats())],
    ['evaluate with short stats', () => e.evaluate(f32(6), f32(4), 2, new Float64Array(3))],
    ['gradient with Float64 x', () => e.gradient(new Float64Array(6) as unknown as Float32Array, f32(4), 2, stats())],
    ['trainStep with an unknown optimizer', () => e.trainStep(f32(6), f32(4), 2, { ...SGD, kind: 7 as never }, 1, stats())],
    ['trainStep without options', () => e.trainStep(f32(6), f32(4), 2, undefined as never, 1, stats())],
    ['bindData with short y', () => e.bindData(f32(30), f32(19), 10)],
    ['bindData of 0 rows', () => e.bindData(f32(30), f32(20), 0)],
    ['trainEpoch with an order beyond the data', () => e.trainEpoch(data, Uint32Array.of(0, 10), 1, SGD, 1, new Float64Array(8))],
    ['trainEpoch with an empty order', () => e.trainEpoch(data, new Uint32Array(0), 1, SGD, 1, new Float64Array(8))],
    ['trainEpoch with batchSize 0', () => e.trainEpoch(data, Uint32Array.of(0, 1), 0, SGD, 1, new Float64Array(8))],
    ['trainEpoch with short batchStats', () => e.trainEpoch(data, Uint32Array.of(0, 1), 1, SGD, 1, new Float64Array(7))],
    ['trainEpoch with data bound elsewhere', () => e.trainEpoch({ rows: 10, release() {} }, Uint32Array.of(0), 1, SGD, 1, new Float64Array(8))],
  ];
}

describe.each(BACKENDS)('%s backend: engine calls', (backend) => {
  it('refuses bad arguments with InvalidArgumentErrors', async () => {
    const engine = (await loadBackend(backend)).createEngine(SPEC);
    engine.reserve(4);
    for (const [name, call] of badCalls(engine)) {
      const error = await outcome(call);
      count(error);
      expect(error, name).toBeInstanceOf(InvalidArgumentError);
    }
    // still fine afterwards
    const out = f32(8);
    engine.forward(f32(12).fill(0.5), 4, out);
    expect(out.every(Number.isFinite)).toBe(true);
    engine.dispose();
  });

  it('refuses every call after dispose with a DisposedError', async () => {
    const engine = (await loadBackend(backend)).createEngine(SPEC);
    engine.dispose();
    engine.dispose();
    const calls: (() => unknown)[] = [
      () => engine.readParams(), () => engine.writeParams(f32(26)), () => engine.readGrads(), () => engine.setOptimizer(Optimizer.adam),
      () => engine.reserve(2), () => engine.forward(f32(3), 1, f32(2)), () => engine.trainStep(f32(3), f32(2), 1, SGD, 1, stats()),
      () => engine.bindData(f32(3), f32(2), 1),
    ];
    for (const call of calls) {
      const error = await outcome(call);
      count(error);
      expect(error, String(call)).toBeInstanceOf(DisposedError);
    }
  });

  it('kernels called through Backend.kernels with wrong arguments throw InvalidArgumentErrors', async () => {
    const { kernels: k } = await loadBackend(backend);
    const calls: [string, () => unknown][] = [
      ['matmul with a short a', () => k.matmul_nn(f32(4), f32(3), f32(4), 2, 2, 2)],
      ['matmul with dims far beyond the arrays', () => k.matmul_tn(f32(4), f32(4), f32(4), 1000, 2, 2)],
      ['matmul with a Float64Array', () => k.matmul_nt(new Float64Array(4) as unknown as Float32Array, f32(4), f32(4), 2, 2, 2)],
      ['bias_add with dimension 0', () => k.bias_add(f32(4), f32(2), 0, 2)],
      ['bias_grad with a fractional dimension', () => k.bias_grad(f32(2), f32(4), 1.5, 2)],
      ['dense_forward with a short bias', () => k.dense_forward(f32(4), f32(4), f32(4), f32(1), 2, 2, 2)],
      ['dense_backward with a short dx', () => k.dense_backward(f32(1), f32(4), f32(2), f32(4), f32(4), f32(4), 2, 2, 2)],
      ['activation_forward with id 6', () => k.activation_forward(f32(4), f32(4), 2, 2, 6 as never)],
      ['activation_backward with id -1', () => k.activation_backward(f32(4), f32(4), f32(4), f32(4), 2, 2, -1 as never)],
      ['loss_forward with id 5', () => k.loss_forward(f32(4), f32(4), null, 2, 2, 5 as never)],
      ['loss_backward with id 0.5', () => k.loss_backward(f32(4), f32(4), f32(4), null, 2, 2, 0.5 as never)],
      ['output_delta_fused with a short y', () => k.output_delta_fused(f32(4), f32(4), f32(3), null, 2, 2, Activation.softmax)],
      ['count_correct with NaN rows', () => k.count_correct(f32(4), f32(4), Number.NaN, 2)],
      ['sgd_update with a short gradient', () => k.sgd_update(f32(4), f32(3), 4, 0.1, 1, 0, 0, 0, 0)],
      ['momentum_update with lr as a string', () => k.momentum_update(f32(4), f32(4), f32(4), 4, '0.1' as unknown as number, 0.9, 0, 1, 0, 0, 0, 0)],
      ['rmsprop_update with a null state', () => k.rmsprop_update(f32(4), f32(4), null as unknown as Float32Array, 4, 0.1, 0.9, 1e-8, 1, 0, 0, 0, 0)],
      ['adam_update with a short v', () => k.adam_update(f32(4), f32(4), f32(4), f32(3), 4, 0.1, 0.9, 0.999, 1e-8, 1, 1, 0, 0, 0, 0)],
      ['sum_squares with count 2^31', () => k.sum_squares(f32(4), 2 ** 31)],
    ];
    for (const [name, call] of calls) {
      const error = await outcome(call);
      count(error);
      expect(error, name).toBeInstanceOf(InvalidArgumentError);
    }
  });
});
