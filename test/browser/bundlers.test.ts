// mlpx as a user gets it: the packed tarball (test/package/setup.ts) in an app built by Vite,
// esbuild, webpack and Rollup with their default configuration, in a plain static copy of the
// package behind an import map, and under the Vite dev server. Each page is served with and
// without the COOP/COEP headers and must train with wasm (never js): on every core when
// cross-origin isolated, on one thread when not; with no failed request, no page error and no
// console error or warning. Nothing is configured for mlpx, no file is copied, no plugin added.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { run } from '../package/npm.js';
import { launchChromium, pageRun, skipReason, type PageRun } from './chromium.js';
import { serveStatic } from './server.js';

interface AppResult {
  backend: string; accuracy: number; isolated: boolean; threads: number | null; notes: string[]; warnings: string[];
}

const BUILT = ['vite', 'esbuild', 'webpack', 'rollup', 'plain'] as const;
const ISOLATION = [true, false] as const;

function expectTrainedWithWasm(page: PageRun<AppResult>, isolated: boolean): void {
  expect(page.failure, 'the page reported an error').toBeUndefined();
  expect(page.pageErrors, 'page errors').toEqual([]);
  expect(page.consoleErrors, 'console errors').toEqual([]);
  expect(page.httpErrors, 'failed requests').toEqual([]);
  const result = page.result!;
  expect(result.warnings, 'console warnings').toEqual([]);
  expect(result.backend).toBe('wasm');
  expect(result.accuracy).toBe(1);
  expect(result.isolated).toBe(isolated);
  // Chromium has relaxed SIMD (since 114): auto loads the fused multiply-add build
  expect(result.notes.join(' ')).toMatch(/relaxed SIMD: the GEMM's multiply-adds are fused/);
  if (isolated) {
    expect(result.threads).toBeGreaterThanOrEqual(2);
    // every requested worker started: the Blob-URL workers survived the bundler
    expect(result.notes.join(' ')).toMatch(new RegExp(`${result.threads} of ${result.threads} threads running \\(Web Workers`));
  } else {
    expect(result.threads).toBe(1);
    expect(result.notes.join(' ')).toMatch(/not cross-origin isolated/);
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `vite` in the app folder, as `npx vite` starts it; resolves once it answers. */
async function viteDevServer(fixture: string, isolated: boolean): Promise<{ origin: string; stop: () => void }> {
  const port = await freePort();
  const args = [path.join(fixture, 'node_modules/vite/bin/vite.js'), 'app', '--host', '127.0.0.1', '--port', String(port), '--strictPort'];
  if (isolated) args.push('--config', 'vite.isolated.config.js');
  const child: ChildProcess = spawn(process.execPath, args, { cwd: fixture, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => { output += chunk; });
  child.stderr!.on('data', (chunk) => { output += chunk; });
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vite exited with ${child.exitCode}:\n${output}`);
    if (await fetch(origin).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`vite did not answer on ${origin} within 60 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { origin, stop: () => child.kill() };
}

describe.skipIf(skipReason !== null)('the packed package in bundled apps, in Chromium', () => {
  const fixture = inject('fixture');
  const out = mkdtempSync(path.join(tmpdir(), 'mlpx-apps-'));
  let browser: Browser;

  beforeAll(async () => {
    const built = run(process.execPath, ['build.mjs', out], { cwd: fixture });
    console.log(`[bundlers] ${built.stdout.trim().split('\n').join('; ')}`);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    rmSync(out, { recursive: true, force: true });
  });

  for (const app of BUILT) {
    for (const isolated of ISOLATION) {
      it(`${app}: trains with wasm ${isolated ? 'on worker threads (isolated)' : 'on one thread (not isolated)'}`, async () => {
        const server = await serveStatic(path.join(out, app), { isolated });
        try {
          expectTrainedWithWasm(await pageRun<AppResult>(browser, `${server.origin}/index.html`), isolated);
        } finally {
          await server.close();
        }
      });
    }
  }

  it('plain: setWasmLocation fetches the self-hosted .wasm files instead of the embedded ones', async () => {
    const server = await serveStatic(path.join(out, 'plain'), { isolated: true });
    try {
      const page = await pageRun<AppResult>(browser, `${server.origin}/index.html?wasm-location=./mlpx/dist/wasm/`);
      expectTrainedWithWasm(page, true);
      expect(page.requests).toContain(`200 ${server.origin}/mlpx/dist/wasm/mlpx-threads-relaxed.wasm`);
    } finally {
      await server.close();
    }
  });

  it('plain: when wasm cannot load, auto trains with js and warns once on the console, saying why', async () => {
    const server = await serveStatic(path.join(out, 'plain'), { isolated: true });
    try {
      const page = await pageRun<AppResult>(browser, `${server.origin}/index.html?wasm-location=./nowhere/`);
      expect(page.failure).toBeUndefined();
      expect(page.pageErrors).toEqual([]);
      expect(page.httpErrors.filter((e) => !e.includes('/nowhere/mlpx-threads-relaxed.wasm'))).toEqual([]);
      expect(page.result).toMatchObject({ backend: 'js', accuracy: 1 });
      expect(page.result!.notes.join(' ')).toMatch(/cannot fetch .*\/nowhere\/mlpx-threads-relaxed\.wasm \(HTTP 404\)/);
      expect(page.result!.warnings).toHaveLength(1);
      expect(page.result!.warnings[0]).toMatch(/'auto' is using js.*wasm: cannot fetch .*HTTP 404/);
    } finally {
      await server.close();
    }
  });

  for (const isolated of ISOLATION) {
    it(`vite dev server: trains with wasm ${isolated ? 'on worker threads (isolated)' : 'on one thread (not isolated)'}`, async () => {
      // the optimizer's cache of a previous run's package must not stand in for this one
      for (const cache of ['node_modules/.vite', 'app/node_modules/.vite']) rmSync(path.join(fixture, cache), { recursive: true, force: true });
      const server = await viteDevServer(fixture, isolated);
      try {
        expectTrainedWithWasm(await pageRun<AppResult>(browser, `${server.origin}/`), isolated);
      } finally {
        server.stop();
      }
    });
  }
});
