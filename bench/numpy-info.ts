// What a numpy process of the bench ran, as the results JSON and BENCHMARKS.md record it.

/**
 * Variables some environments set for older OpenBLAS builds: OPENBLAS_CORETYPE=Haswell forces
 * OpenBLAS's AVX2 kernels on a CPU with AVX-512, OPENBLAS_L2_SIZE overrides its cache blocking.
 * A user's numpy sees neither.
 */
export const OPENBLAS_OVERRIDES = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'] as const;

/** What the numpy process reports about itself: the BLAS it was built with and the one it loaded. */
export interface NumpyInfo {
  threads: number;
  numpy: string;
  blas: string;
  /** np.show_config()'s build-time OpenBLAS string */
  buildConfig: string | null;
  /** The loaded OpenBLAS as it runs: kernel (core) chosen at load, its config string, threads; or why unknown. */
  openblas: { source: string; core: string; config: string; threads: number; library: string } | { error: string } | null;
  /** The variables removed from this process's environment, with the values they had. */
  removed: Record<string, string>;
}

/** "SkylakeX kernels (OpenBLAS 0.3.31 … SkylakeX MAX_THREADS=64), 2 threads", or why unknown. */
export function describeOpenblas(info: NumpyInfo): string {
  const o = info.openblas;
  if (o === null) return 'not found among the loaded libraries';
  if ('error' in o) return `unknown (${o.error})`;
  return `${o.core} kernels (${o.config}), ${o.threads} thread${o.threads === 1 ? '' : 's'}, via ${o.source}`;
}
