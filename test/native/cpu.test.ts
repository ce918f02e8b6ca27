// The addon picks its microkernel from CPUID/XGETBV (native/cpu_features.cc). On Linux the
// kernel's /proc/cpuinfo flags are an independent oracle: it lists avx2 and fma only when the CPU
// has them and the OS has enabled the YMM state they need.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { addon } from './addon.js';

function cpuinfoFlags(): Set<string> {
  const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags'));
  if (line === undefined) throw new Error('/proc/cpuinfo has no flags line');
  return new Set(line.slice(line.indexOf(':') + 1).trim().split(/\s+/));
}

const linuxX64 = process.platform === 'linux' && process.arch === 'x64';
if (!linuxX64) console.warn(`[native] CPU detection test skipped: /proc/cpuinfo is the oracle, and this is ${process.platform}-${process.arch}, not linux-x64`);

describe.skipIf(addon === undefined || !linuxX64)('native: CPU feature detection (linux-x64)', () => {
  const flags = linuxX64 ? cpuinfoFlags() : new Set<string>();
  const expected = flags.has('avx2') && flags.has('fma') ? 'avx2-fma' : 'portable';

  it(`selects ${expected} at load, as /proc/cpuinfo implies`, () => {
    expect(addon!.kernelPath()).toBe(expected);
  });

  it('can switch to avx2-fma exactly when the CPU has it, and always back to portable', () => {
    const initial = addon!.kernelPath() as 'portable' | 'avx2-fma';
    try {
      expect(addon!.setKernelPath('portable')).toBe(true);
      expect(addon!.kernelPath()).toBe('portable');
      expect(addon!.setKernelPath('avx2-fma')).toBe(expected === 'avx2-fma');
      expect(addon!.kernelPath()).toBe(expected);
    } finally {
      addon!.setKernelPath(initial);
    }
  });
});
