// Which kernel path the native addon runs: the fastest this CPU and OS support (the addon decides
// from CPUID and XGETBV), unless MLPX_NATIVE_KERNELS names one, for tests and A/B measurements.
import { BackendUnavailableError, invalidArgument } from '../../util/errors.js';
import type { NativeAddon } from './load.js';

/** Every path an x86-64 build has, fastest first (other builds have 'portable' only). */
export const NATIVE_KERNEL_PATHS = ['avx512', 'avx2', 'portable'] as const;
export type NativeKernelPath = (typeof NATIVE_KERNEL_PATHS)[number];

const WHAT_RUNS: Record<NativeKernelPath, string> = {
  avx512: 'AVX-512 12x32 SGEMM microkernel, 512-bit element-wise loops',
  avx2: 'AVX2/FMA 6x16 SGEMM microkernel, 256-bit element-wise loops',
  portable: 'compiler-vectorised 6x16 SGEMM microkernel for the baseline ISA',
};

/** Apply MLPX_NATIVE_KERNELS (when set); a path this CPU cannot run is an error, never a crash. */
export function applyKernelPathChoice(addon: NativeAddon, requested: string | undefined): void {
  if (requested === undefined || requested === '') return;
  if (!(NATIVE_KERNEL_PATHS as readonly string[]).includes(requested)) {
    throw invalidArgument('MLPX_NATIVE_KERNELS', `one of ${NATIVE_KERNEL_PATHS.join(', ')}`, requested);
  }
  if (!addon.setKernelPath(requested)) {
    throw new BackendUnavailableError(
      `MLPX_NATIVE_KERNELS=${requested}, but this CPU or OS cannot run the ${requested} kernels ` +
      `(available here: ${addon.kernelPaths().join(', ')})`,
    );
  }
}

/** Notes for `mlpx info`: what the chosen path runs, and what else this CPU could run. */
export function kernelPathNotes(addon: NativeAddon, requested: string | undefined): string[] {
  const path = addon.kernelPath() as NativeKernelPath;
  const notes = [`${path}: ${WHAT_RUNS[path] ?? 'unknown kernels'}`];
  const others = addon.kernelPaths().filter((p) => p !== path);
  const forced = requested !== undefined && requested !== '';
  notes.push(forced
    ? `chosen by MLPX_NATIVE_KERNELS=${requested}; this CPU also runs: ${others.join(', ') || 'nothing else'}`
    : `the fastest path this CPU runs${others.length > 0 ? `; MLPX_NATIVE_KERNELS=${others.join('|')} forces another` : ''}`);
  return notes;
}
