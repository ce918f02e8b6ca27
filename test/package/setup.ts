// Once before the package and browser tests: `npm pack`, with the lifecycle scripts `npm publish`
// runs (prepack: the native builds into prebuilds/; prepare: dist/), and the consumer fixture —
// the pinned bundlers and type tools a user would have (fixture/package-lock.json), installed once
// per lockfile into the OS temp folder and reused by later runs, with the tarball installed on top.
// MLPX_PACKAGE=path/to/mlpx-x.y.z.tgz tests that tarball instead of packing (a published one).
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { NPM_QUIET, npm } from './npm.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURE = path.join(import.meta.dirname, 'fixture');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');

declare module 'vitest' {
  export interface ProvidedContext {
    /** the packed package */
    tarball: string;
    /** the consumer fixture: bundlers, expect-type, @types/node and the packed mlpx installed */
    fixture: string;
  }
}

function pack(destination: string): string {
  const { name, version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  const result = npm(['pack', '--pack-destination', destination, ...NPM_QUIET], { cwd: ROOT });
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(path.join(ARTIFACTS, 'npm-pack.log'), `${result.stdout}\n${result.stderr}`);
  const tarball = path.join(destination, `${name}-${version}.tgz`);
  if (!existsSync(tarball)) throw new Error(`npm pack wrote no ${tarball}`);
  console.log(`[package] npm pack: ${path.basename(tarball)} in ${result.seconds.toFixed(0)} s (log: test-artifacts/npm-pack.log)`);
  return tarball;
}

function consumerFixture(tarball: string): string {
  const lock = readFileSync(path.join(FIXTURE, 'package-lock.json'));
  const dir = path.join(tmpdir(), `mlpx-consumer-${createHash('sha256').update(lock).digest('hex').slice(0, 12)}`);
  const ready = path.join(dir, 'node_modules', '.mlpx-fixture-ready');
  if (!existsSync(ready)) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const file of ['package.json', 'package-lock.json']) cpSync(path.join(FIXTURE, file), path.join(dir, file));
    const result = npm(['ci', '--ignore-scripts', ...NPM_QUIET], { cwd: dir });
    writeFileSync(ready, '');
    console.log(`[package] consumer fixture installed in ${result.seconds.toFixed(0)} s: ${dir}`);
  }
  for (const entry of ['app', 'build.mjs', 'vite.isolated.config.js']) cpSync(path.join(FIXTURE, entry), path.join(dir, entry), { recursive: true });
  rmSync(path.join(dir, 'node_modules', 'mlpx'), { recursive: true, force: true }); // the last run's
  npm(['install', '--no-save', '--ignore-scripts', ...NPM_QUIET, tarball], { cwd: dir });
  return dir;
}

export default function setup(project: TestProject): () => void {
  const destination = mkdtempSync(path.join(tmpdir(), 'mlpx-pack-'));
  const given = process.env['MLPX_PACKAGE'];
  const tarball = given !== undefined && given !== '' ? path.resolve(given) : pack(destination);
  project.provide('tarball', tarball);
  project.provide('fixture', consumerFixture(tarball));
  return () => rmSync(destination, { recursive: true, force: true });
}
