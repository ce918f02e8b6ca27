// Which wasm build to load (setWasmKernels, MLPX_WASM_KERNELS): its own module, free of
// WebAssembly types, because both entry points export it and a Node project's types may have no
// WebAssembly namespace.
import { invalidArgument } from '../../util/errors.js';

/**
 * The wasm kernels: 'relaxed-simd' fuses the GEMM's multiply-adds where the engine has relaxed
 * SIMD (faster; the bits depend on the engine and CPU), 'simd128' rounds each multiply and add
 * (the same bits in every engine).
 */
export const WASM_KERNELS = ['relaxed-simd', 'simd128'] as const;
export type WasmKernels = (typeof WASM_KERNELS)[number];

let wasmKernels: WasmKernels | 'auto' | undefined;

/**
 * The kernels the wasm backend loads: 'auto' (the default) takes 'relaxed-simd' where the engine
 * has relaxed SIMD, else 'simd128'; 'simd128' gives the same bits in every engine. Takes
 * precedence over MLPX_WASM_KERNELS. Call it before the first network: the backend loads once.
 */
export function setWasmKernels(kernels: WasmKernels | 'auto'): void {
  wasmKernels = parseWasmKernels(kernels, 'setWasmKernels');
}

function parseWasmKernels(value: unknown, source: string): WasmKernels | 'auto' {
  if (value === 'auto' || (WASM_KERNELS as readonly unknown[]).includes(value)) return value as WasmKernels | 'auto';
  throw invalidArgument(source, `'auto', ${WASM_KERNELS.map((k) => `'${k}'`).join(' or ')}`, value);
}

/** What setWasmKernels, else MLPX_WASM_KERNELS (where there is an environment), asks for. */
export function requestedWasmKernels(): WasmKernels | 'auto' {
  if (wasmKernels !== undefined) return wasmKernels;
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.['MLPX_WASM_KERNELS'];
  return env === undefined || env === '' ? 'auto' : parseWasmKernels(env, 'MLPX_WASM_KERNELS');
}
