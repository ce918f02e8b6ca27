// The native backend: C++ kernels and engine from the addon (native/), behind Backend.
import { availableParallelism } from 'node:os';
import type { Backend } from '../engine.js';
import { KERNEL_NAMES, type Kernels } from '../kernels.js';
import { ENGINE_BYTES_HOLD, engineBytes, workspaceBytes } from '../layout.js';
import { nodeMemoryLimit } from '../node-memory.js';
import { clampThreads, threadCap } from '../threads.js';
import { NativeEngine, registerErrorClasses } from './engine.js';
import { applyKernelPathChoice, kernelPathNotes } from './kernel-path.js';
import { loadAddon } from './load.js';

/** The addon's own ceiling on pool threads (native/runtime_napi.cc). */
const ADDON_MAX_THREADS = 1024;

export function loadNativeBackend(): Backend {
  const addon = registerErrorClasses(loadAddon());
  const requestedPath = process.env['MLPX_NATIVE_KERNELS'];
  applyKernelPathChoice(addon, requestedPath);
  const maxThreads = threadCap(availableParallelism(), ADDON_MAX_THREADS);
  let clampNote: string | undefined;
  addon.setThreads(Math.min(availableParallelism(), maxThreads));
  const kernels = Object.fromEntries(KERNEL_NAMES.map((name) => [name, addon[name]])) as unknown as Kernels;
  return {
    name: 'native',
    kernels,
    details: () => ({
      kernelPath: addon.kernelPath(),
      threads: addon.threads(),
      notes: [...kernelPathNotes(addon, requestedPath), ...(clampNote === undefined ? [] : [clampNote])],
    }),
    maxThreads,
    setThreads: (requested) => {
      const { threads, note } = clampThreads(requested, maxThreads);
      clampNote = note;
      addon.setThreads(threads);
    },
    ...nodeMemoryLimit(),
    engineBytes: (spec) => engineBytes(spec) + addon.packedWeightsBytes(Int32Array.from(spec.sizes)),
    engineBytesHold: `${ENGINE_BYTES_HOLD}, and the copy of the weights predict packs`,
    // The K-block buffer is the process's, not the Net's: counted as this network's all the same,
    // since reserving these rows may grow it to that size.
    workspaceBytes: (spec, rows) => workspaceBytes(spec, rows) + addon.depthPartialsBytes(Int32Array.from(spec.sizes), rows),
    createEngine: (spec) => new NativeEngine(spec, addon),
  };
}
