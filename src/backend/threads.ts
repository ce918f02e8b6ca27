// How many kernel threads a backend may use: any integer ≥ 1 is accepted, and more than
// THREADS_PER_CORE per core (or the backend's own maximum) is clamped, with a note saying so.
import { invalidArgument } from '../util/errors.js';

/** More threads than this per core only add contention (and each one costs memory and a start-up). */
export const THREADS_PER_CORE = 4;

export function threadCap(cores: number, backendMax: number): number {
  return Math.max(1, Math.min(backendMax, cores * THREADS_PER_CORE));
}

/** Validate `requested` (name says where it came from) and clamp it to `cap`. */
export function clampThreads(requested: unknown, cap: number, name = 'threads'): { threads: number; note: string | undefined } {
  if (typeof requested !== 'number' || !Number.isInteger(requested) || requested < 1) throw invalidArgument(name, 'an integer ≥ 1', requested);
  if (requested <= cap) return { threads: requested, note: undefined };
  return { threads: cap, note: `${requested} threads requested; using ${cap}, the most this backend runs (${THREADS_PER_CORE} per core, at most)` };
}
