// A trap inside WASM becomes a JS error naming the kernel, and the backend keeps working —
// including when the trap happens in a worker's chunk of a threaded GEMM.
import { describe, expect, it } from 'vitest';
import { jsKernels } from '../../src/backend/js/index.js';
import { WasmTrapError } from '../../src/backend/wasm/exports.js';
import { DEFAULT_SPLIT_COSTS } from '../../src/backend/wasm/threads.js';
import { InvalidArgumentError } from '../../src/util/errors.js';
import { Random } from '../../src/util/prng.js';
import { randomArray } from '../helpers/random.js';
import { wasmBackend } from './backend.js';

async function expectMatmulStillCorrect(m = 67, k = 45, n = 29, seed = 3): Promise<void> {
  const backend = await wasmBackend();
  const random = new Random(seed);
  const a = randomArray(random, m * k), b = randomArray(random, k * n);
  const got = new Float32Array(m * n), want = new Float32Array(m * n);
  backend.kernels.matmul_nn(got, a, b, m, k, n);
  jsKernels.matmul_nn(want, a, b, m, k, n);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-4);
}

describe('wasm traps', () => {
  it('an unknown activation id traps as an error naming activation_forward (Backend.kernels refuses it first)', async () => {
    const backend = await wasmBackend();
    const { exports, mem } = backend.runtime;
    const buffer = mem.alloc(64);
    const call = (): void => exports.activation_forward(buffer, buffer, 2, 2, 99);
    expect(call).toThrow(WasmTrapError);
    expect(call).toThrow(/kernel activation_forward trapped/);
    mem.free(buffer);
    expect(() => backend.kernels.activation_forward(new Float32Array(4), new Float32Array(4), 2, 2, 99 as never)).toThrow(InvalidArgumentError);
    await expectMatmulStillCorrect();
  });

  it('an out-of-bounds pointer traps as an error naming the kernel', async () => {
    const backend = await wasmBackend();
    const { exports, mem } = backend.runtime;
    expect(() => exports.matmul_nt(mem.byteLength + 1024, 0, 0, 8, 8, 8)).toThrow(/kernel matmul_nt trapped/);
    await expectMatmulStillCorrect();
  });

  it('a trap in a threaded GEMM\'s chunk (the caller\'s or a worker\'s) is reported by the caller, and threads keep working', async () => {
    const backend = await wasmBackend();
    backend.setThreads(2);
    await backend.threadsReady();
    const { exports, mem } = backend.runtime;
    if (backend.details().threads < 2) {
      console.warn(`[wasm] worker trap not tested: ${backend.details().notes.join('; ')}`);
      return;
    }
    // split by rows (n = 16: too few column panels) into chunks claimed by either thread; only
    // C's last row, so only the last chunk, runs past the end of memory. A trap in the caller's chunk
    // surfaces directly; one in a worker's is rethrown by the caller as `unreachable`. Which
    // thread claims it varies, so call until both have happened (workers kept spinning by busy()).
    const pool = backend.runtime.pool!;
    pool.splitCosts = { split: 0, splitIdle: 0, chunk: 1, adaptive: false };
    const [m, k, n] = [256, 64, 16];
    const inBounds = (m - 1) * n * 4;
    const a = mem.alloc(m * k * 4), b = mem.alloc(k * n * 4);
    const block = mem.alloc(inBounds + 65536); // last block: what C overwrites in bounds is its own
    const c = mem.byteLength - inBounds;
    const seen = { caller: 0, worker: 0 };
    pool.busy(() => {
      for (let i = 0; i < 1000 && (seen.caller === 0 || seen.worker === 0); i++) {
        let message = '';
        try {
          exports.matmul_nn(c, a, b, m, k, n);
        } catch (error) {
          message = (error as Error).message;
        }
        expect(message).toMatch(/kernel matmul_nn trapped \((unreachable|memory access out of bounds)\)/);
        seen[message.includes('unreachable') ? 'worker' : 'caller']++;
      }
    });
    console.log(`[wasm] GEMM chunk traps: ${seen.caller} in the caller, ${seen.worker} in the worker`);
    expect(seen.worker).toBeGreaterThan(0);
    for (const ptr of [a, b, block]) mem.free(ptr);
    await expectMatmulStillCorrect();
    await expectMatmulStillCorrect(128, 96, 80, 9); // split across both threads
    pool.splitCosts = DEFAULT_SPLIT_COSTS;
  });
});
