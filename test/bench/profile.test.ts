// The profile mode stays out of the shipped addon: only the profile build (MLPX_PROFILE=ON,
// `node native/build.mjs --profile`) has phase clocks and exports profileRead/profileReset.
import { describe, expect, it } from 'vitest';
import { addon } from '../native/addon.js';

describe.skipIf(addon === undefined)('the default native build', () => {
  it('exports no profile functions', () => {
    const exports = addon as unknown as Record<string, unknown>;
    expect(typeof exports.fmaPeak).toBe('function');
    expect(exports.profileRead).toBeUndefined();
    expect(exports.profileReset).toBeUndefined();
  });
});
