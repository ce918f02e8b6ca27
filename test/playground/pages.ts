// Driving the playground's pages in Chromium: open one with its problems watched, read the
// backend readout, record requestAnimationFrame intervals, and check that a page fetched
// nothing but its own files.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { watchPage, type PageProblems } from '../browser/chromium.js';

export const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts/playground');
mkdirSync(ARTIFACTS, { recursive: true });

export interface OpenPage {
  page: Page;
  problems: PageProblems;
  origin: string;
}

export async function openPage(browser: Browser, origin: string, file: string): Promise<OpenPage> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems = watchPage(page);
  await page.goto(`${origin}/${file}`);
  return { page, problems, origin };
}

/** No page error, no console error, no failed request, and every request to the page's own origin. */
export function expectClean({ problems, origin }: OpenPage): void {
  expect(problems.pageErrors, 'page errors').toEqual([]);
  expect(problems.consoleErrors, 'console errors').toEqual([]);
  expect(problems.httpErrors, 'failed requests').toEqual([]);
  const foreign = problems.requests.map((r) => r.split(' ')[1]!).filter((url) => !url.startsWith(`${origin}/`) && !/^(blob|data):/.test(url));
  expect(foreign, 'requests to other origins').toEqual([]);
}

export interface Readout { backend: string; threads: number; isolated: boolean; notes: string }

/** The header's readout of what mlpx trains on, once the page has filled it in. */
export async function readout(page: Page): Promise<Readout> {
  await page.waitForFunction(() => document.getElementById('backend')?.dataset['backend'] !== undefined, undefined, { timeout: 60_000 });
  return page.evaluate(() => {
    const out = document.getElementById('backend')!;
    return { backend: out.dataset['backend']!, threads: Number(out.dataset['threads']), isolated: out.dataset['isolated'] === 'true', notes: out.title };
  });
}

/** mlpx on wasm with every requested worker running, or on one thread with the page saying why. */
export async function expectThreads(page: Page, isolated: boolean): Promise<Readout> {
  const seen = await readout(page);
  expect(seen.backend).toBe('wasm');
  expect(seen.isolated).toBe(isolated);
  const notice = page.locator('#isolation-notice');
  if (isolated) {
    expect(seen.threads).toBeGreaterThanOrEqual(2);
    expect(seen.notes).toContain(`${seen.threads} of ${seen.threads} threads running (Web Workers`);
    expect(await notice.isVisible()).toBe(false);
  } else {
    expect(seen.threads).toBe(1);
    expect(seen.notes).toMatch(/single-threaded: the page is not cross-origin isolated/);
    expect(await notice.isVisible()).toBe(true);
    expect(await notice.textContent()).toMatch(/not cross-origin isolated, so mlpx trains on one thread/);
  }
  return seen;
}

/** Start recording the intervals between animation frames. */
export async function recordFrames(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { frameIntervals: number[]; recordingFrames: boolean };
    w.frameIntervals = [];
    w.recordingFrames = true;
    let last = -1;
    const tick = (now: number) => {
      if (last >= 0) w.frameIntervals.push(now - last);
      last = now;
      if (w.recordingFrames) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

/** Stop recording; the intervals in ms. */
export async function frameIntervals(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const w = window as unknown as { frameIntervals: number[]; recordingFrames: boolean };
    w.recordingFrames = false;
    return w.frameIntervals;
  });
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** A number the page published in an element's data attribute, once it is at least `atLeast`. */
export async function waitForData(page: Page, selector: string, key: string, atLeast: number, timeout: number): Promise<number> {
  const handle = await page.waitForFunction(
    ({ selector, key, atLeast }) => {
      const text = document.querySelector<HTMLElement>(selector)?.dataset[key];
      return text !== undefined && text !== '' && Number(text) >= atLeast ? Number(text) : false;
    },
    { selector, key, atLeast }, { timeout, polling: 100 },
  );
  return (await handle.jsonValue()) as number;
}
