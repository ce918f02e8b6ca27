// A small, fast, seedable generator: xoshiro128** seeded through splitmix32. It runs in
// TypeScript for every backend, so one seed gives the same initial weights and the same shuffles
// whichever backend trains.

export class Random {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;

  constructor(seed: number) {
    let x = seed >>> 0;
    const splitmix32 = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#s0 = splitmix32();
    this.#s1 = splitmix32();
    this.#s2 = splitmix32();
    this.#s3 = splitmix32();
  }

  /** uniform 32-bit unsigned integer */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.#s1, 5), 7), 9) >>> 0;
    const t = this.#s1 << 9;
    this.#s2 ^= this.#s0;
    this.#s3 ^= this.#s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotl(this.#s3, 11);
    return result;
  }

  /** uniform in [0, 1) with 32 bits of resolution */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** uniform in [low, high) */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /**
   * uniform integer in [0, bound) without modulo bias, for 1 ≤ bound < 2^32: draws until one is
   * below 2^32 − (2^32 mod bound), then takes it mod bound. In uint32 operations, which V8
   * compiles to integer division (in doubles, floating-point remainders): the same numbers.
   */
  int(bound: number): number {
    const b = bound >>> 0;
    const excess = (-b >>> 0) % b; // 2^32 mod b, as (2^32 − b) mod b
    const most = ~excess >>> 0; // the largest draw kept: 2^32 − excess − 1
    let r: number;
    do r = this.nextUint32(); while (r > most);
    return r % b;
  }

  /** standard normal (Box–Muller) */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Fisher–Yates shuffle in place */
  shuffle(order: Uint32Array): Uint32Array {
    for (let i = order.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    return order;
  }

  /** An independent generator derived from this one (e.g. one stream for init, one for shuffling). */
  fork(): Random {
    return new Random(this.nextUint32());
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
