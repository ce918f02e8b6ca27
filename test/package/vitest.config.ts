// The tests of the package as published (`npm run test:package`, after the main suite): the
// setup packs it once; test/package installs the tarball as a user would and checks its types,
// test/browser loads it in Chromium, built by each bundler. The main config excludes both folders.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../../', import.meta.url)),
  test: {
    include: ['test/package/**/*.test.ts', 'test/browser/**/*.test.ts'],
    globalSetup: ['test/package/setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
