// Running fuzz cases: each case is loaded under an allocation meter and a clock, and its outcome
// is classified. The in-suite tests and the large one-off run (large-run.ts) share this code.
//
// What the meter sees, per case (the largest of these is the case's allocation):
// - array buffers allocated and not yet collected (every typed array and Buffer; young garbage is
//   collected before the case starts, and nothing during it unless V8 chooses to, so transient
//   allocations count);
// - for the wasm backend, every block requested from its linear-memory allocator, summed, and the
//   growth of the linear memory itself;
// - separately, growth of the process's peak resident set (ru_maxrss): the only view that covers
//   the native addon's own heap, coarse because of its high-water nature and other allocations.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { WasmBackend } from '../../src/backend/wasm/backend.js';
import { FormatError } from '../../src/util/errors.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (options?: { type: 'minor' | 'major' }) => void;
/** A full collection costs ~20 ms, a minor one ~0.1 ms: do the full one (which lets finalizers free wasm engines) every so often. */
const FULL_GC_EVERY = 64;

/** Allowed beyond 4× the file: an engine's fixed-size blocks (wasm: a 24 KiB stats block) and one 64 KiB wasm page of growth. */
export const FIXED_SLACK = 128 * 1024;
/** Allowed peak-RSS growth beyond 4× the file: heap growth, JIT code and allocator noise in the whole process. */
export const RSS_SLACK = 48 * 1024 * 1024;
/** A case that takes longer than this counts as a hang. */
export const CASE_MS = 2000;

export interface Measured<T> {
  value?: T;
  error?: unknown;
  /** largest of: array-buffer growth, wasm bytes requested, wasm memory growth */
  bytes: number;
  rssBytes: number;
  ms: number;
}

const peakRss = (): number => process.resourceUsage().maxRSS * 1024;
const settle = () => new Promise((resolve) => setImmediate(resolve));

export class AllocationMeter {
  #requested = 0;
  #cases = 0;

  /** With a wasm backend, also count every block its allocator hands out. */
  constructor(private readonly wasm?: WasmBackend) {
    if (wasm === undefined) return;
    const mem = wasm.runtime.mem;
    const alloc = mem.alloc.bind(mem);
    mem.alloc = (bytes: number) => {
      this.#requested += bytes;
      return alloc(bytes);
    };
  }

  async measure<T>(run: () => Promise<T>): Promise<Measured<T>> {
    gc(this.#cases++ % FULL_GC_EVERY === 0 ? undefined : { type: 'minor' });
    await settle(); // finalizers of collected wasm engines return their blocks here
    const buffers = process.memoryUsage().arrayBuffers;
    const wasmBytes = this.wasm?.runtime.mem.byteLength ?? 0;
    const rss = peakRss();
    this.#requested = 0;
    const start = performance.now();
    const out: Measured<T> = { bytes: 0, rssBytes: 0, ms: 0 };
    try {
      out.value = await run();
    } catch (error) {
      out.error = error;
    }
    out.ms = performance.now() - start;
    out.bytes = Math.max(process.memoryUsage().arrayBuffers - buffers, this.#requested, (this.wasm?.runtime.mem.byteLength ?? 0) - wasmBytes);
    out.rssBytes = peakRss() - rss;
    return out;
  }
}

/** 'loaded', 'FormatError: <message shape>' or '<other class>: <message>' (a failure). */
export function outcomeOf(measured: Measured<unknown>): string {
  const { error } = measured;
  if (error === undefined) return 'loaded';
  if (error instanceof FormatError) return `FormatError: ${messageShape(error.message)}`;
  return `${(error as Error)?.constructor?.name ?? typeof error}: ${(error as Error)?.message ?? String(error)}`;
}

/** The message without the file name, numbers and quoted values, to group outcomes. */
function messageShape(message: string): string {
  return message
    .replace(/^[^:]*: /, '')
    .replace(/'[^']*'/g, "'…'")
    .replace(/0x[0-9a-f]{2}/g, '0x…')
    .replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/gi, 'N')
    .replace(/(N[ ×→,]*)+N/g, 'N…')
    .slice(0, 90);
}

export class Tally {
  readonly counts = new Map<string, number>();
  /** the first 20 failing cases, named */
  readonly failures: string[] = [];
  failed = 0;
  cases = 0;
  maxMs = 0;
  /** largest allocation seen, as a multiple of (4 × file + slack) */
  worstRatio = 0;

  record(name: string, outcome: string, ok: boolean, ms: number, ratio: number): void {
    this.cases++;
    this.counts.set(outcome, (this.counts.get(outcome) ?? 0) + 1);
    this.maxMs = Math.max(this.maxMs, ms);
    this.worstRatio = Math.max(this.worstRatio, ratio);
    if (ok) return;
    this.failed++;
    if (this.failures.length < 20) this.failures.push(`${name}: ${outcome}`);
  }

  /** Counts per outcome, most frequent first; `limit` outcome lines at most. */
  summary(title: string, limit = Infinity): string {
    const loaded = this.counts.get('loaded') ?? 0;
    const sorted = [...this.counts].sort((a, b) => b[1] - a[1]);
    const lines = sorted.slice(0, limit).map(([outcome, n]) => `  ${String(n).padStart(6)}  ${outcome}`);
    const rest = sorted.slice(limit);
    if (rest.length > 0) lines.push(`  ${String(rest.reduce((sum, [, n]) => sum + n, 0)).padStart(6)}  (${rest.length} rarer outcomes)`);
    return [`${title}: ${this.cases} cases, ${loaded} loaded, ${this.cases - loaded} refused, ${this.failed} failed; slowest ${this.maxMs.toFixed(0)} ms; largest allocation ${(100 * this.worstRatio).toFixed(1)}% of the bound`, ...lines].join('\n');
  }
}
