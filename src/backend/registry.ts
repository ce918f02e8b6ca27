// Backend selection. `auto` tries native → wasm → js and remembers why each one it skipped was
// skipped; an explicitly requested backend that cannot load throws that reason. Precedence of
// the choice: the network's own `backend` option, then MLPX_BACKEND, then setBackend(), then auto.
import type { Backend, BackendDetails, BackendName } from './engine.js';
import { BackendUnavailableError, invalidArgument } from '../util/errors.js';
import { clampThreads } from './threads.js';

export type BackendChoice = 'auto' | BackendName;
export const BACKEND_PREFERENCE: readonly BackendName[] = ['native', 'wasm', 'js'];
const CHOICES: readonly string[] = ['auto', ...BACKEND_PREFERENCE];

type Loader = () => Backend | Promise<Backend>;

const loaders = new Map<BackendName, Loader>();
const attempts = new Map<BackendName, Promise<Backend>>();
const loaded = new Map<BackendName, Backend>();
const failures = new Map<BackendName, string>();
let defaultChoice: BackendChoice = 'auto';
let threadSetting: number | undefined;

/** Entry points (node, browser) register the backends their platform can have. */
export function registerBackend(name: BackendName, loader: Loader): void {
  loaders.set(name, loader);
  attempts.delete(name);
  loaded.delete(name);
  failures.delete(name);
}

export function parseBackendChoice(value: unknown, name = 'backend'): BackendChoice {
  if (typeof value !== 'string' || !CHOICES.includes(value)) throw invalidArgument(name, `one of ${CHOICES.join(', ')}`, value);
  return value as BackendChoice;
}

/** The global default, used by networks created without a `backend` option. */
export function setBackend(choice: BackendChoice): void {
  defaultChoice = parseBackendChoice(choice);
}

/**
 * Threads for every backend's kernels (default: MLPX_THREADS, else all cores). Validated here,
 * synchronously; each backend clamps a count above its maximum (backend.maxThreads: 4 per core)
 * and says so in details().notes.
 */
export function setThreads(threads: number): void {
  clampThreads(threads, Number.MAX_SAFE_INTEGER);
  threadSetting = threads;
  for (const backend of loaded.values()) backend.setThreads(threads);
}

function envValue(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.[name];
  return value === undefined || value === '' ? undefined : value;
}

export function resolveChoice(explicit?: BackendChoice): BackendChoice {
  if (explicit !== undefined) return parseBackendChoice(explicit);
  const fromEnv = envValue('MLPX_BACKEND');
  if (fromEnv !== undefined) return parseBackendChoice(fromEnv, 'MLPX_BACKEND');
  return defaultChoice;
}

function configuredThreads(): number | undefined {
  if (threadSetting !== undefined) return threadSetting;
  const fromEnv = envValue('MLPX_THREADS');
  if (fromEnv === undefined) return undefined;
  const threads = Number(fromEnv);
  if (!/^\s*\d+\s*$/.test(fromEnv) || !Number.isSafeInteger(threads) || threads < 1) throw invalidArgument('MLPX_THREADS', 'an integer ≥ 1', fromEnv);
  return threads;
}

function attempt(name: BackendName): Promise<Backend> {
  let pending = attempts.get(name);
  if (pending === undefined) {
    const loader = loaders.get(name);
    pending = loader === undefined
      ? Promise.reject(new BackendUnavailableError(`the ${name} backend is not part of this build for this platform`))
      : Promise.resolve().then(loader).then((backend) => {
        const threads = configuredThreads();
        if (threads !== undefined) backend.setThreads(threads);
        loaded.set(name, backend);
        return backend;
      });
    pending.catch((error: unknown) => failures.set(name, error instanceof Error ? error.message : String(error)));
    attempts.set(name, pending);
  }
  return pending;
}

let warnedSlowFallback = false;

/** `auto` landing on the reference loops is never silent: one console line with the reasons. */
function warnSlowFallback(): void {
  if (warnedSlowFallback) return;
  warnedSlowFallback = true;
  const reasons = [...failures].filter(([name]) => loaders.has(name)).map(([name, why]) => `${name}: ${why}`);
  console.warn(`mlpx: backend 'auto' is using js, the slow TypeScript reference (${reasons.join('; ')}); backendInfo() lists every backend`);
}

/** Load the backend for `choice` (after resolveChoice). Throws BackendUnavailableError with the reason. */
export async function loadBackend(explicit?: BackendChoice): Promise<Backend> {
  const choice = resolveChoice(explicit);
  configuredThreads(); // a malformed MLPX_THREADS is an error of its own, not a reason to fall back
  if (choice !== 'auto') {
    try {
      return await attempt(choice);
    } catch (error) {
      if (error instanceof BackendUnavailableError) throw error;
      throw new BackendUnavailableError(`Could not load the ${choice} backend: ${(error as Error).message}`);
    }
  }
  for (const name of BACKEND_PREFERENCE) {
    try {
      const backend = await attempt(name);
      if (name === 'js') warnSlowFallback();
      return backend;
    } catch {
      // recorded in `failures`; fall through to the next backend
    }
  }
  throw new BackendUnavailableError(`No backend could be loaded: ${[...failures].map(([n, why]) => `${n}: ${why}`).join('; ')}`);
}

export interface BackendStatus {
  readonly name: BackendName;
  readonly available: boolean;
  /** why it is not available */
  readonly reason?: string;
  readonly details?: BackendDetails;
}

/** Try every backend and report which load, with details, or why not. */
export async function backendInfo(): Promise<BackendStatus[]> {
  return Promise.all(BACKEND_PREFERENCE.map(async (name): Promise<BackendStatus> => {
    try {
      const backend = await attempt(name);
      return { name, available: true, details: backend.details() };
    } catch {
      return { name, available: false, reason: failures.get(name) ?? 'unknown error' };
    }
  }));
}
