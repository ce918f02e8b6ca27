// `npm run bench:browser`: in Chromium, cross-origin isolated, the digits network (784-128-10,
// batch 128, Adam) trained by mlpx's wasm backend with its worker threads (and on one thread) and
// by TensorFlow.js with its wasm backend, in the same page, on the same rows (page.js). Writes
// bench/results/browser.json, which `npm run bench:report` adds to BENCHMARKS.md.
//
//   npm run bench:browser [-- --rounds 5 --rows 8000]
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { launchChromium } from '../../test/browser/chromium.js';
import { machineInfo } from '../results.js';
import { runBenchmarkPage } from './run-page.js';
import { BROWSER_RESULTS_FILE, summarizeBrowserRun } from './section.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, rows: { type: 'string', default: '8000' } } });

const browser = await launchChromium();
const loadBefore = os.loadavg();
try {
  console.log(`Chromium ${browser.version()}: mlpx wasm vs tfjs wasm, ${values.rows} rows, ${values.rounds} rounds (load ${loadBefore.map((l) => l.toFixed(2)).join(' ')})`);
  const result = await runBenchmarkPage(browser, { rounds: Number(values.rounds), rows: Number(values.rows), log: (line) => console.log(`  ${line}`) });
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
}
