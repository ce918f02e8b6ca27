// The bench's wait for idle threads before a round (bench/settle.ts): it must see a child process
// that keeps a core busy, as numpy's OpenBLAS threads do after a call, and wait it out.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { settle } from '../../bench/settle.js';

const SPIN_MS = 400;

describe.runIf(existsSync('/proc/self/task'))('settle', () => {
  it('waits while a child process spins, and returns once it has stopped', async () => {
    const child = spawn(process.execPath, ['-e', `const end = Date.now() + ${SPIN_MS}; while (Date.now() < end);`]);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await new Promise((resolve) => child.on('spawn', resolve));
    const start = performance.now();
    const settled = await settle();
    const waited = performance.now() - start;
    await exited;
    expect(settled.idle).toBe(true);
    // the child's spin (minus its start-up) had to pass before the threads counted as idle
    expect(waited).toBeGreaterThan(SPIN_MS / 2);
    expect(settled.waitedMs).toBeCloseTo(waited, -1);
  });

  it('returns after one window when nothing else runs', async () => {
    const settled = await settle();
    expect(settled.idle).toBe(true);
    expect(settled.waitedMs).toBeLessThan(1000);
  });
});
