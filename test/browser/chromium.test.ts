// mlpx in real headless Chromium: a page built from the repository's dist/browser.js trains XOR
// and a digits subset with the wasm backend, single-threaded and with Web Workers in a
// cross-origin-isolated page. Accuracy must be reached and the final weights must match the same
// seeds' run in Node. Screenshots go to test-artifacts/. Needs `npm run build` (dist/) first.
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as mlpx from '../../src/index.js';
import { loadDigits } from '../../src/data/digits.js';
import { launchChromium, pageRun, skipReason } from './chromium.js';
import { decodeDigits, encodeDigits, runScenarios } from './scenario.js';
import { serve } from './server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ARTIFACTS = join(ROOT, 'test-artifacts');

interface ScenarioResult { accuracy: number; weights: number[] }
interface PageResult {
  xor: ScenarioResult; digits: ScenarioResult;
  details: { threads: number; notes: string[] } | null; reason: string | null; ms: number;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** Every module reachable from dist/browser.js, static or dynamic imports, must avoid Node built-ins. */
async function reachableSpecifiers(entry: string): Promise<string[]> {
  const seen = new Set<string>();
  const bare: string[] = [];
  const visit = async (file: string): Promise<void> => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = await readFile(file, 'utf8');
    for (const match of source.matchAll(/(?:import|export)\s*(?:[^'"]*?from\s*)?\(?\s*['"]([^'"]+)['"]/g)) {
      const specifier = match[1]!;
      if (specifier.startsWith('.')) await visit(resolve(dirname(file), specifier));
      else bare.push(specifier);
    }
  };
  await visit(entry);
  return bare;
}

describe.skipIf(skipReason !== null)('wasm backend in headless Chromium', () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof serve>>;
  let digits: ReturnType<typeof decodeDigits>;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/browser.js'))) throw new Error('dist/browser.js not found: run `npm run build` first');
    const all = loadDigits(0.2, 1);
    const subset = (split: typeof all.train, rows: number) => ({ x: split.x.subarray(0, rows * 784), labels: split.labels.subarray(0, rows), rows });
    const wire = encodeDigits(subset(all.train, 2000), subset(all.test, 500));
    digits = decodeDigits(wire.buffer);
    server = await serve(wire);
    browser = await launchChromium();
    await mkdir(ARTIFACTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the browser entry reaches no Node built-ins', async () => {
    const bare = await reachableSpecifiers(join(ROOT, 'dist/browser.js'));
    expect(bare.filter((s) => s.startsWith('node:') || ['fs', 'path', 'os', 'worker_threads', 'module', 'crypto', 'zlib'].includes(s))).toEqual([]);
  });

  // Node's run of the same scenarios (same wasm binary semantics, same seeds)
  let nodeResult: Awaited<ReturnType<typeof runScenarios>> | undefined;

  for (const threads of [1, 2]) {
    it(`trains XOR and digits with ${threads} thread(s) and matches Node's weights`, async () => {
      nodeResult ??= await runScenarios(mlpx, 1, digits);
      const run = await pageRun<PageResult>(browser, `${server.origin}/test/browser/page.html?threads=${threads}&coi=${threads > 1 ? 1 : 0}`, {
        screenshot: join(ARTIFACTS, `browser-wasm-${threads}-thread${threads > 1 ? 's' : ''}.png`),
      });
      expect(run.failure, 'page error').toBeUndefined();
      expect(run.pageErrors).toEqual([]);
      const result = run.result!;

      expect(result.details?.threads).toBe(threads);
      if (threads > 1) expect(result.details?.notes.join(' ')).toMatch(new RegExp(`${threads} of ${threads} threads running \\(Web Workers`));
      else expect(result.details?.notes.join(' ')).toMatch(/not cross-origin isolated/);
      expect(result.xor.accuracy).toBe(1);
      expect(result.digits.accuracy).toBeGreaterThanOrEqual(0.85);
      const xorDiff = maxAbsDiff(result.xor.weights, nodeResult.xor.weights);
      const digitsDiff = maxAbsDiff(result.digits.weights, nodeResult.digits.weights);
      console.log(`[browser] ${threads} thread(s): XOR acc ${result.xor.accuracy}, digits acc ${result.digits.accuracy.toFixed(3)} ` +
        `(Node ${nodeResult.digits.accuracy.toFixed(3)}), max |Δw| vs Node: XOR ${xorDiff}, digits ${digitsDiff}, ${result.ms.toFixed(0)} ms`);
      expect(xorDiff).toBeLessThanOrEqual(1e-5);
      expect(digitsDiff).toBeLessThanOrEqual(1e-5);
    }, 180_000);
  }
});
