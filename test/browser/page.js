// The test page: runs scenario.js against the built package and publishes the result on
// window.mlpxResult (or window.mlpxError) for the Chromium test, and as a table for the screenshot.
import * as mlpx from '/dist/browser.js';
import { decodeDigits, runScenarios } from './scenario.js';

const threads = Number(new URLSearchParams(location.search).get('threads') ?? '1');
const status = document.getElementById('status');

try {
  const digits = decodeDigits(await (await fetch('/digits.bin')).arrayBuffer());
  const result = await runScenarios(mlpx, threads, digits);
  const rows = [
    ['cross-origin isolated', String(globalThis.crossOriginIsolated)],
    ['threads', String(result.details?.threads)],
    ['notes', (result.details?.notes ?? []).join('; ')],
    ['XOR accuracy', result.xor.accuracy.toFixed(3)],
    [`digits accuracy (${digits.test.rows} test rows)`, result.digits.accuracy.toFixed(3)],
    ['time', `${result.ms.toFixed(0)} ms`],
  ];
  document.getElementById('results').innerHTML = rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('');
  status.textContent = 'done';
  window.mlpxResult = result;
} catch (error) {
  status.textContent = `failed: ${error}`;
  window.mlpxError = String(error && error.stack || error);
}
