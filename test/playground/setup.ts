// Once before the playground tests: install the playground's dependencies (its own lockfile;
// mlpx is this repository through `file:..`, so it must have been built: `npm install` does
// that), type-check its sources, and build the static site into a temporary folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { NPM_QUIET, npm, run } from '../package/npm.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PLAYGROUND = path.join(ROOT, 'playground');

declare module 'vitest' {
  export interface ProvidedContext {
    /** the production build of the playground */
    playgroundSite: string;
  }
}

export default function setup(project: TestProject): () => void {
  const installed = npm(['--prefix', PLAYGROUND, 'install', ...NPM_QUIET], { cwd: ROOT });
  const checked = run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(PLAYGROUND, 'tsconfig.json')], { cwd: ROOT });
  const site = mkdtempSync(path.join(tmpdir(), 'mlpx-playground-'));
  const built = run(process.execPath, [path.join(PLAYGROUND, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', site, '--emptyOutDir', '--logLevel', 'warn'], { cwd: PLAYGROUND });
  console.log(`[playground] npm install ${installed.seconds.toFixed(0)} s, tsc ${checked.seconds.toFixed(0)} s, vite build ${built.seconds.toFixed(0)} s`);
  project.provide('playgroundSite', site);
  return () => rmSync(site, { recursive: true, force: true });
}
