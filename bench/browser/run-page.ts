// Runs the browser benchmark's page (page.js) in Chromium, cross-origin isolated, and returns what
// it publishes: `npm run bench:browser` (main.ts) times it, test/browser/bench-page.test.ts runs it
// small. The page's folder is made for the run and removed after it: its four files and the
// capability probe's (bench/ab/wasm-work.js), mlpx's dist/, the two tfjs builds, and the digits
// (decompressed).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { pageRun } from '../../test/browser/chromium.js';
import { serveStatic } from '../../test/browser/server.js';
import type { BrowserPageResult } from './section.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

function site(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlpx-bench-browser-'));
  for (const file of ['index.html', 'page.js', 'small-networks.js', 'pool-tasks.js']) symlinkSync(path.join(import.meta.dirname, file), path.join(dir, file));
  symlinkSync(path.join(import.meta.dirname, '../ab/wasm-work.js'), path.join(dir, 'wasm-work.js'));
  mkdirSync(path.join(dir, 'mlpx'));
  symlinkSync(path.join(ROOT, 'dist'), path.join(dir, 'mlpx', 'dist'));
  symlinkSync(path.join(ROOT, 'node_modules/@tensorflow/tfjs/dist'), path.join(dir, 'tfjs'));
  symlinkSync(path.join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist'), path.join(dir, 'tfjs-wasm'));
  writeFileSync(path.join(dir, 'digits.bin'), brotliDecompressSync(readFileSync(path.join(ROOT, 'dist/data/digits.br'))));
  return dir;
}

/**
 * The page's result for `rounds` rounds over `rows` training rows (the playground networks take
 * three times the rounds); `log` receives the page's console.log lines. Throws what went wrong on
 * the page: its own error report, page errors, console errors, failed requests.
 */
export async function runBenchmarkPage(browser: Browser, options: { rounds: number; rows: number; log?: (line: string) => void }): Promise<BrowserPageResult> {
  const dir = site();
  const server = await serveStatic(dir, { isolated: true });
  try {
    const url = `${server.origin}/index.html?rounds=${options.rounds}&rows=${options.rows}`;
    const run = await pageRun<BrowserPageResult>(browser, url, { timeoutMs: 30 * 60_000, ...(options.log ? { log: options.log } : {}) });
    if (run.failure !== undefined) throw new Error(`the benchmark page failed: ${run.failure}`);
    const problems = [...run.pageErrors, ...run.consoleErrors, ...run.httpErrors];
    if (problems.length > 0) throw new Error(`the benchmark page had errors:\n${problems.join('\n')}`);
    if (run.result === undefined) throw new Error('the benchmark page published no result');
    return run.result;
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
