// Each optimizer's update against values computed by hand from the update formulas, for
// two steps, on the reference kernels (the parity suite holds the other backends to these).
import { describe, expect, it } from 'vitest';
import { jsKernels as k } from '../../src/backend/js/index.js';

const theta0 = 1;
const g1 = 0.5;
const g2 = -0.25;

describe('optimizer updates (two steps, by hand)', () => {
  it('SGD: θ ← θ − η g', () => {
    const p = Float32Array.of(theta0);
    k.sgd_update(p, Float32Array.of(g1), 1, 0.1, 1, 0, 0, 0, 0);
    expect(p[0]).toBeCloseTo(0.95, 6); // 1 − 0.1·0.5
    k.sgd_update(p, Float32Array.of(g2), 1, 0.1, 1, 0, 0, 0, 0);
    expect(p[0]).toBeCloseTo(0.975, 6); // 0.95 + 0.1·0.25
  });

  it('momentum: v ← γv + ηg, θ ← θ − v', () => {
    const p = Float32Array.of(theta0);
    const v = new Float32Array(1);
    k.momentum_update(p, Float32Array.of(g1), v, 1, 0.1, 0.9, 0, 1, 0, 0, 0, 0);
    expect(v[0]).toBeCloseTo(0.05, 6);
    expect(p[0]).toBeCloseTo(0.95, 6);
    k.momentum_update(p, Float32Array.of(g2), v, 1, 0.1, 0.9, 0, 1, 0, 0, 0, 0);
    expect(v[0]).toBeCloseTo(0.02, 6); // 0.9·0.05 − 0.025
    expect(p[0]).toBeCloseTo(0.93, 6);
  });

  it('RMSProp: s ← βs + (1−β)g², θ ← θ − η g/√(s+ε)', () => {
    const p = Float32Array.of(theta0);
    const s = new Float32Array(1);
    k.rmsprop_update(p, Float32Array.of(g1), s, 1, 0.01, 0.9, 1e-8, 1, 0, 0, 0, 0);
    expect(s[0]).toBeCloseTo(0.025, 7); // 0.1·0.25
    expect(p[0]).toBeCloseTo(1 - (0.01 * 0.5) / Math.sqrt(0.025 + 1e-8), 6); // 0.968377…
    k.rmsprop_update(p, Float32Array.of(g2), s, 1, 0.01, 0.9, 1e-8, 1, 0, 0, 0, 0);
    expect(s[0]).toBeCloseTo(0.02875, 7); // 0.9·0.025 + 0.1·0.0625
    expect(p[0]).toBeCloseTo(0.968377 + (0.01 * 0.25) / Math.sqrt(0.02875 + 1e-8), 5); // 0.983121…
  });

  it('Adam: bias-corrected moments', () => {
    const p = Float32Array.of(theta0);
    const m = new Float32Array(1);
    const v = new Float32Array(1);
    k.adam_update(p, Float32Array.of(g1), m, v, 1, 0.001, 0.9, 0.999, 1e-8, 1, 1, 0, 0, 0, 0);
    // m = 0.05, v = 0.00025, m̂ = 0.5, v̂ = 0.25: θ = 1 − 0.001·0.5/(0.5 + 1e-8)
    expect(m[0]).toBeCloseTo(0.05, 7);
    expect(v[0]).toBeCloseTo(0.00025, 9);
    expect(p[0]).toBeCloseTo(0.999, 6);
    k.adam_update(p, Float32Array.of(g2), m, v, 1, 0.001, 0.9, 0.999, 1e-8, 2, 1, 0, 0, 0, 0);
    // m = 0.045 − 0.025 = 0.02, v = 0.00024975 + 0.0000625 = 0.00031225
    // m̂ = 0.02/0.19 = 0.105263, v̂ = 0.00031225/0.001999 = 0.156203; step = 0.001·0.105263/0.395225 = 0.000266337
    expect(m[0]).toBeCloseTo(0.02, 7);
    expect(v[0]).toBeCloseTo(0.00031225, 9);
    expect(p[0]).toBeCloseTo(0.999 - 0.000266337, 6);
  });

  it('Nesterov momentum: v ← γv + ηg, θ ← θ − (γv + ηg)', () => {
    const p = Float32Array.of(theta0);
    const v = new Float32Array(1);
    k.momentum_update(p, Float32Array.of(g1), v, 1, 0.1, 0.9, 1, 1, 0, 0, 0, 0);
    expect(v[0]).toBeCloseTo(0.05, 6);
    expect(p[0]).toBeCloseTo(1 - (0.9 * 0.05 + 0.05), 6); // 0.905
    k.momentum_update(p, Float32Array.of(g2), v, 1, 0.1, 0.9, 1, 1, 0, 0, 0, 0);
    expect(v[0]).toBeCloseTo(0.02, 6);
    expect(p[0]).toBeCloseTo(0.905 - (0.9 * 0.02 - 0.025), 6); // 0.912
  });

  it('the gradient transform: clip-by-norm factor, clamp, then l2 θ + l1 sign θ', () => {
    const p = Float32Array.of(-2);
    // g = 0.5 · 0.5 = 0.25 → clamped to 0.2; + 0.1·(−2) + 0.05·(−1) = −0.05; θ = −2 + 0.1·0.05
    k.sgd_update(p, Float32Array.of(g1), 1, 0.1, 0.5, 0.2, 0.1, 0.05, 0);
    expect(p[0]).toBeCloseTo(-1.995, 6);
  });

  it('decoupled weight decay (AdamW): θ ← θ − η λ θ − η m̂/(√v̂ + ε)', () => {
    const p = Float32Array.of(theta0);
    const m = new Float32Array(1);
    const v = new Float32Array(1);
    k.adam_update(p, Float32Array.of(g1), m, v, 1, 0.001, 0.9, 0.999, 1e-8, 1, 1, 0, 0, 0, 0.1);
    expect(m[0]).toBeCloseTo(0.05, 7); // the decay does not enter the moments
    expect(p[0]).toBeCloseTo(1 - 0.001 * 0.1 - 0.001, 6); // 0.9989
  });
});
