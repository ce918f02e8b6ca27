// The backends a parity test runs against: every backend that loads besides the reference (js). A
// backend that does not load is reported with its reason (not silently dropped).
import '../../src/backends.node.js';
import { backendInfo, loadBackend } from '../../src/backend/registry.js';
import type { Backend, BackendName } from '../../src/backend/engine.js';
import { createJsBackend } from '../../src/backend/js/index.js';

export const reference: Backend = createJsBackend();

export async function backendsUnderTest(): Promise<Backend[]> {
  const statuses = await backendInfo();
  const loaded: Backend[] = [];
  for (const status of statuses) {
    if (status.name === reference.name) continue;
    if (status.available) loaded.push(await loadBackend(status.name));
    else console.warn(`[parity] ${status.name} backend not tested: ${status.reason}`);
  }
  return loaded;
}

/** Names of every backend that loads here, the reference included: suites that must pass on all of them. */
export async function loadableBackendNames(): Promise<BackendName[]> {
  const statuses = await backendInfo();
  for (const status of statuses) if (!status.available) console.warn(`[suite] ${status.name} backend not tested: ${status.reason}`);
  return statuses.filter((s) => s.available).map((s) => s.name);
}
