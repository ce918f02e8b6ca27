// Fuzzing model files on every backend that loads: each seeded mutation either loads a network
// that predicts or throws a FormatError, quickly, allocating at most 4× the file's size (plus a
// fixed slack for the engine's fixed-size blocks). The meter is tested first, so that a loader
// that does allocate too much is known to fail here.
import { describe, expect, it } from 'vitest';
import { loadBackend } from '../../src/backend/registry.js';
import type { WasmBackend } from '../../src/backend/wasm/backend.js';
import { loadableBackendNames } from '../helpers/backends.js';
import { AllocationMeter, FIXED_SLACK } from './harness.js';
import { MUTATION_NAMES } from './model-mutations.js';
import { fuzzModels } from './run.js';

const CASES = 260;
const SEED = 20_240_611;
const backends = await loadableBackendNames();

describe('the allocation meter', () => {
  it('sees array buffers and wasm blocks a case allocates', async () => {
    const meter = new AllocationMeter(backends.includes('wasm') ? (await loadBackend('wasm')) as WasmBackend : undefined);
    // 4 MiB: far beyond the bound of the 17 KB file that used to grow wasm memory to 1.9 GB
    // a collection of other garbage during the case lowers the array-buffer count (it can only
    // hide, never invent, an allocation), so the meter must see it in one of three tries
    let typed = { bytes: 0 };
    for (let i = 0; i < 3 && typed.bytes < 0.95 * (4 << 20); i++) typed = await meter.measure(async () => new Float32Array(1 << 20).fill(1));
    expect(typed.bytes).toBeGreaterThan(0.95 * (4 << 20));
    expect(typed.bytes).toBeGreaterThan(4 * 17_000 + FIXED_SLACK);
    expect((await meter.measure(async () => 1)).bytes).toBeLessThan(FIXED_SLACK);
    if (backends.includes('wasm')) {
      const mem = ((await loadBackend('wasm')) as WasmBackend).runtime.mem;
      const block = await meter.measure(async () => mem.free(mem.alloc(3 << 20)));
      expect(block.bytes).toBeGreaterThanOrEqual(3 << 20); // requests are counted even when freed at once
    }
  });
});

describe.each(backends)('%s backend: fuzzed model files', (backend) => {
  it(`${CASES} seeded mutations each load a working network or throw a FormatError, within the allocation bound`, async () => {
    const tally = await fuzzModels(backend, CASES, SEED);
    console.log(tally.summary(`model-file fuzz, ${backend} backend, seed ${SEED}`, 10));
    expect(tally.failures).toEqual([]);
    expect(tally.cases).toBe(CASES);
    // both outcomes occur, so the suite exercises loading as well as refusing
    expect(tally.counts.get('loaded')).toBeGreaterThan(CASES / 20);
    expect([...tally.counts.keys()].filter((k) => k.startsWith('FormatError')).length).toBeGreaterThan(8);
    expect(MUTATION_NAMES.length * 10).toBeLessThanOrEqual(CASES);
  });
});
