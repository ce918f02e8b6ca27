// `mlpx info`: which backends load here, with their kernel path and threads, or why not.
import { backendInfo } from '../backend/registry.js';

export async function infoCommand(options: { json: boolean }): Promise<void> {
  const statuses = await backendInfo();
  if (options.json) {
    process.stdout.write(JSON.stringify({ node: process.version, platform: `${process.platform}-${process.arch}`, backends: statuses }) + '\n');
    return;
  }
  const auto = statuses.find((s) => s.available)?.name ?? 'none';
  process.stdout.write(`mlpx on Node ${process.version} (${process.platform}-${process.arch}); 'auto' picks: ${auto}\n`);
  for (const status of statuses) {
    if (!status.available) {
      process.stdout.write(`  ✗ ${status.name.padEnd(6)} unavailable: ${status.reason}\n`);
      continue;
    }
    const d = status.details!;
    process.stdout.write(`  ✓ ${status.name.padEnd(6)} ${d.kernelPath}, ${d.threads} thread${d.threads === 1 ? '' : 's'}\n`);
    for (const note of d.notes) process.stdout.write(`           ${note}\n`);
  }
}
