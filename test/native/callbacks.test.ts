// A JS exception thrown inside a callback the addon calls (epoch progress) must reject the
// training promise with it — even where Node turns exceptions escaping Node-API callbacks into
// process-ending uncaught exceptions (--force-node-api-uncaught-exceptions-policy=true).
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addon } from './addon.js';

const root = resolve(import.meta.dirname, '../..');

describe.skipIf(addon === undefined)('native: exceptions from callbacks', () => {
  it('reject the fit and the epoch, and never reach the process', () => {
    const run = spawnSync(process.execPath, ['--force-node-api-uncaught-exceptions-policy=true', '--import', 'tsx', join(root, 'test/native/fixtures/throwing-callbacks.ts')], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1)!)).toEqual({ fitError: 'from onBatchEnd', engineError: 'from onProgress' });
  });
});
