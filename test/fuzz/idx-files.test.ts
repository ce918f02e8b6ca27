// Fuzzing IDX files, raw and gzip, from disk (and raw ones from memory too): each seeded mutation
// either reads as an array or throws a FormatError, quickly, allocating at most 4× its size (for
// gzip: its inflated size, capped at what its header promises plus a read-ahead).
import { describe, expect, it } from 'vitest';
import { IDX_MUTATION_NAMES } from './idx-mutations.js';
import { fuzzIdx } from './run.js';

const CASES = 330;
const SEED = 20_240_612;

describe('fuzzed IDX files', () => {
  it(`${CASES} seeded mutations each read or throw a FormatError, within the allocation bound`, async () => {
    const tally = await fuzzIdx(CASES, SEED);
    console.log(tally.summary(`IDX fuzz, seed ${SEED}`, 10));
    expect(tally.failures).toEqual([]);
    expect(tally.cases).toBeGreaterThan(CASES); // raw files count twice: from disk and from memory
    expect(tally.counts.get('loaded')).toBeGreaterThan(CASES / 20);
    expect([...tally.counts.keys()].filter((k) => k.startsWith('FormatError')).length).toBeGreaterThan(6);
    expect(IDX_MUTATION_NAMES.length * 10).toBeLessThanOrEqual(CASES);
  });
});
