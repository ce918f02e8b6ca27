// Which wasm build to load (setWasmKernels, MLPX_WASM_KERNELS): its own module, free of
// WebAssembly types, because both entry points export it and a Node project's types may have no
// WebAssembly namespace.
import { InvalidArgumentError, invalidArgument } from '../../util/errors.js';

/**
 * The wasm kernels: 'relaxed-simd' fuses the GEMM's multiply-adds where the engine has relaxed
 * SIMD (faster; the bits depend on the engine and CPU), 'simd128' rounds each multiply and add
 * (the same bits in every engine).
 */
export const WASM_KERNELS = ['relaxed-simd', 'simd128'] as const;
export type WasmKernels = (typeof WASM_KERNELS)[number];

let wasmKernels: WasmKernels | 'auto' | undefined;
/** The kernels the wasm backend of the entry points loaded (it loads once), once it has. */
let loadedKernels: WasmKernels | undefined;

/**
 * The kernels the wasm backend loads: 'auto' (the default) takes 'relaxed-simd' where the engine
 * has relaxed SIMD, else 'simd128'; 'simd128' gives the same bits in every engine. Takes
 * precedence over MLPX_WASM_KERNELS. Call it before the first network: the backend loads once,
 * and asking for other kernels than it loaded is an error, not a silent no-op.
 */
export function setWasmKernels(kernels: WasmKernels | 'auto'): void {
  const requested = parseWasmKernels(kernels, 'setWasmKernels');
  if (loadedKernels !== undefined && requested !== 'auto' && requested !== loadedKernels) {
    throw new InvalidArgumentError(
      `setWasmKernels('${requested}'): the wasm backend has already loaded its ${loadedKernels} kernels, and loads once per page or process; call setWasmKernels before the first network`,
    );
  }
  wasmKernels = requested;
}

/** Called by the entry points' wasm loader once its backend has loaded `kernels`. */
export function wasmKernelsLoaded(kernels: WasmKernels): void {
  loadedKernels = kernels;
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
