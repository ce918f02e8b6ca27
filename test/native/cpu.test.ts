// The addon picks its kernel path from CPUID/XGETBV (native/cpu_features.cc). On Linux the
// kernel's /proc/cpuinfo flags are an independent oracle: it lists avx2, fma and the avx512
// subsets only when the CPU has them and the OS has enabled the register state they need.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STATS_PER_BATCH } from '../../src/backend/engine.js';
import { Activation, Loss, Optimizer, OPTIMIZER_FIELDS, packOptimizer } from '../../src/backend/kernels.js';
import { packSpec, paramLayout, type NetSpec } from '../../src/backend/layout.js';
import { InvalidArgumentError, BackendUnavailableError } from '../../src/util/errors.js';
import { applyKernelPathChoice, kernelPathNotes } from '../../src/backend/native/kernel-path.js';
import { loadAddonFile, type NativeAddon } from '../../src/backend/native/load.js';
import { addon } from './addon.js';
import { canLimitAddressSpace, underAddressLimit } from './address-limit.js';

function cpuinfoFlags(): Set<string> {
  const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags'));
  if (line === undefined) throw new Error('/proc/cpuinfo has no flags line');
  return new Set(line.slice(line.indexOf(':') + 1).trim().split(/\s+/));
}

const linuxX64 = process.platform === 'linux' && process.arch === 'x64';
if (!linuxX64) console.warn(`[native] CPU detection test skipped: /proc/cpuinfo is the oracle, and this is ${process.platform}-${process.arch}, not linux-x64`);

describe.skipIf(addon === undefined || !linuxX64)('native: CPU feature detection (linux-x64)', () => {
  const flags = linuxX64 ? cpuinfoFlags() : new Set<string>();
  const avx2 = flags.has('avx2') && flags.has('fma');
  const avx512 = avx2 && ['avx512f', 'avx512dq', 'avx512bw', 'avx512vl'].every((flag) => flags.has(flag));
  const expected = [...(avx512 ? ['avx512'] : []), ...(avx2 ? ['avx2'] : []), 'portable'];
  console.log(`[native] this CPU runs the kernel paths ${expected.join(', ')} (from /proc/cpuinfo)`);

  it(`offers ${expected.join(', ')} and starts on ${expected[0]}, as /proc/cpuinfo implies`, () => {
    expect(addon!.kernelPaths()).toEqual(expected);
    expect(addon!.kernelPath()).toBe(expected[0]);
  });

  it('switches to exactly the paths it offers, and refuses the others without changing path', () => {
    const initial = addon!.kernelPath();
    try {
      for (const path of ['avx512', 'avx2', 'portable']) {
        expect(addon!.setKernelPath('portable')).toBe(true);
        expect(addon!.setKernelPath(path), path).toBe(expected.includes(path));
        expect(addon!.kernelPath()).toBe(expected.includes(path) ? path : 'portable');
      }
      expect(addon!.setKernelPath('avx-512')).toBe(false);
      expect(addon!.kernelPath()).toBe('portable');
    } finally {
      addon!.setKernelPath(initial);
    }
  });
});

describe.skipIf(addon === undefined)('native: MLPX_NATIVE_KERNELS', () => {
  it('forces each path the CPU runs, and says so in the backend notes', () => {
    const initial = addon!.kernelPath();
    try {
      for (const path of addon!.kernelPaths()) {
        applyKernelPathChoice(addon!, path);
        expect(addon!.kernelPath()).toBe(path);
        expect(kernelPathNotes(addon!, path).join('\n')).toContain(`chosen by MLPX_NATIVE_KERNELS=${path}`);
      }
      applyKernelPathChoice(addon!, undefined); // unset: the path stays as it is
      expect(addon!.kernelPath()).toBe(addon!.kernelPaths().at(-1));
    } finally {
      addon!.setKernelPath(initial);
    }
  });

  it('rejects an unknown path name, naming the variable and the choices', () => {
    expect(() => applyKernelPathChoice(addon!, 'avx-512')).toThrow(InvalidArgumentError);
    expect(() => applyKernelPathChoice(addon!, 'avx-512')).toThrow(/one of avx512, avx2, portable for MLPX_NATIVE_KERNELS/);
  });

  it('refuses a path this CPU cannot run with an error that lists what it can', () => {
    // A CPU without AVX-512 has no such path; the addon's answer is what the choice relies on.
    const withoutAvx512 = { ...addon!, kernelPaths: () => ['avx2', 'portable'], setKernelPath: (path: string) => path !== 'avx512' } as NativeAddon;
    expect(() => applyKernelPathChoice(withoutAvx512, 'avx512')).toThrow(BackendUnavailableError);
    expect(() => applyKernelPathChoice(withoutAvx512, 'avx512')).toThrow(/MLPX_NATIVE_KERNELS=avx512.*available here: avx2, portable/);
  });
});

describe.skipIf(addon === undefined)('native: fmaPeak', () => {
  it('measures a positive GFLOP/s on 1 and 2 threads for every kernel path, widest first', () => {
    const initial = addon!.kernelPath();
    try {
      const peaks = addon!.kernelPaths().map((path) => {
        addon!.setKernelPath(path);
        const one = addon!.fmaPeak(1, 0.02);
        expect(one, path).toBeGreaterThan(0.1);
        expect(addon!.fmaPeak(2, 0.02), path).toBeGreaterThan(0.1);
        return one;
      });
      console.log(`[native] FMA peak on 1 thread: ${addon!.kernelPaths().map((p, i) => `${p} ${peaks[i]!.toFixed(0)}`).join(', ')} GFLOP/s`);
    } finally {
      addon!.setKernelPath(initial);
    }
  });

  it('rejects bad arguments with an InvalidArgumentError', () => {
    expect(() => addon!.fmaPeak(0, 0.1)).toThrow(InvalidArgumentError);
    expect(() => addon!.fmaPeak(1, 0)).toThrow(/seconds must be in \(0, 10\]/);
    expect(() => addon!.fmaPeak(1, 11)).toThrow(InvalidArgumentError);
  });
});

describe.skipIf(addon === undefined)('native: coreRoundTrip', () => {
  it('measures a positive round trip between two threads', () => {
    const nanoseconds = addon!.coreRoundTrip(5000);
    expect(Number.isFinite(nanoseconds)).toBe(true);
    expect(nanoseconds).toBeGreaterThan(1); // a cache line cannot cross between cores faster
    console.log(`[native] core round trip: ${nanoseconds.toFixed(0)} ns`);
  });

  // Two spinning threads on one core must still take turns (each yields), not wait out time slices.
  const taskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  if (!taskset) console.log('[native] coreRoundTrip on one core: skipped: no taskset to confine a process to one CPU');
  it.skipIf(!taskset)('ends promptly when both threads share one core', () => {
    const { file } = loadAddonFile();
    const code = `const t = Date.now(); require(${JSON.stringify(file)}).coreRoundTrip(2000); console.log(Date.now() - t);`;
    const child = spawnSync('taskset', ['-c', '0', process.execPath, '-e', code], { encoding: 'utf8', timeout: 30_000 });
    expect(child.status, child.stderr).toBe(0);
    // 2000 round trips: a few ms when the threads alternate on yield; 2000 time slices would take seconds
    expect(Number(child.stdout.trim())).toBeLessThan(2000);
  });

  it('rejects bad arguments with an InvalidArgumentError', () => {
    expect(() => addon!.coreRoundTrip(0)).toThrow(InvalidArgumentError);
    expect(() => addon!.coreRoundTrip(1_000_001)).toThrow(/roundTrips must be at most 1000000/);
    expect(() => addon!.coreRoundTrip(1.5)).toThrow(InvalidArgumentError);
  });
});

// Starting a thread can fail (address space, thread limits). A child process lowers its own
// address-space limit to just above what it uses, so no thread stack fits, then calls everything
// that starts threads: each must raise an error, not abort the process.
if (!canLimitAddressSpace) console.log('[native] refused-thread test skipped: needs Linux and prlimit (util-linux) to lower a limit');
describe.skipIf(addon === undefined || !canLimitAddressSpace)('native: the OS refusing a thread', () => {
  it('makes setThreads, fmaPeak and coreRoundTrip throw, and the process lives on', () => {
    const outcomes = underAddressLimit(loadAddonFile().file, '', 1 << 20,
      '[outcome(() => addon.setThreads(8)), outcome(() => addon.fmaPeak(2, 0.01)), outcome(() => addon.coreRoundTrip(10))]');
    expect(outcomes).toEqual([
      expect.stringMatching(/setThreads: could not start a thread: /),
      expect.stringMatching(/fmaPeak: could not start a thread: /),
      expect.stringMatching(/coreRoundTrip: could not start a thread: /),
    ]);
  });

  // On two threads an epoch runs on a lead thread of the addon's own (native/lead_thread.h),
  // started by the first such epoch; where it cannot start, the epoch runs where it is.
  it('trains an epoch on two threads without its lead thread, to the bits of one thread', () => {
    const spec: NetSpec = { sizes: [64, 128, 10], activations: [Activation.relu, Activation.softmax], loss: Loss.cross_entropy };
    const rows = 64, batch = 32;
    const opt = Array.from(packOptimizer({ kind: Optimizer.sgd, lr: 0.05, beta1: 0, beta2: 0, eps: 0 }, new Float64Array(OPTIMIZER_FIELDS.length)));
    const epoch = (threads: number) => `(addon.setThreads(${threads}), net.writeParams(start),
      net.trainEpoch(x, y, null, ${rows}, order, ${batch}, opt, null, 1, new Float64Array(${(rows / batch) * STATS_PER_BATCH})))`;
    const setup = `
      addon.setThreads(2);
      const net = new addon.Net(Int32Array.from(${JSON.stringify(Array.from(packSpec(spec)))}));
      const start = Float32Array.from({ length: ${paramLayout(spec.sizes).count} }, (_, i) => Math.sin(i) * 0.02);
      net.reserve(${batch});
      const x = Float32Array.from({ length: ${rows * 64} }, (_, i) => Math.cos(i));
      const y = Float32Array.from({ length: ${rows * 10} }, (_, i) => (i % 10 === (i / 10 | 0) % 10 ? 1 : 0));
      const order = Uint32Array.from({ length: ${rows} }, (_, i) => i);
      const opt = Float64Array.from(${JSON.stringify(opt)});
      // Before the cap: libuv's threads start, and Node's first thread-pool job (crypto's here, the
      // epoch's async work later) registers its trace category with V8's tracing controller,
      // which copies the name with an unchecked strdup (under the cap: a null name, then SIGSEGV).
      await require('node:fs/promises').stat('.');
      await require('node:util').promisify(require('node:crypto').randomFill)(new Uint8Array(1));`;
    const result = underAddressLimit(loadAddonFile().file, setup, 4 << 20, `(async () => [
      outcome(() => addon.fmaPeak(2, 0.01)),
      await ${epoch(2)}, Buffer.from(net.readParams().buffer),
      await ${epoch(1)}, Buffer.from(net.readParams().buffer),
    ])().then(([refused, two, paramsTwo, one, paramsOne]) => [refused, two, one, paramsTwo.equals(paramsOne), net.readParams().every(Number.isFinite)])`);
    expect(result).toEqual([expect.stringMatching(/fmaPeak: could not start a thread: /), 2, 2, true, true]);
  });
});
