// Thread counts: any integer ≥ 1 is accepted synchronously; more than a backend runs (4 per
// core, and wasm's 32) is clamped with a note in details(); anything else is an
// InvalidArgumentError thrown at once — never a rejection from a promise nobody awaits, and a
// huge MLPX_THREADS never makes `auto` skip a backend.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { THREADS_PER_CORE } from '../../src/backend/threads.js';
import { loadBackend, setThreads } from '../../src/backend/registry.js';
import { InvalidArgumentError, Network } from '../../src/index.js';
import { BACKENDS, outcome, tally } from './setup.js';

const count = tally('threads');
const root = resolve(import.meta.dirname, '../..');
const cores = availableParallelism();
const cap = (name: string) => (name === 'js' ? 1 : Math.min(name === 'wasm' ? 32 : 1024, cores * THREADS_PER_CORE));

function backendInfoWith(env: Record<string, string>): { chosen?: string; error?: string; backends?: { name: string; threads: number; notes: string[] }[] } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test/misuse/fixtures/backend-info.ts')], { cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!);
}

afterAll(() => setThreads(cores));

describe('threads', () => {
  it('setThreads(2000) clamps every loaded backend to what it runs, with a note, and never rejects', async () => {
    for (const name of BACKENDS) await loadBackend(name);
    setThreads(2000);
    for (const name of BACKENDS) {
      const backend = await loadBackend(name);
      expect(backend.maxThreads, name).toBe(cap(name));
      if (name === 'js') continue;
      if (name === 'wasm') await (backend as unknown as { threadsReady(): Promise<void> }).threadsReady();
      expect(backend.details().threads, name).toBe(cap(name));
      expect(backend.details().notes.join(' '), name).toMatch(new RegExp(`2000 threads requested; using ${cap(name)}`));
    }
    setThreads(cores);
    for (const name of BACKENDS) expect((await loadBackend(name)).details().notes.join(' ')).not.toMatch(/requested/);
  });

  it('refuses counts that are not integers ≥ 1, synchronously', async () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Infinity, '4', null]) {
      const error = await outcome(() => setThreads(bad as number));
      count(error);
      expect(error, String(bad)).toBeInstanceOf(InvalidArgumentError);
    }
    for (const name of BACKENDS) {
      const error = await outcome(() => Network.create({ inputs: 1, layers: [{ units: 1, activation: 'linear' }], loss: 'mse', backend: name, threads: 0 }));
      count(error);
      expect(error).toBeInstanceOf(InvalidArgumentError);
    }
  });

  it('MLPX_THREADS=2000 is clamped like setThreads: auto still picks the first backend', () => {
    const info = backendInfoWith({ MLPX_THREADS: '2000' });
    expect(info.chosen).toBe(BACKENDS[0]);
    for (const backend of info.backends!) {
      if (backend.name === 'js') continue;
      expect(backend.threads, backend.name).toBe(cap(backend.name));
      expect(backend.notes.join(' ')).toMatch(/2000 threads requested/);
    }
  });

  it('a malformed MLPX_THREADS is an error of its own, not a reason to fall back', () => {
    for (const bad of ['many', '0', '1e3', '-2']) {
      const info = backendInfoWith({ MLPX_THREADS: bad });
      count(info.error === undefined ? undefined : Object.assign(new Error(), { name: info.error }));
      expect(info.error, bad).toBe('InvalidArgumentError');
    }
  });
});
