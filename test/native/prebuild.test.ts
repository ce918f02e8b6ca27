// `npm pack` runs native/prebuild.mjs (prepack), which puts the built addon where the loader finds
// it when mlpx is installed (the package has no install script: installing compiles nothing).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { candidatePaths, platformTag } from '../../src/backend/native/load.js';
import { addon } from './addon.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const out = mkdtempSync(path.join(tmpdir(), 'mlpx-prebuild-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.skipIf(addon === undefined)('native: prebuilt addon for packages', () => {
  it('copies the built addon to prebuilds/<platform>-<arch>, where it loads', () => {
    execFileSync(process.execPath, [path.join(ROOT, 'native/prebuild.mjs'), '--out', out], { encoding: 'utf8' });
    const copied = path.join(out, platformTag, 'mlpx.node');
    expect(readFileSync(copied).equals(readFileSync(path.join(ROOT, 'build/Release/mlpx.node')))).toBe(true);
    const loaded = createRequire(import.meta.url)(copied) as { kernelPath(): string };
    expect(['avx512', 'avx2', 'portable']).toContain(loaded.kernelPath());
  });

  it('the loader looks in the package prebuilds directory after build/', () => {
    const paths = candidatePaths();
    expect(paths.at(-1)).toBe(path.join(ROOT, 'prebuilds', platformTag, 'mlpx.node'));
    expect(paths.indexOf(path.join(ROOT, 'build/Release/mlpx.node'))).toBe(0);
  });
});
