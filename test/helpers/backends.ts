// The backends a parity test runs against: every backend that loads besides the reference (js). A
// backend that does not load is reported with its reason (not silently dropped).
import '../../src/backends.node.js';
import { backendInfo, loadBackend } from '../../src/backend/registry.js';
import type { Backend } from '../../src/backend/engine.js';
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
