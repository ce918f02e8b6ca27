// The Chromium side of bench/ab/wasm.ts: serves the repository (dist/ and bench/ab/) cross-origin
// isolated, opens bench/ab/wasm-page.html in Debian's Chromium and runs the cases there, on the
// page's main thread as an application would (it spins where a worker would block). Contenders
// with a module file get it served at /contender/<index>.wasm.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launchChromium } from '../../test/browser/chromium.js';
import { ISOLATION_HEADERS, serveStatic } from '../../test/browser/server.js';
import type { SplitCosts } from '../../src/backend/wasm/threads.js';
import type { AbResult, CaseOptions, Contender, RoundOptions } from './wasm.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Open the harness page in Chromium and run `body` with it; the server and browser close after. */
async function withPage<T>(contenders: readonly Contender[], body: (page: Page, contenderUrl: (i: number) => string) => Promise<T>): Promise<T> {
  const site = await serveStatic(ROOT, { isolated: true });
  // the contenders' own module files, from a second origin-isolated server on the same host
  const files = createServer((request, response) => {
    const index = Number(/^\/contender\/(\d)\.wasm$/.exec(request.url ?? '')?.[1]);
    const file = contenders[index]?.file;
    if (file === undefined) return void response.writeHead(404).end();
    response.writeHead(200, { ...ISOLATION_HEADERS, 'Access-Control-Allow-Origin': '*', 'Content-Type': 'application/wasm' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  const { port } = files.address() as { port: number };
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.error(`[page] ${String(error)}`));
    page.on('console', (message) => { if (message.type() === 'error') console.error(`[page] ${message.text()}`); });
    await page.goto(`${site.origin}/bench/ab/wasm-page.html`);
    await page.waitForFunction(() => 'runAb' in window);
    return await body(page, (i) => `http://127.0.0.1:${port}/contender/${i}.wasm`);
  } finally {
    await browser.close();
    await site.close();
    files.close();
  }
}

export function calibrateInChromium(): Promise<string[]> {
  return withPage([], (page) => page.evaluate(() => (window as unknown as { calibrateAb: () => Promise<string[]> }).calibrateAb()));
}

export async function runInChromium(
  cases: readonly CaseOptions[], contenders: readonly [Contender, Contender], options: RoundOptions,
  splitCosts: Partial<SplitCosts>, report: (r: AbResult) => void,
): Promise<void> {
  await withPage(contenders, async (page, contenderUrl) => {
    await page.exposeFunction('abReport', (result: AbResult) => report(result));
    const setup = {
      cases, ...options, splitCosts,
      contenders: contenders.map((c, i) => ({ label: c.label, threads: c.threads, kernels: c.kernels, url: c.file === undefined ? null : contenderUrl(i) })),
    };
    await page.evaluate((s) => (window as unknown as { runAb: (s: unknown) => Promise<void> }).runAb(s), setup);
  });
}
