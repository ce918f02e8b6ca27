// onnxruntime-web in real headless Chromium runs a network that mlpx's browser build exported
// there, with the predictions mlpx computes in Node; the browser's ONNX bytes are the same as
// Node's, and fromOnnx reads them back; parseCsv reads CSV text there as in Node. The page (onnx-web.html) uses no bundler: the vendor files
// it asks for are answered from node_modules by request interception. Needs `npm run build`.
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Network, parseCsv, spiralsData } from '../../src/index.js';
import { worstRelativeError } from '../interop/compare.js';
import { serve } from './server.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ARTIFACTS = join(ROOT, 'test-artifacts');
const required = process.env.MLPX_REQUIRE_BROWSER === '1';
const skipReason = process.env.MLPX_SKIP_BROWSER === '1' ? 'MLPX_SKIP_BROWSER=1'
  : !required && !existsSync(CHROMIUM) ? `${CHROMIUM} not found (apt-get update && apt-get install -y chromium)` : null;
if (skipReason !== null) console.warn(`[browser] onnxruntime-web test skipped: ${skipReason}`);

const VENDOR: Record<string, string> = {
  '/vendor/protobufjs/protobuf.min.js': 'node_modules/protobufjs/dist/light/protobuf.min.js',
  '/vendor/csv-parse/sync.js': 'node_modules/csv-parse/dist/esm/sync.js',
  '/vendor/onnxruntime-web/ort.wasm.min.mjs': 'node_modules/onnxruntime-web/dist/ort.wasm.min.mjs',
  '/vendor/onnxruntime-web/ort-wasm-simd-threaded.mjs': 'node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.mjs',
  '/vendor/onnxruntime-web/ort-wasm-simd-threaded.wasm': 'node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm',
};
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };

async function vendor(route: Route): Promise<void> {
  const path = new URL(route.request().url()).pathname;
  if (path === '/vendor/protobufjs/light-module.js') {
    await route.fulfill({ contentType: 'text/javascript', body: 'export default globalThis.protobuf;\n' });
    return;
  }
  const file = VENDOR[path];
  if (file === undefined) {
    await route.fulfill({ status: 404 });
    return;
  }
  await route.fulfill({ contentType: TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream', body: await readFile(join(ROOT, file)) });
}

describe.skipIf(skipReason !== null)('onnxruntime-web in headless Chromium', () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install it with \`apt-get update && apt-get install -y chromium\` (or set MLPX_SKIP_BROWSER=1)`);
    if (!existsSync(join(ROOT, 'dist/interop/onnx.js'))) throw new Error('dist/interop/onnx.js not found: run `npm run build` first');
    server = await serve(new Uint8Array(0));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    await mkdir(ARTIFACTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('runs the network mlpx exported in the browser with the predictions mlpx computes in Node', async () => {
    const data = spiralsData(60, 3);
    const x = Float32Array.from(data.x, (v, i) => (i % 2 === 0 ? 20 + 5 * v : v)); // offset: the export standardises
    const net = await Network.create({ inputs: 2, layers: [{ units: 12, activation: 'leaky_relu' }, { units: 8, activation: 'tanh' }, { units: 2, activation: 'softmax' }], loss: 'cross_entropy', seed: 4, backend: 'js' });
    await net.fit(x, data.y, { epochs: 20, batchSize: 16, standardize: true });
    net.setDataSchema({ classes: ['inner', 'outer'] });
    const expected = net.predict(x);

    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.route('**/vendor/**', vendor);
    await page.goto(`${server.origin}/test/browser/onnx-web.html`);
    await page.waitForFunction(() => 'onnxPageReady' in window, undefined, { timeout: 60_000 });
    const result = await page.evaluate(([model, values, rows]) => (window as any).runOnnxCase(model, values, rows),
      [Array.from(net.toBuffer()), Array.from(x), data.rows] as const) as { onnx: number[]; ort: number[]; mlpx: number[]; imported: number[]; schema: string[]; csv: Record<string, unknown> };
    await page.screenshot({ path: join(ARTIFACTS, 'browser-onnxruntime-web.png'), fullPage: true });
    await page.close();
    expect(errors).toEqual([]);

    const worst = worstRelativeError(result.ort, expected);
    console.log(`[browser] onnxruntime-web: ${data.rows} rows, worst relative difference to mlpx in Node ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(1e-5);
    expect(Uint8Array.from(result.onnx)).toEqual(await net.toOnnx());
    expect(result.mlpx).toEqual(Array.from(expected));
    expect(result.imported).toEqual(Array.from(expected));
    expect(result.schema).toEqual(['inner', 'outer']);
    // parseCsv in the browser (csv-parse's browser build): the table Node reads from the same text
    const table = await parseCsv('\ufeffa,"b, quoted",label\r\n1,2,cat\r\n\r\n3,"4e1",dog\r\n', { target: 'label' });
    expect(result.csv).toEqual(table);
  }, 120_000);
});
