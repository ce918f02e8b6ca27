// The native backend: C++ kernels and engine from the addon (native/), behind Backend.
import { availableParallelism } from 'node:os';
import type { Backend } from '../engine.js';
import { KERNEL_NAMES, type Kernels } from '../kernels.js';
import { NativeEngine } from './engine.js';
import { applyKernelPathChoice, kernelPathNotes } from './kernel-path.js';
import { loadAddon } from './load.js';

export function loadNativeBackend(): Backend {
  const addon = loadAddon();
  const requestedPath = process.env['MLPX_NATIVE_KERNELS'];
  applyKernelPathChoice(addon, requestedPath);
  addon.setThreads(availableParallelism());
  const kernels = Object.fromEntries(KERNEL_NAMES.map((name) => [name, addon[name]])) as unknown as Kernels;
  return {
    name: 'native',
    kernels,
    details: () => ({
      kernelPath: addon.kernelPath(),
      threads: addon.threads(),
      notes: kernelPathNotes(addon, requestedPath),
    }),
    setThreads: (threads) => addon.setThreads(threads),
    createEngine: (spec) => new NativeEngine(spec, addon),
  };
}
