// The playground's tests (`npm run test:playground`, part of `npm test`): the setup installs the
// playground's own dependencies, type-checks it and builds it with Vite once; the tests drive the
// production build in Debian's Chromium. One file at a time: the timing checks (frame intervals
// during training) need the machine's cores for the page and mlpx's threads.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../../', import.meta.url)),
  test: {
    include: ['test/playground/**/*.test.ts'],
    globalSetup: ['test/playground/setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
