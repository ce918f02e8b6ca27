// The backends a parity test runs against: every backend that loads besides the reference (js),
// the native one once per kernel path this CPU runs. A backend or path that does not load is
// reported with its reason (not silently dropped).
import '../../src/backends.node.js';
import { BACKEND_PREFERENCE, backendInfo, loadBackend } from '../../src/backend/registry.js';
import type { Backend, BackendName } from '../../src/backend/engine.js';
import { createJsBackend } from '../../src/backend/js/index.js';
import { NATIVE_KERNEL_PATHS } from '../../src/backend/native/kernel-path.js';
import { loadAddon, type NativeAddon } from '../../src/backend/native/load.js';
import { createWasmBackend } from '../../src/backend/wasm/backend.js';
import { nodePlatform } from '../../src/backend/wasm/node.js';
import { WASM_KERNELS, type WasmKernels } from '../../src/backend/wasm/kernel-choice.js';
import { hasRelaxedSimd } from '../../src/backend/wasm/runtime.js';

export const reference: Backend = createJsBackend();

/** Calls to `target`'s methods switch the addon to `path` first (the path is addon-wide). */
function onPath<T extends object>(target: T, addon: NativeAddon, path: string): T {
  return new Proxy(target, {
    get(object, key) {
      const value: unknown = Reflect.get(object, key, object);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (!addon.setKernelPath(path)) throw new Error(`the ${path} kernel path is not available`);
        return (value as (...a: unknown[]) => unknown).apply(object, args);
      };
    },
  });
}

/** The native backend as one backend per kernel path, named e.g. 'native avx2'. */
function nativeKernelPaths(native: Backend): Backend[] {
  const addon = loadAddon(); // the module the backend loaded: the same file, so the same instance
  const paths = addon.kernelPaths();
  const missing = NATIVE_KERNEL_PATHS.filter((path) => !paths.includes(path));
  console.log(`[parity] native backend tested on the kernel paths ${paths.join(', ')}` +
    (missing.length > 0 ? `; not on ${missing.join(', ')}: this CPU or OS cannot run them` : ''));
  return paths.map((path) => ({
    ...native,
    name: `native ${path}` as BackendName,
    kernels: onPath(native.kernels, addon, path),
    createEngine: (spec) => onPath(native.createEngine(spec), addon, path),
  }));
}

/** The wasm kernel builds this engine runs (vitest.config.ts gives Node 20 relaxed SIMD). */
export const WASM_BUILDS: readonly WasmKernels[] = WASM_KERNELS.filter((kernels) => kernels !== 'relaxed-simd' || hasRelaxedSimd());
if (WASM_BUILDS.length < WASM_KERNELS.length) console.warn('[wasm] relaxed-simd build not tested: this engine lacks relaxed SIMD');

/** The wasm backend once per kernel build this engine runs, named e.g. 'wasm simd128'. */
async function wasmKernelBuilds(): Promise<Backend[]> {
  console.log(`[parity] wasm backend tested with the kernels ${WASM_BUILDS.join(', ')}`);
  return Promise.all(WASM_BUILDS.map(async (kernels) => ({ ...(await createWasmBackend(nodePlatform, kernels)), name: `wasm ${kernels}` as BackendName })));
}

/**
 * MLPX_TEST_BACKENDS=native (a comma-separated list) limits the suites to those backends: the
 * sanitizer run sets it, since only the addon's code is instrumented there.
 */
const chosen: readonly BackendName[] | undefined = (() => {
  const text = process.env['MLPX_TEST_BACKENDS'];
  if (text === undefined || text === '') return undefined;
  const names = text.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !BACKEND_PREFERENCE.includes(name as BackendName));
  if (unknown.length > 0) throw new Error(`MLPX_TEST_BACKENDS names no backend ${unknown.join(', ')}: use ${BACKEND_PREFERENCE.join(', ')}`);
  return names as BackendName[];
})();

/** Whether MLPX_TEST_BACKENDS leaves `name` in; says so when it does not. */
function chosenBackend(name: BackendName, suite: string): boolean {
  if (chosen === undefined || chosen.includes(name)) return true;
  console.warn(`[${suite}] ${name} backend not tested: MLPX_TEST_BACKENDS=${chosen.join(',')}`);
  return false;
}

export async function backendsUnderTest(): Promise<Backend[]> {
  const statuses = await backendInfo();
  const loaded: Backend[] = [];
  for (const status of statuses) {
    if (status.name === reference.name || !chosenBackend(status.name, 'parity')) continue;
    if (!status.available) {
      console.warn(`[parity] ${status.name} backend not tested: ${status.reason}`);
      continue;
    }
    if (status.name === 'wasm') {
      loaded.push(...(await wasmKernelBuilds()));
      continue;
    }
    const backend = await loadBackend(status.name);
    loaded.push(...(status.name === 'native' ? nativeKernelPaths(backend) : [backend]));
  }
  return loaded;
}

/** Names of every backend that loads here, the reference included: suites that must pass on all of them. */
export async function loadableBackendNames(): Promise<BackendName[]> {
  const statuses = (await backendInfo()).filter((status) => chosenBackend(status.name, 'suite'));
  for (const status of statuses) if (!status.available) console.warn(`[suite] ${status.name} backend not tested: ${status.reason}`);
  return statuses.filter((s) => s.available).map((s) => s.name);
}
