// The wasm kernel builds: `auto` loads relaxed-simd exactly where the engine validates relaxed
// SIMD, MLPX_WASM_KERNELS and setWasmKernels choose one (a build the engine lacks, or a name that
// is none, is a clear error, and so is asking for other kernels once the backend has loaded),
// and the relaxed build really fuses: on a CPU with FMA its GEMM gives
// other bits than simd128's, within the parity tolerance.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setWasmKernels, WASM_KERNELS, type WasmKernels } from '../../src/backend/wasm/kernel-choice.js';
import { loadBackend } from '../../src/index.js';
import { InvalidArgumentError } from '../../src/util/errors.js';
import { Random } from '../../src/util/prng.js';
import { randomArray } from '../helpers/random.js';
import { WASM_BUILDS } from '../helpers/backends.js';
import { wasmBackend } from './backend.js';

const root = resolve(import.meta.dirname, '../..');
const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';

interface Loaded { relaxed: boolean; kernelPath?: string; notes?: string[]; error?: string; message?: string }

/** What a fresh process's wasm backend loads, with these V8 flags and environment. */
function loadIn(v8Flags: string[], env: Record<string, string> = {}): Loaded {
  const run = spawnSync(process.execPath, [...v8Flags, '--import', 'tsx', join(root, 'test/wasm/fixtures/wasm-kernels.ts')], {
    cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, MLPX_WASM_KERNELS: '', ...env },
  });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Loaded;
}

/** Whether V8 emits a fused multiply-add for relaxed_madd here: ARM64 always, x86-64 with FMA3. */
function cpuFuses(): boolean {
  if (process.arch === 'arm64') return true;
  if (process.arch !== 'x64') return false;
  try {
    return /^flags\s*:.*\bfma\b/m.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

describe('wasm kernel builds', () => {
  it('auto loads relaxed-simd where the engine has relaxed SIMD and simd128 where it does not', () => {
    for (const flags of [[], [RELAXED_FLAG]]) {
      const loaded = loadIn(flags);
      expect(loaded.error, loaded.message).toBeUndefined();
      if (loaded.relaxed) {
        expect(loaded.kernelPath).toMatch(/^relaxed-simd .*multiply-add GEMM/);
        expect(loaded.notes!.join(' ')).toMatch(/multiply-adds are fused.*setWasmKernels\('simd128'\)/);
      } else {
        expect(loaded.kernelPath).toMatch(/^simd128 /);
        expect(loaded.notes!.join(' ')).toMatch(/lacks relaxed SIMD/);
      }
    }
    // vitest.config.ts runs these tests with relaxed SIMD, so its child with the flag has it too
    expect(loadIn([RELAXED_FLAG]).relaxed).toBe(true);
  });

  it('MLPX_WASM_KERNELS=simd128 loads simd128 even where relaxed SIMD is available', () => {
    const loaded = loadIn([RELAXED_FLAG], { MLPX_WASM_KERNELS: 'simd128' });
    expect(loaded.kernelPath).toMatch(/^simd128 /);
    expect(loaded.notes!.join(' ')).toMatch(/simd128 kernels, as asked for/);
  });

  it('MLPX_WASM_KERNELS=relaxed-simd loads it where the engine has relaxed SIMD, else names what to do instead', () => {
    for (const flags of [[], [RELAXED_FLAG]]) {
      const loaded = loadIn(flags, { MLPX_WASM_KERNELS: 'relaxed-simd' });
      if (loaded.relaxed) {
        expect(loaded.kernelPath).toMatch(/^relaxed-simd /);
      } else {
        expect(loaded.error).toBe('BackendUnavailableError');
        expect(loaded.message).toMatch(/relaxed-simd wasm kernels were asked for .* lacks relaxed SIMD; 'simd128' or 'auto' runs everywhere/);
      }
    }
  });

  it('a name that is no build is an error naming the variable and the choices', () => {
    const loaded = loadIn([], { MLPX_WASM_KERNELS: 'avx2' });
    expect(loaded.error).toBe('BackendUnavailableError');
    expect(loaded.message).toMatch(/Expected 'auto', 'relaxed-simd' or 'simd128' for MLPX_WASM_KERNELS but received 'avx2'/);
    expect(() => setWasmKernels('fast' as 'auto')).toThrow(InvalidArgumentError);
    expect(() => setWasmKernels('fast' as 'auto')).toThrow(/for setWasmKernels but received 'fast'/);
  });

  it('once the wasm backend has loaded, asking for other kernels is an error, not a silent no-op', async () => {
    const loaded = (await loadBackend('wasm')).details().kernelPath.split(' ')[0] as WasmKernels;
    const other = WASM_KERNELS.find((kernels) => kernels !== loaded)!;
    expect(() => setWasmKernels(other)).toThrow(InvalidArgumentError);
    expect(() => setWasmKernels(other)).toThrow(new RegExp(`setWasmKernels\\('${other}'\\): the wasm backend has already loaded its ${loaded} kernels.*call setWasmKernels before the first network`));
    expect(() => setWasmKernels(loaded)).not.toThrow();
    expect(() => setWasmKernels('auto')).not.toThrow();
  });

  it.runIf(WASM_BUILDS.includes('relaxed-simd') && cpuFuses())('relaxed-simd fuses: its GEMM bits differ from simd128 on this CPU, within twice the parity tolerance (2e-5 of the terms summed)', async () => {
    const [m, k, n] = [37, 301, 29];
    const random = new Random(5);
    const a = randomArray(random, m * k), b = randomArray(random, k * n);
    const product = async (kernels: 'relaxed-simd' | 'simd128') => {
      const c = new Float32Array(m * n);
      (await wasmBackend(kernels)).kernels.matmul_nn(c, a, b, m, k, n);
      return c;
    };
    const fused = await product('relaxed-simd'), rounded = await product('simd128');
    let differing = 0;
    for (let i = 0; i < fused.length; i++) {
      if (fused[i] !== rounded[i]) differing++;
      let magnitude = 0;
      for (let p = 0; p < k; p++) magnitude += Math.abs(a[(i / n | 0) * k + p]! * b[p * n + (i % n)]!);
      expect(Math.abs(fused[i]! - rounded[i]!)).toBeLessThanOrEqual(2e-5 * magnitude);
    }
    expect(differing).toBeGreaterThan(fused.length / 2);
  });
});
