// `mlpx info`: which backends load here, with their kernel path and threads, or why not (for the
// native addon that reason ends with how to build it; --json adds it as buildNative).
import { backendInfo } from '../backend/registry.js';
import { BUILD_HINT } from '../backend/native/load.js';

export async function infoCommand(options: { json: boolean }): Promise<void> {
  const statuses = await backendInfo();
  const nativeMissing = statuses.some((s) => s.name === 'native' && !s.available);
  if (options.json) {
    const hint = nativeMissing ? { buildNative: BUILD_HINT } : {};
    process.stdout.write(JSON.stringify({ node: process.version, platform: `${process.platform}-${process.arch}`, backends: statuses, ...hint }) + '\n');
    return;
  }
  const auto = statuses.find((s) => s.available)?.name ?? 'none';
  process.stdout.write(`mlpx on Node ${process.version} (${process.platform}-${process.arch}); 'auto' picks: ${auto}\n`);
  for (const status of statuses) {
    if (!status.available) {
      const [first, ...rest] = (status.reason ?? '').split('\n');
      process.stdout.write(`  ✗ ${status.name.padEnd(6)} unavailable: ${first}\n${rest.map((line) => `           ${line}\n`).join('')}`);
      continue;
    }
    const d = status.details!;
    process.stdout.write(`  ✓ ${status.name.padEnd(6)} ${d.kernelPath}, ${d.threads} thread${d.threads === 1 ? '' : 's'}\n`);
    for (const note of d.notes) process.stdout.write(`           ${note}\n`);
  }
}
