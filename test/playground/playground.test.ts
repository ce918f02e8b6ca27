// The playground's production build in Chromium. Each page loads cleanly (no page or console
// error, no failed request, nothing fetched from another origin), cross-origin isolated with
// mlpx's wasm backend on ≥ 2 threads; training reaches its threshold in the stated time while
// animation frames keep coming (p95 interval < 100 ms); drawing on the digits pad gives a
// prediction; Armijo's cost never rises; served without COOP/COEP, the pages train on one
// thread and say so; the dev server (`npm run playground`) sends the headers and its pages train.
// Screenshots: test-artifacts/playground/.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadDigits } from '../../src/data/digits.js';
import { launchChromium, skipReason } from '../browser/chromium.js';
import { serveStatic, type Served } from '../browser/server.js';
import { ARTIFACTS, expectClean, expectThreads, frameIntervals, openPage, percentile, recordFrames, waitForData, type OpenPage } from './pages.js';

const PAGES = ['index.html', 'classify.html', 'digits.html', 'optimise.html'] as const;
const FRAME_P95_MS = 100;

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Frame intervals over `ms` of whatever the page is doing; logs and returns the 95th percentile. */
async function frameP95(page: Page, ms: number, what: string): Promise<number> {
  await recordFrames(page);
  await page.waitForTimeout(ms);
  const intervals = await frameIntervals(page);
  const p95 = percentile(intervals, 95);
  console.log(`[playground] ${what}: ${intervals.length} frames in ${ms} ms, interval p95 ${p95.toFixed(1)} ms, max ${Math.max(...intervals).toFixed(1)} ms`);
  expect(intervals.length).toBeGreaterThan(ms / 200);
  return p95;
}

/** A small MNIST-style set as IDX files: images gzip-compressed, labels raw. */
function writeIdxFiles(): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'mlpx-idx-'));
  const { train, test } = loadDigits(0.2, 1);
  const files: string[] = [];
  const write = (name: string, bytes: Uint8Array) => {
    files.push(path.join(dir, name));
    writeFileSync(files.at(-1)!, bytes);
  };
  for (const [prefix, set, rows] of [['train', train, 600], ['t10k', test, 100]] as const) {
    const images = new Uint8Array(16 + rows * 784);
    new DataView(images.buffer).setUint32(0, 0x803);
    [rows, 28, 28].forEach((d, i) => new DataView(images.buffer).setUint32(4 + 4 * i, d));
    for (let i = 0; i < rows * 784; i++) images[16 + i] = Math.round(set.x[i]! * 255);
    const labels = new Uint8Array(8 + rows);
    new DataView(labels.buffer).setUint32(0, 0x801);
    new DataView(labels.buffer).setUint32(4, rows);
    labels.set(set.labels.subarray(0, rows), 8);
    write(`${prefix}-images-idx3-ubyte.gz`, gzipSync(images));
    write(`${prefix}-labels-idx1-ubyte`, labels);
  }
  return files;
}

async function drawSeven(page: Page): Promise<void> {
  const box = (await page.locator('#pad').boundingBox())!;
  const at = (x: number, y: number) => [box.x + (x / 280) * box.width, box.y + (y / 280) * box.height] as const;
  await page.mouse.move(...at(70, 60));
  await page.mouse.down();
  await page.mouse.move(...at(210, 60), { steps: 12 });
  await page.mouse.move(...at(130, 240), { steps: 16 });
  await page.mouse.up();
}

describe.skipIf(skipReason !== null)('the playground in Chromium (production build)', () => {
  const site = inject('playgroundSite');
  let browser: Browser;
  let isolated: Served;
  let plain: Served;
  const opened: OpenPage[] = [];
  const open = async (origin: string, file: string) => {
    const page = await openPage(browser, origin, file);
    opened.push(page);
    return page;
  };

  beforeAll(async () => {
    browser = await launchChromium();
    isolated = await serveStatic(site, { isolated: true });
    plain = await serveStatic(site, { isolated: false });
  });
  afterAll(async () => {
    await browser?.close();
    await isolated?.close();
    await plain?.close();
  });

  it('every page loads cross-origin isolated, mlpx on wasm with ≥ 2 threads, nothing fetched but its own files', async () => {
    for (const file of PAGES) {
      const opened = await open(isolated.origin, file);
      await expectThreads(opened.page, true);
      if (file === 'optimise.html') await opened.page.waitForFunction(() => document.getElementById('surface-legend')?.dataset['armijoCosts'] !== undefined, undefined, { timeout: 60_000 });
      if (file === 'digits.html') await opened.page.waitForFunction(() => document.getElementById('test-accuracy')?.dataset['value'] !== undefined, undefined, { timeout: 60_000 });
      await screenshot(opened.page, file.replace('.html', '-loaded'));
      expectClean(opened);
      await opened.page.close();
    }
  });

  it('classify: XOR, started from the keyboard, reaches 100% test accuracy within 30 s; frames keep coming (p95 < 100 ms)', async () => {
    const opened = await open(isolated.origin, 'classify.html');
    const { page } = opened;
    await expectThreads(page, true);
    expect(await page.locator('input[name="dataset"][value="xor"]').isChecked()).toBe(true);
    const idle = await frameP95(page, 2000, 'classify, idle (the machine\'s baseline)');
    await page.focus('#play');
    await page.keyboard.press('Enter');
    expect(await page.getAttribute('#play', 'aria-pressed')).toBe('true');
    const p95 = await frameP95(page, 5000, 'classify (XOR) while training');
    const started = Date.now();
    await waitForData(page, '#test-accuracy', 'value', 1, 30_000);
    await waitForData(page, '#train-accuracy', 'value', 1, 30_000);
    console.log(`[playground] XOR at 100% test accuracy ${((Date.now() - started) / 1000 + 5).toFixed(1)} s after Train; ${await page.textContent('#rate')}`);
    expect(p95).toBeLessThan(FRAME_P95_MS);
    expect(idle).toBeLessThan(FRAME_P95_MS);
    await screenshot(page, 'classify-xor');
    await page.keyboard.press('Enter'); // pause: the button still has focus
    expect(await page.getAttribute('#play', 'aria-pressed')).toBe('false');
    expectClean(opened);
  });

  it('classify: spirals reach ≥ 95% test accuracy within 60 s', async () => {
    const opened = await open(isolated.origin, 'classify.html#data=spirals&features=x,y,sinx,siny&layers=8:tanh,8:tanh&lr=0.01');
    const { page } = opened;
    await expectThreads(page, true);
    await page.click('#play');
    const started = Date.now();
    const accuracy = await waitForData(page, '#test-accuracy', 'value', 0.95, 60_000);
    console.log(`[playground] spirals at ${(accuracy * 100).toFixed(1)}% test accuracy ${((Date.now() - started) / 1000).toFixed(1)} s after Train`);
    await screenshot(page, 'classify-spirals');
    expectClean(opened);
  });

  it('classify: points placed with the mouse and the keyboard are trained on', async () => {
    const opened = await open(isolated.origin, 'classify.html');
    const { page } = opened;
    await page.check('input[name="dataset"][value="custom"]');
    const map = page.locator('#output-map');
    const box = (await map.boundingBox())!;
    await page.check('input[name="paint"][value="0"]');
    await map.click({ position: { x: box.width * 0.2, y: box.height * 0.2 } });
    await map.click({ position: { x: box.width * 0.8, y: box.height * 0.8 }, modifiers: ['Shift'] }); // the other colour
    await map.focus();
    for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Shift+Enter');
    await page.click('#play');
    await waitForData(page, '#train-accuracy', 'value', 1, 30_000);
    expect(await page.textContent('#test-accuracy')).toBe('–'); // placed points all train
    expectClean(opened);
  });

  it('digits: ≥ 90% test accuracy within 60 s with frames p95 < 100 ms; a drawn digit gets a prediction', async () => {
    const opened = await open(isolated.origin, 'digits.html');
    const { page } = opened;
    await expectThreads(page, true);
    await page.waitForFunction(() => document.getElementById('model-summary')?.textContent?.startsWith('Now:'), undefined, { timeout: 60_000 });
    await page.fill('#epochs', '10');
    await page.click('#train');
    const started = Date.now();
    const p95 = await frameP95(page, 4000, 'digits while training');
    const accuracy = await waitForData(page, '#test-accuracy', 'value', 0.9, 60_000);
    console.log(`[playground] digits at ${(accuracy * 100).toFixed(1)}% test accuracy ${((Date.now() - started) / 1000).toFixed(1)} s after Train (${await page.textContent('#train-status')})`);
    expect(p95).toBeLessThan(FRAME_P95_MS);
    await drawSeven(page);
    const digit = await waitForData(page, '#prediction', 'digit', 0, 10_000);
    expect(digit).toBeLessThanOrEqual(9);
    expect(await page.locator('#probabilities .bar-row').count()).toBe(10);
    await page.click('#train'); // stop
    await page.waitForFunction(() => document.getElementById('train')?.textContent === 'Train', undefined, { timeout: 60_000 });
    await screenshot(page, 'digits-trained');
    expectClean(opened);
  });

  it('digits: noise, shuffled labels, save and load, and IDX files picked from disk', async () => {
    const opened = await open(isolated.origin, 'digits.html');
    const { page } = opened;
    await page.waitForFunction(() => document.getElementById('model-summary')?.textContent?.startsWith('Now:'), undefined, { timeout: 60_000 });
    await page.fill('#epochs', '2');
    await page.click('#train');
    await page.waitForFunction(() => document.getElementById('epoch')?.textContent === '2' && document.getElementById('train')?.textContent === 'Train', undefined, { timeout: 60_000 });

    await page.click('#noise');
    const mean = await waitForData(page, '#noise-summary', 'mean', 0, 10_000);
    expect(mean).toBeGreaterThan(0.1);
    expect(mean).toBeLessThanOrEqual(1);

    const accuracy = await page.textContent('#test-accuracy');
    const download = page.waitForEvent('download');
    await page.click('#save');
    const file = await (await download).path();
    expect(readFileSync(file).subarray(0, 4).toString('latin1')).toBe('MLPX');
    await page.fill('#hidden', '16');
    await page.click('#new-network');
    await page.waitForFunction(() => document.getElementById('model-summary')?.textContent?.includes('16 relu'));
    await page.setInputFiles('#load', { name: 'digits.mlpx', mimeType: 'application/octet-stream', buffer: readFileSync(file) });
    await page.waitForFunction(() => document.getElementById('save-status')?.textContent?.startsWith('Loaded'), undefined, { timeout: 30_000 });
    expect(await page.textContent('#model-summary')).toContain('784 → 128 relu → 10 softmax');
    expect(await page.textContent('#test-accuracy')).toBe(accuracy);

    await page.fill('#shuffle-rows', '500');
    await page.fill('#shuffle-epochs', '40');
    await page.click('#shuffle');
    await page.waitForFunction(() => document.getElementById('shuffle')?.textContent === 'Run' && document.getElementById('shuffle-summary')?.dataset['epoch'] === '40', undefined, { timeout: 120_000 });
    const shuffle = await page.evaluate(() => ({ ...document.getElementById('shuffle-summary')!.dataset }));
    console.log(`[playground] shuffled labels after 40 epochs on 500 rows: ${await page.textContent('#shuffle-summary')}`);
    expect(Number(shuffle['shuffledTrain'])).toBeGreaterThan(0.9); // memorised
    expect(Number(shuffle['trueTest'])).toBeGreaterThan(0.8); // generalises
    expect(Number(shuffle['shuffledTest'])).toBeLessThan(0.3); // does not
    await screenshot(page, 'digits-experiments');

    await page.check('input[name="source"][value="idx"]');
    await page.setInputFiles('#idx-files', writeIdxFiles());
    await page.waitForFunction(() => document.getElementById('data-summary')?.dataset['train'] === '600', undefined, { timeout: 30_000 });
    expect(await page.getAttribute('#data-summary', 'data-test')).toBe('100');
    expect(await page.textContent('#data-summary')).toContain('train-images-idx3-ubyte.gz + train-labels-idx1-ubyte (training)');
    expectClean(opened);
  });

  it("optimise: the paths from one start; Armijo's cost never increases and its trial steps are shown; x² by gradient descent beats random search", async () => {
    const opened = await open(isolated.origin, 'optimise.html');
    const { page } = opened;
    await expectThreads(page, true);
    const costsText = await page.waitForFunction(() => document.getElementById('surface-legend')?.dataset['armijoCosts'], undefined, { timeout: 60_000 });
    const costs = JSON.parse((await costsText.jsonValue()) as string) as number[];
    expect(costs.length).toBeGreaterThan(10);
    for (let k = 1; k < costs.length; k++) expect(costs[k], `Armijo cost at step ${k}`).toBeLessThanOrEqual(costs[k - 1]!);
    expect(costs.at(-1)!).toBeLessThan(costs[0]! / 10);
    // the first iteration backtracks: several trials, the last accepted
    expect(await page.textContent('#s-iteration-summary')).toMatch(/Iteration 1: from cost [\d.]+, \d+ trial step\(s\); t = [\d.e-]+ accepted/);
    const trials = await page.locator('#armijo-table tbody tr').first().textContent();
    expect((trials!.match(/t=/g) ?? []).length).toBeGreaterThan(1);
    expect(trials).toContain('✓');
    await page.fill('#s-iteration', '3');
    await page.locator('#s-iteration').dispatchEvent('input');
    expect(await page.textContent('#s-iteration-summary')).toMatch(/^Iteration 3:/);

    await page.click('#sq-run');
    await page.waitForFunction(() => document.getElementById('sq-run')?.textContent === 'Run' && !document.getElementById('sq-probes')!.hidden, undefined, { timeout: 120_000 });
    const squares = await page.evaluate(() => ({ ...document.getElementById('sq-summary')!.dataset }));
    console.log(`[playground] x² after ${squares['epoch']} epochs: cost ${squares['gd']} (gradient descent), ${squares['rs']} (random search)`);
    expect(Number(squares['gd'])).toBeLessThan(3e-4); // a plain gradient-descent baseline reaches about 3e-4
    expect(Number(squares['gd'])).toBeLessThan(Number(squares['rs']) / 10);
    expect(await page.locator('#one-steps-table tbody tr').count()).toBe(11);
    await screenshot(page, 'optimise');
    expectClean(opened);
  });

  it('served without COOP/COEP, every page trains on one thread and says so', async () => {
    const classify = await open(plain.origin, 'classify.html');
    await expectThreads(classify.page, false);
    await classify.page.click('#play');
    await waitForData(classify.page, '#test-accuracy', 'value', 1, 60_000);
    await screenshot(classify.page, 'classify-one-thread');
    expectClean(classify);

    const digits = await open(plain.origin, 'digits.html');
    await expectThreads(digits.page, false);
    await digits.page.waitForFunction(() => document.getElementById('model-summary')?.textContent?.startsWith('Now:'), undefined, { timeout: 60_000 });
    await digits.page.fill('#epochs', '1');
    await digits.page.click('#train');
    await digits.page.waitForFunction(() => document.getElementById('epoch')?.textContent === '1', undefined, { timeout: 90_000 });
    expect(Number(await digits.page.getAttribute('#test-accuracy', 'data-value'))).toBeGreaterThan(0.85);
    await screenshot(digits.page, 'digits-one-thread');
    expectClean(digits);

    const optimise = await open(plain.origin, 'optimise.html');
    await expectThreads(optimise.page, false);
    await optimise.page.waitForFunction(() => document.getElementById('surface-legend')?.dataset['armijoCosts'] !== undefined, undefined, { timeout: 60_000 });
    await screenshot(optimise.page, 'optimise-one-thread');
    expectClean(optimise);
  });

  it("npm run playground's dev server sends the isolation headers and its pages train", async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as { port: number };
        server.close(() => resolve(free));
      });
    });
    const playground = path.resolve(import.meta.dirname, '../../playground');
    const child = spawn(process.execPath, [path.join(playground, 'node_modules/vite/bin/vite.js'), '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { cwd: playground, stdio: 'ignore' });
    try {
      const origin = `http://127.0.0.1:${port}`;
      let response: Response | undefined;
      for (let tries = 0; tries < 150 && response === undefined; tries++) {
        response = await fetch(`${origin}/classify.html`).catch(() => undefined);
        if (response === undefined) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(response?.status).toBe(200);
      expect(response!.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(response!.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      const digits = new Uint8Array(await (await fetch(`${origin}/data/digits.gz`)).arrayBuffer());
      expect([digits[0], digits[1]]).toEqual([0x1f, 0x8b]);
      const classify = await open(origin, 'classify.html');
      await expectThreads(classify.page, true);
      await classify.page.click('#play');
      await waitForData(classify.page, '#test-accuracy', 'value', 1, 60_000);
      expectClean(classify);
    } finally {
      child.kill();
    }
  });
});
