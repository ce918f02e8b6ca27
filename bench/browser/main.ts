// `npm run bench:browser`: in Chromium, cross-origin isolated, the digits network (784-128-10,
// batch 128, Adam) trained by mlpx's wasm backend with its worker threads (and on one thread) and
// by TensorFlow.js with its wasm backend, in the same page, on the same rows (page.js). Writes
// bench/results/browser.json, which `npm run bench:report` adds to BENCHMARKS.md.
//
//   npm run bench:browser [-- --rounds 5 --rows 8000]
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { brotliDecompressSync } from 'node:zlib';
import { launchChromium, watchPage } from '../../test/browser/chromium.js';
import { serveStatic } from '../../test/browser/server.js';
import { machineInfo } from '../results.js';
import { BROWSER_RESULTS_FILE, summarizeBrowserRun, type BrowserPageResult } from './section.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, rows: { type: 'string', default: '8000' } } });

/**
 * The page's folder: its three files and the capability probe's (bench/ab/wasm-work.js), mlpx's
 * dist/, the two tfjs builds, and the digits (decompressed).
 */
function site(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlpx-bench-browser-'));
  for (const file of ['index.html', 'page.js', 'small-networks.js']) symlinkSync(path.join(import.meta.dirname, file), path.join(dir, file));
  symlinkSync(path.join(import.meta.dirname, '../ab/wasm-work.js'), path.join(dir, 'wasm-work.js'));
  mkdirSync(path.join(dir, 'mlpx'));
  symlinkSync(path.join(ROOT, 'dist'), path.join(dir, 'mlpx', 'dist'));
  symlinkSync(path.join(ROOT, 'node_modules/@tensorflow/tfjs/dist'), path.join(dir, 'tfjs'));
  symlinkSync(path.join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist'), path.join(dir, 'tfjs-wasm'));
  writeFileSync(path.join(dir, 'digits.bin'), brotliDecompressSync(readFileSync(path.join(ROOT, 'dist/data/digits.br'))));
  return dir;
}

const dir = site();
const server = await serveStatic(dir, { isolated: true });
const browser = await launchChromium();
const loadBefore = os.loadavg();
try {
  const page = await browser.newPage();
  const problems = watchPage(page);
  page.on('console', (message) => { if (message.type() === 'log') console.log(`  ${message.text()}`); });
  console.log(`Chromium ${browser.version()}: mlpx wasm vs tfjs wasm, ${values.rows} rows, ${values.rounds} rounds (load ${loadBefore.map((l) => l.toFixed(2)).join(' ')})`);
  await page.goto(`${server.origin}/index.html?rounds=${values.rounds}&rows=${values.rows}`);
  await page.waitForFunction(() => 'mlpxResult' in window || 'mlpxError' in window, undefined, { timeout: 30 * 60_000, polling: 500 });
  const failure = await page.evaluate(() => (window as unknown as { mlpxError?: string }).mlpxError);
  if (failure !== undefined) throw new Error(`the benchmark page failed: ${failure}`);
  const problemsSeen = [...problems.pageErrors, ...problems.consoleErrors, ...problems.httpErrors];
  if (problemsSeen.length > 0) throw new Error(`the benchmark page had errors:\n${problemsSeen.join('\n')}`);
  const result = await page.evaluate(() => (window as unknown as { mlpxResult: BrowserPageResult }).mlpxResult);
  const report = summarizeBrowserRun(result, { ...machineInfo(), browser: `Chromium ${browser.version()}`, loadBefore, loadAfter: os.loadavg() });
  mkdirSync(path.dirname(BROWSER_RESULTS_FILE), { recursive: true });
  writeFileSync(`${BROWSER_RESULTS_FILE}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(`${BROWSER_RESULTS_FILE}.tmp`, BROWSER_RESULTS_FILE);
  const { mlpx, mlpxOneThread, tfjs, ratio, ratioOneThread } = report;
  console.log(`samples/s (median): mlpx wasm ${mlpx.threads}t ${mlpx.samplesPerSecond.median.toFixed(0)}, mlpx wasm 1t ${mlpxOneThread.samplesPerSecond.median.toFixed(0)}, tfjs wasm ${tfjs.threads}t ${tfjs.samplesPerSecond.median.toFixed(0)}`);
  for (const small of report.smallNetworks ?? []) console.log(`${small.network}, ${small.name}: ${small.threads} threads ÷ 1 thread ${small.scaling.median.toFixed(2)}× (${small.scaling.min.toFixed(2)}–${small.scaling.max.toFixed(2)})`);
  console.log(`mlpx/tfjs: ${ratio.median.toFixed(2)}× (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)}); on one thread ${ratioOneThread.median.toFixed(2)}× → ${path.relative(process.cwd(), BROWSER_RESULTS_FILE)}`);
} finally {
  await browser.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
