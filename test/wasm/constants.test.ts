// The ids mirrored in assembly/ (activation, loss, optimizer) must equal src/backend/kernels.ts.
import { describe, expect, it } from 'vitest';
import { Activation, Loss, Optimizer } from '../../src/backend/kernels.js';
import { wasmBackend } from './backend.js';

describe('wasm mirrored constants', () => {
  it('match kernels.ts', async () => {
    const exports = (await wasmBackend()).runtime.exports as unknown as Record<string, WebAssembly.Global>;
    const value = (name: string): unknown => exports[name]?.value;
    for (const [name, id] of Object.entries(Activation)) expect(value(`ACT_${name.toUpperCase()}`), name).toBe(id);
    for (const [name, id] of Object.entries(Loss)) expect(value(`LOSS_${name.toUpperCase()}`), name).toBe(id);
    for (const [name, id] of Object.entries(Optimizer)) expect(value(`OPT_${name.toUpperCase()}`), name).toBe(id);
  });
});
