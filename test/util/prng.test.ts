// The generator behind initial weights, shuffles and validation splits: a seed must give the same
// numbers in every release, or a model trained again from the same seed would differ.
import { describe, expect, it } from 'vitest';
import { Random } from '../../src/util/prng.js';

/** int(bound) by its definition, in doubles: draws until one is below 2^32 − (2^32 mod bound). */
function intByDefinition(random: Random, bound: number): number {
  const limit = 4294967296 - (4294967296 % bound);
  let r: number;
  do r = random.nextUint32(); while (r >= limit);
  return r % bound;
}

describe('Random', () => {
  it('int(bound) keeps its definition for bounds from 1 to 2^32 − 1, rejections included', () => {
    // the larger bounds reject up to half the draws, so both streams must stay in step
    const bounds = [1, 2, 3, 7, 10, 250, 65_537, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 3_000_000_019, 2 ** 32 - 1];
    for (const bound of bounds) {
      const fast = new Random(bound), reference = new Random(bound);
      for (let i = 0; i < 2000; i++) expect(fast.int(bound), `bound ${bound}, draw ${i}`).toBe(intByDefinition(reference, bound));
      expect(fast.nextUint32()).toBe(reference.nextUint32());
    }
  });

  it('gives the same shuffles and integers for a seed as it always has', () => {
    expect(Array.from(new Random(42).shuffle(Uint32Array.from({ length: 12 }, (_, i) => i)))).toEqual([8, 10, 5, 9, 3, 7, 6, 4, 11, 2, 1, 0]);
    const random = new Random(7);
    expect([3, 1000, 2 ** 31 + 5, 2 ** 32 - 1].map((bound) => random.int(bound))).toEqual([0, 487, 1928073449, 741806228]);
  });
});
