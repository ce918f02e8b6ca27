// Backend selection: auto falls through and records why; explicit choices fail loudly;
// MLPX_BACKEND overrides the global default; MLPX_THREADS is validated.
import { afterEach, describe, expect, it } from 'vitest';
import { backendInfo, loadBackend, registerBackend, resolveChoice, setBackend } from '../../src/backend/registry.js';
import { createJsBackend } from '../../src/backend/js/index.js';
import { BackendUnavailableError } from '../../src/util/errors.js';
import { Network } from '../../src/nn/network.js';

// this file runs in its own worker (pool: forks), so replacing the registrations is local to it
registerBackend('native', () => { throw new Error('no compiled addon at build/Release/mlpx.node'); });
registerBackend('wasm', () => Promise.reject(new Error('WebAssembly SIMD is not supported')));
registerBackend('js', createJsBackend);

afterEach(() => {
  delete process.env.MLPX_BACKEND;
  delete process.env.MLPX_THREADS;
  setBackend('auto');
});

describe('backend registry', () => {
  it('auto skips backends that fail to load and records why', async () => {
    expect((await loadBackend('auto')).name).toBe('js');
    const info = await backendInfo();
    expect(info.map((s) => [s.name, s.available])).toEqual([['native', false], ['wasm', false], ['js', true]]);
    expect(info[0]!.reason).toMatch(/no compiled addon/);
    expect(info[1]!.reason).toMatch(/SIMD/);
  });

  it('an explicitly requested backend that cannot load throws the reason', async () => {
    await expect(loadBackend('native')).rejects.toThrow(BackendUnavailableError);
    await expect(loadBackend('native')).rejects.toThrow(/Could not load the native backend: no compiled addon/);
    await expect(Network.create({ inputs: 1, layers: [{ units: 1, activation: 'linear' }], loss: 'mse', backend: 'wasm' })).rejects.toThrow(/SIMD/);
  });

  it('MLPX_BACKEND overrides setBackend, and a network option overrides both', async () => {
    setBackend('native');
    expect(resolveChoice()).toBe('native');
    process.env.MLPX_BACKEND = 'js';
    expect(resolveChoice()).toBe('js');
    expect(resolveChoice('wasm')).toBe('wasm');
    process.env.MLPX_BACKEND = 'gpu';
    expect(() => resolveChoice()).toThrow(/for MLPX_BACKEND but received 'gpu'/);
    expect(() => setBackend('cuda' as 'js')).toThrow(/for backend but received 'cuda'/);
  });

  it('validates MLPX_THREADS', async () => {
    registerBackend('js', createJsBackend); // forget the loaded instance so the setting is read again
    process.env.MLPX_THREADS = 'many';
    await expect(loadBackend('js')).rejects.toThrow(/for MLPX_THREADS but received 'many'/);
  });
});
