import { defineConfig } from 'vitest/config';

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
  },
});
