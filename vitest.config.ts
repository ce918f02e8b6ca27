import { defineConfig } from 'vitest/config';
import { hasRelaxedSimd } from './src/backend/wasm/runtime.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // the package and browser tests run in their own config (test/package/vitest.config.ts), the
    // playground's in test/playground/vitest.config.ts
    exclude: ['test/browser/**', 'test/package/**', 'test/playground/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // native and wasm tests measure memory and spin up thread pools: keep files in separate forks
    pool: 'forks',
    // Node 20 has relaxed SIMD only behind this V8 flag: with it, the wasm relaxed-simd builds
    // (what browsers run) are tested beside the simd128 ones. Newer Node needs no flag.
    execArgv: hasRelaxedSimd() ? [] : ['--experimental-wasm-relaxed-simd'],
  },
});
