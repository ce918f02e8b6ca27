// mlpx for browsers (the package's `browser` and `default` export conditions): the wasm and js
// backends only, and nothing that needs Node built-ins. The wasm modules are embedded in the JS
// and worker threads start from a Blob URL, so a bundler needs no configuration and no file has
// to be served; threads need a cross-origin-isolated page (Cross-Origin-Opener-Policy:
// same-origin, Cross-Origin-Embedder-Policy: require-corp), else wasm runs on one thread.
import { registerBackend } from './backend/registry.js';
import { createJsBackend } from './backend/js/index.js';
import { gradientCheck as nodeGradientCheck } from './nn/gradcheck.js';
import { Network as NodeNetwork } from './nn/network.js';
import { registerCsvParser } from './data/csv.js';

registerBackend('js', createJsBackend);
registerBackend('wasm', () => import('./backend/wasm/browser.js').then((m) => m.loadWasmBackend()));
// csv-parse's browser build carries its own Buffer; loaded on the first parseCsv call
registerCsvParser(() => import('csv-parse/browser/esm/sync').then((m) => m.parse as never));

export * from './api.js';
export { setWasmLocation } from './backend/wasm/platform.js';

// The browser has no files: its types leave out save(path) and Network.load(path), so calling
// them fails to compile instead of throwing. Persist with toBuffer() and Network.fromBuffer().

/** A network: layers, weights, training and inference. */
export type Network = Omit<NodeNetwork, 'save'>;

/** A function of Node networks, seen as taking and giving browser networks (the same objects). */
type OnBrowserNetworks<F> = F extends (...args: infer A) => infer R
  ? (...args: { [I in keyof A]: A[I] extends NodeNetwork ? Network : A[I] }) => (R extends Promise<NodeNetwork> ? Promise<Network> : R)
  : never;

export const Network: { [K in Exclude<keyof typeof NodeNetwork, 'load' | 'prototype'>]: OnBrowserNetworks<(typeof NodeNetwork)[K]> } = NodeNetwork;

/** Check a network's backpropagation at its current weights on (x, y). */
export const gradientCheck = nodeGradientCheck as OnBrowserNetworks<typeof nodeGradientCheck>;
