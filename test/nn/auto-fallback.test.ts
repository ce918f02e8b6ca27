// `auto` never lands on the slow js reference silently: one console warning naming why every
// faster backend was skipped, however many networks are created.
import { expect, it, vi } from 'vitest';
import { loadBackend, registerBackend } from '../../src/backend/registry.js';
import { createJsBackend } from '../../src/backend/js/index.js';

// this file runs in its own worker (pool: forks), so these registrations are local to it
registerBackend('native', () => { throw new Error('no addon for this platform'); });
registerBackend('wasm', () => Promise.reject(new Error('this engine lacks SIMD')));
registerBackend('js', createJsBackend);

it('warns once, with the reasons, when auto falls back to js', async () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  expect((await loadBackend('auto')).name).toBe('js');
  expect((await loadBackend('auto')).name).toBe('js');
  expect((await loadBackend('js')).name).toBe('js');
  expect(warn).toHaveBeenCalledTimes(1);
  expect(warn.mock.calls[0]![0]).toMatch(/'auto' is using js.*native: no addon for this platform; wasm: this engine lacks SIMD/);
});
