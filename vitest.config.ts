import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // browser tests run in their own config (they need Chromium and a built package)
    exclude: ['test/browser/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // native and wasm tests measure memory and spin up thread pools: keep files in separate forks
    pool: 'forks',
  },
});
