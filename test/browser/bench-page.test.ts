// The browser benchmark's page (bench/browser/page.js, which `npm run bench:browser` times) run
// small in Chromium: it must finish without an error on the page and publish every field that
// BENCHMARKS.md's browser section is made from, the capability probe and the split tasks of each
// round included.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBenchmarkPage } from '../../bench/browser/run-page.js';
import { summarizeBrowserRun } from '../../bench/browser/section.js';
import { machineInfo } from '../../bench/results.js';
import { launchChromium, skipReason } from './chromium.js';

describe.skipIf(skipReason !== null)('the browser benchmark page', () => {
  let browser: Browser | undefined;
  beforeAll(async () => { browser = await launchChromium(); });
  afterAll(async () => { await browser?.close(); });

  it('runs one round over 256 rows and publishes the timings, losses and probes', async () => {
    const result = await runBenchmarkPage(browser!, { rounds: 1, rows: 256 });
    expect(result.crossOriginIsolated).toBe(true);
    expect(result.rows).toBe(256);
    for (const run of [result.mlpx, result.mlpxOneThread, result.tfjs]) {
      expect(run.seconds).toHaveLength(1);
      expect(run.losses[0]).toBeGreaterThan(0);
    }
    expect(result.probes).toHaveLength(1);
    expect(result.probes[0]).toBeGreaterThan(0);
    // the playground networks take three rounds for each of the main case's
    expect(result.smallNetworks.map((n) => [n.seconds.length, n.probes.length])).toEqual([[3, 3], [3, 3], [3, 3], [3, 3]]);
    // the split tasks of each timing on the pool's threads, read in the page
    expect(result.mlpx.tasks?.posted).toHaveLength(1);
    expect(result.smallNetworks.map((n) => n.tasks?.backedOff.length)).toEqual([3, 3, 3, 3]);
    const report = summarizeBrowserRun(result, { ...machineInfo(), browser: 'Chromium', loadBefore: [0, 0, 0], loadAfter: [0, 0, 0] });
    expect(report.scaling?.rounds).toHaveLength(1);
    // an epoch of 784-128-10 at batch 128 on two threads or more splits its GEMMs
    if (result.mlpx.threads > 1) expect(report.scaling?.splitTasks?.tasks).toBeGreaterThan(0);
  });
});
