// Debian's Chromium (/usr/bin/chromium) driven by playwright-core; no browser is ever downloaded.
// A fresh clone's `npm test` cannot install a browser, so without Chromium the browser tests are
// skipped with the reason printed; CI installs Chromium and sets MLPX_REQUIRE_BROWSER=1 so they
// must run. pageRun() loads a page that publishes window.mlpxResult or window.mlpxError and
// collects everything that went wrong on the way: page errors, console errors, failed requests.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const required = process.env['MLPX_REQUIRE_BROWSER'] === '1';
export const skipReason = process.env['MLPX_SKIP_BROWSER'] === '1' ? 'MLPX_SKIP_BROWSER=1'
  : !required && !existsSync(CHROMIUM) ? `${CHROMIUM} not found (apt-get update && apt-get install -y chromium)` : null;
if (skipReason !== null) console.warn(`[browser] Chromium tests skipped: ${skipReason}`);

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install it with \`apt-get update && apt-get install -y chromium\` (or set MLPX_SKIP_BROWSER=1)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** What went wrong on a page: errors thrown, console errors, failed requests. */
export interface PageProblems {
  pageErrors: string[];
  consoleErrors: string[];
  /** responses with status ≥ 400 and requests that failed outright */
  httpErrors: string[];
  /** every URL the page requested, with its status */
  requests: string[];
}

/** Start collecting a page's problems (from now on, for the page's lifetime). */
export function watchPage(page: Page): PageProblems {
  const seen: PageProblems = { pageErrors: [], consoleErrors: [], httpErrors: [], requests: [] };
  page.on('pageerror', (error) => seen.pageErrors.push(String(error)));
  page.on('console', (message) => { if (message.type() === 'error') seen.consoleErrors.push(message.text()); });
  page.on('response', (response) => {
    seen.requests.push(`${response.status()} ${response.url()}`);
    if (response.status() >= 400) seen.httpErrors.push(`${response.status()} ${response.url()}`);
  });
  page.on('requestfailed', (request) => seen.httpErrors.push(`failed ${request.url()}: ${request.failure()?.errorText}`));
  return seen;
}

export interface PageRun<T> extends PageProblems {
  result: T | undefined;
  /** window.mlpxError, the page's own report of a failure */
  failure: string | undefined;
}

/**
 * Open `url`, wait for window.mlpxResult or window.mlpxError (up to `timeoutMs`, 2 minutes by
 * default; checked every 0.5 s rather than every frame, so the wait takes nothing from a
 * benchmark's timing), and report what happened; `log` receives the page's console.log lines.
 */
export async function pageRun<T>(
  browser: Browser, url: string, options: { screenshot?: string; timeoutMs?: number; log?: (line: string) => void } = {},
): Promise<PageRun<T>> {
  const page: Page = await browser.newPage();
  const run: PageRun<T> = { result: undefined, failure: undefined, ...watchPage(page) };
  const log = options.log;
  if (log !== undefined) page.on('console', (message) => { if (message.type() === 'log') log(message.text()); });
  try {
    await page.goto(url);
    await page.waitForFunction(() => 'mlpxResult' in window || 'mlpxError' in window, undefined, { timeout: options.timeoutMs ?? 120_000, polling: 500 });
    run.failure = await page.evaluate(() => (window as unknown as { mlpxError?: string }).mlpxError);
    run.result = await page.evaluate(() => (window as unknown as { mlpxResult?: unknown }).mlpxResult) as T | undefined;
    if (options.screenshot !== undefined) await page.screenshot({ path: options.screenshot, fullPage: true });
  } finally {
    await page.close();
  }
  return run;
}
