// The profile mode stays out of the shipped builds: only the profile builds (native: MLPX_PROFILE=ON,
// `node native/build.mjs --profile`; wasm: `node assembly/build.mjs --profile`) have phase clocks
// and export functions to read them.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { STATS_PER_BATCH } from '../../src/backend/engine.js';
import { Activation, Loss, Optimizer } from '../../src/backend/kernels.js';
import { paramLayout, type NetSpec } from '../../src/backend/layout.js';
import { createWasmBackend, type WasmBackend } from '../../src/backend/wasm/backend.js';
import { embeddedWasm } from '../../src/backend/wasm/embedded.js';
import { nodePlatform } from '../../src/backend/wasm/node.js';
import { Random } from '../../src/util/prng.js';
import { WASM_PHASES, wasmProfiled } from '../../bench/suites/profile.js';
import { randomArray, randomOneHot } from '../helpers/random.js';
import { addon } from '../native/addon.js';

describe.skipIf(addon === undefined)('the default native build', () => {
  it('exports no profile functions', () => {
    const exports = addon as unknown as Record<string, unknown>;
    expect(typeof exports.fmaPeak).toBe('function');
    expect(exports.profileRead).toBeUndefined();
    expect(exports.profileReset).toBeUndefined();
  });
});

describe('the wasm profile build', () => {
  const spec: NetSpec = { sizes: [257, 128, 10], activations: [Activation.relu, Activation.softmax], loss: Loss.cross_entropy };
  const rows = 320;
  const batches = rows / 32;
  const epochs = 8;
  let profiled: Awaited<ReturnType<typeof wasmProfiled>>;
  let shipped: WasmBackend;

  beforeAll(async () => {
    // the profile build is of the simd128 module, so it trains to that module's bits
    [profiled, shipped] = await Promise.all([wasmProfiled(1), createWasmBackend(nodePlatform, 'simd128')]);
  });

  /** Parameters after `epochs` epochs in batches of 32 on `backend`, and the epochs' wall time in ms. */
  async function train(backend: WasmBackend): Promise<[Float32Array, number]> {
    const random = new Random(17);
    const engine = backend.createEngine(spec);
    engine.writeParams(randomArray(random, paramLayout(spec.sizes).count, -0.3, 0.3));
    engine.setOptimizer(Optimizer.sgd);
    const data = engine.bindData(randomArray(random, rows * 257), randomOneHot(random, rows, 10), rows);
    const order = Uint32Array.from({ length: rows }, (_, i) => i);
    const opt = { kind: Optimizer.sgd, lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-7 };
    const start = performance.now();
    for (let epoch = 0; epoch < epochs; epoch++) await engine.trainEpoch(data, order, 32, opt, 1 + batches * epoch, new Float64Array(batches * STATS_PER_BATCH));
    const ms = performance.now() - start;
    const params = engine.readParams();
    data.release();
    engine.dispose();
    return [params, ms];
  }

  it.each(['mlpx.wasm', 'mlpx-threads.wasm', 'mlpx-relaxed.wasm', 'mlpx-threads-relaxed.wasm'] as const)('the shipped %s exports no profile functions', async (file) => {
    const names = WebAssembly.Module.exports(await WebAssembly.compile(embeddedWasm(file))).map((e) => e.name);
    expect(names).toContain('net_train_step');
    expect(names.filter((name) => name.startsWith('profile_'))).toEqual([]);
  });

  it('names its phases as native/profile.cc does, in the same order', () => {
    const source = readFileSync(new URL('../../native/profile.cc', import.meta.url), 'utf8');
    const names = /kPhaseNames\[kPhases\] = \{([^}]*)\}/.exec(source)?.[1]?.match(/"[^"]*"/g)?.map((quoted) => quoted.slice(1, -1));
    expect(names?.slice(0, WASM_PHASES.length)).toEqual(WASM_PHASES);
  });

  it('clocks the phases of a training step where the time goes, and trains to the same bits', async () => {
    // once first, so that the engine has compiled every kernel with its optimizing tier: a cold
    // run's first calls are slow in whichever phase they fall
    await train(profiled.backend);
    profiled.profiler.reset();
    const [params, ms] = await train(profiled.backend);
    const phases = profiled.profiler.read();
    const phaseMs = (name: string): number => phases.find((p) => p.phase === name)!.seconds * 1000;
    const clocked = phases.reduce((sum, p) => sum + p.seconds, 0) * 1000;
    expect(clocked).toBeLessThan(ms);
    // 32×257·257×128 and its weight gradient outweigh everything else of a ReLU and SGD step
    expect(phaseMs('forward GEMM') + phaseMs('backward GEMM dW')).toBeGreaterThan(clocked / 2);
    for (const { phase, seconds } of phases) expect(seconds, phase).toBeGreaterThan(0);
    profiled.profiler.reset();
    expect(profiled.profiler.read().every((p) => p.seconds === 0)).toBe(true);
    const [want] = await train(shipped);
    expect(Buffer.from(params.buffer).equals(Buffer.from(want.buffer))).toBe(true);
  });
});
