// mlpx for browsers (the package's `browser` export condition): the wasm and js backends only,
// and nothing that needs Node built-ins. Serve dist/wasm/*.wasm next to the package layout
// (dist/wasm) or call setWasmLocation(baseUrl); serve the page cross-origin isolated
// (COOP: same-origin, COEP: require-corp) for worker threads.
import { registerBackend } from './backend/registry.js';
import { createJsBackend } from './backend/js/index.js';
import { registerCsvParser } from './data/csv.js';

registerBackend('js', createJsBackend);
registerBackend('wasm', () => import('./backend/wasm/browser.js').then((m) => m.loadWasmBackend()));
// csv-parse's browser build carries its own Buffer; loaded on the first parseCsv call
registerCsvParser(() => import('csv-parse/browser/esm/sync').then((m) => m.parse as never));

export * from './api.js';
export { setWasmLocation } from './backend/wasm/platform.js';
