// Waits, before a timed round, until the threads of this process and of its child processes are
// idle. Some peers keep a core busy after their calls return: numpy's OpenBLAS worker threads
// spin ~130 ms after each 2-thread call before they sleep (measured on the 2-vCPU host), so the
// contender timed next lost a core for half its round. On-CPU time comes from each thread's
// /proc/<pid>/task/<tid>/schedstat (nanoseconds); without /proc (not Linux) nothing is waited for.
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** The window over which the threads must stay (nearly) idle. */
const WINDOW_MS = 10;
/** The on-CPU time, summed over every thread, that still counts as idle within a window. */
const IDLE_NS = 1e6;
/** The longest wait: a thread that never stops (another benchmark's) must not stall the bench. */
const MOST_MS = 2000;

export interface Settled {
  /** ms waited before the threads were idle (or MOST_MS) */
  readonly waitedMs: number;
  /** false: they were still busy after MOST_MS */
  readonly idle: boolean;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined; // the thread or process ended meanwhile
  }
}

function tasksOf(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
}

/**
 * Nanoseconds on a CPU so far, summed over every thread of `pid` and of its descendants, except
 * this process's main thread: it is the one reading these files.
 */
function onCpuNs(pid: number, seen = new Set<number>()): number {
  seen.add(pid);
  let ns = 0;
  for (const tid of tasksOf(pid)) {
    if (Number(tid) !== process.pid) ns += Number(readText(`/proc/${pid}/task/${tid}/schedstat`)?.split(' ')[0] ?? 0);
    for (const child of (readText(`/proc/${pid}/task/${tid}/children`) ?? '').split(' ').filter((s) => s !== '')) {
      const childPid = Number(child);
      if (!seen.has(childPid)) ns += onCpuNs(childPid, seen);
    }
  }
  return ns;
}

/** Resolves once this process tree used under IDLE_NS of CPU time in WINDOW_MS, or after MOST_MS. */
export async function settle(): Promise<Settled> {
  if (tasksOf(process.pid).length === 0) return { waitedMs: 0, idle: true };
  const start = performance.now();
  let before = onCpuNs(process.pid);
  for (;;) {
    await sleep(WINDOW_MS);
    const now = onCpuNs(process.pid);
    const waitedMs = performance.now() - start;
    if (now - before < IDLE_NS) return { waitedMs, idle: true };
    if (waitedMs >= MOST_MS) return { waitedMs, idle: false };
    before = now;
  }
}
