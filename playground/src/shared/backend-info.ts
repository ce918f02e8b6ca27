// What the page shows about how mlpx trains: the backend a network got, its kernels and threads,
// and whether the page is cross-origin isolated (without it, wasm runs on one thread).
import type { Network } from 'mlpx';

export interface BackendReport {
  name: string;
  kernelPath: string;
  threads: number;
  notes: string[];
  isolated: boolean;
}

/** In the worker: the backend `net` trains on, as mlpx reports it. */
export function describeBackend(net: Network): BackendReport {
  const details = net.backend.details();
  return {
    name: net.backend.name,
    kernelPath: details.kernelPath,
    threads: details.threads,
    notes: [...details.notes],
    isolated: globalThis.crossOriginIsolated === true,
  };
}
