// The dropout mask generator, the same in native/dropout.h and assembly/dropout.ts: a
// counter-based hash, so whether unit j of row r of layer l is kept at update t is a pure function
// of (seed, t, l, r, j). No generator state is carried from step to step or shared between
// threads, so every backend draws the same mask for any thread count and any split of the work,
// and a resumed run draws the masks the uninterrupted one would have.
//
//   layer key  k = mix(mix(mix(mix(mix(seed₀ ⊕ SALT) ⊕ seed₁) ⊕ t₀) ⊕ t₁) ⊕ l)
//   row key    k_r = mix(k ⊕ r)
//   unit bits  u = mix(k_r + j · STRIDE)                       (all arithmetic mod 2³²)
//   keep       u ≥ threshold = ⌊rate · 2³²⌋;  a kept value is scaled by 2³² / (2³² − threshold)
//
// mix is murmur3's 32-bit finaliser; seed₀/seed₁ and t₀/t₁ are the low and high 32 bits. The keep
// probability is exactly 1 − threshold / 2³², and the scale its reciprocal rounded once to float32.

/** Mixed into the seed so seed 0 does not start the chain from a fixed point of mix (mix(0) = 0). */
export const DROPOUT_SALT = 0x6a09e667;
/** The golden-ratio increment between consecutive units' counters. */
export const DROPOUT_STRIDE = 0x9e3779b9;

const TWO_32 = 2 ** 32;

/** murmur3's 32-bit finaliser (fmix32). */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const low32 = (value: number): number => value >>> 0;
const high32 = (value: number): number => Math.floor(value / TWO_32) >>> 0;

/** The key of layer `layer`'s masks at update `step`; seed and step are integers in [0, 2⁵³). */
export function dropoutLayerKey(seed: number, step: number, layer: number): number {
  let key = mix32(low32(seed) ^ DROPOUT_SALT);
  key = mix32(key ^ high32(seed));
  key = mix32(key ^ low32(step));
  key = mix32(key ^ high32(step));
  return mix32(key ^ layer);
}

export function dropoutRowKey(layerKey: number, row: number): number {
  return mix32(layerKey ^ row);
}

/** The 32 random bits of unit `unit` in the row with key `rowKey`. */
export function dropoutBits(rowKey: number, unit: number): number {
  return mix32(rowKey + Math.imul(unit, DROPOUT_STRIDE));
}

/** Units whose bits are below this are dropped: ⌊rate · 2³²⌋ for a rate in [0, 1). */
export function dropoutThreshold(rate: number): number {
  return Math.floor(rate * TWO_32);
}

/** What a kept unit is multiplied by: 1 / P(keep), as a float32. */
export function dropoutScale(threshold: number): number {
  return Math.fround(TWO_32 / (TWO_32 - threshold));
}
