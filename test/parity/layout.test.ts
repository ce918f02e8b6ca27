// The numbers the three implementations share are defined once in TypeScript and mirrored in
// assembly/ and native/: the wasm module and the addon export theirs, and every one must equal
// the TypeScript table — ids, stats slots, step statuses and the ‖g‖² limit, the dropout hash's
// constants, the network words, update block and thread control block (wasm), the parameter limit
// and the packed optimizer fields (native) — and the fused steps exist under their names.
import { describe, expect, it } from 'vitest';
import * as engine from '../../src/backend/engine.js';
import { ComposedEngine } from '../../src/backend/composed.js';
import { DROPOUT_SALT, DROPOUT_STRIDE } from '../../src/backend/dropout.js';
import { Activation, FUSED_STEP_NAMES, Loss, Optimizer, OPTIMIZER_FIELDS, OPTIMIZER_STATE_PER_PARAM } from '../../src/backend/kernels.js';
import { MAX_PARAMETERS } from '../../src/backend/layout.js';
import { CTRL, NET, UPDATE } from '../../src/backend/wasm/layout.js';
import { addon } from '../native/addon.js';
import { wasmBackend } from '../wasm/backend.js';

/** Every number both sides must agree on, by the name the wasm module and the addon export it under. */
const SHARED: Record<string, number> = {
  ...Object.fromEntries(Object.entries(Activation).map(([name, id]) => [`ACT_${name.toUpperCase()}`, id])),
  ...Object.fromEntries(Object.entries(Loss).map(([name, id]) => [`LOSS_${name.toUpperCase()}`, id])),
  ...Object.fromEntries(Object.entries(Optimizer).map(([name, id]) => [`OPT_${name.toUpperCase()}`, id])),
  ...Object.fromEntries(Object.entries(engine).filter(([name, value]) => /^(STAT_|STATS_|STEP_|GRAD_NORM2_LIMIT)/.test(name) && typeof value === 'number')),
  DROPOUT_SALT, DROPOUT_STRIDE,
};

/** The packed optimizer's positions, as the addon names them: OPT_FIELD_WEIGHT_DECAY for weightDecay. */
const OPT_FIELDS: Record<string, number> = {
  ...Object.fromEntries(OPTIMIZER_FIELDS.map((field, i) => [`OPT_FIELD_${field.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`, i])),
  OPT_FIELDS: OPTIMIZER_FIELDS.length,
};

describe('shared layouts', () => {
  it('cover every stats slot and step status', () => {
    expect(Object.keys(SHARED)).toEqual(expect.arrayContaining(['STAT_LOSS', 'STAT_CORRECT', 'STAT_GRAD_NORM2', 'STAT_STATUS', 'STATS_PER_BATCH', 'STEP_OK', 'STEP_UPDATE_NON_FINITE', 'GRAD_NORM2_LIMIT']));
    expect(engine.GRAD_NORM2_LIMIT).toBe(Math.fround(3.4028234663852886e38)); // float32's largest value
  });

  it('wasm: the module exports the same ids, stats slots, statuses, network words and control words', async () => {
    const exports = (await wasmBackend()).runtime.exports as unknown as Record<string, WebAssembly.Global | ((...args: number[]) => number)>;
    for (const [name, value] of Object.entries({ ...SHARED, ...NET, ...UPDATE, ...CTRL })) {
      const actual = (exports[name] as WebAssembly.Global | undefined)?.value as number;
      // u32 constants come back from an i32 global as signed numbers
      expect(Number.isInteger(value) && value >= 2 ** 31 && value < 2 ** 32 ? actual >>> 0 : actual, name).toBe(value);
    }
    for (const name of FUSED_STEP_NAMES) expect(typeof exports[name], name).toBe('function');
  });

  it.skipIf(addon === undefined)('native: the addon exports the same ids, stats slots, statuses and limits', () => {
    const layout = addon!.layout;
    for (const [name, value] of Object.entries({ ...SHARED, ...OPT_FIELDS })) expect(layout[name], name).toBe(value);
    expect(layout['MAX_PARAMETERS']).toBe(MAX_PARAMETERS);
    expect(layout['OPTIMIZER_STATE_PER_PARAM']).toEqual(Object.values(OPTIMIZER_STATE_PER_PARAM));
  });

  it('js: the reference engine composes the same fused steps', () => {
    for (const name of FUSED_STEP_NAMES) expect(typeof (ComposedEngine.prototype as unknown as Record<string, unknown>)[name], name).toBe('function');
  });
});
