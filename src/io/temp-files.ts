// Temporary files for atomic writes. Each lives beside its target (so the final rename stays on one
// file system) and is named `<stem>.<pid>.<random>.tmp`, where the stem is the target's own name,
// shortened with a hash when the suffix would push it past the 255-byte name limit. The stem lets a
// later write to the same target find and remove the temporaries of processes that were killed
// mid-write; the pid tells a dead writer's file from a live one's.
//
// While any write is in flight, SIGINT, SIGTERM and SIGHUP remove the temporaries and then take
// their default action again (unless the application handles the signal itself), and process exit
// removes them too. The handlers exist only while a write runs.
import { createHash, randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Most file systems (ext4, APFS, NTFS, …) allow 255 bytes per name. */
const NAME_MAX = 255;
/** `.<pid>.<8 hex>.tmp` with a pid of up to 10 digits */
const SUFFIX_MAX = 24;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

const inFlight = new Set<string>();

/** The part of a temporary file's name that identifies its target. */
export function tempStem(target: string): string {
  const name = basename(target);
  const budget = NAME_MAX - SUFFIX_MAX;
  if (Buffer.byteLength(name) <= budget) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${truncateUtf8(name, budget - hash.length - 1)}~${hash}`;
}

/** A fresh temporary path for `target`, removed on signal or exit until `release`d. */
export function claimTempPath(target: string): string {
  const path = join(dirname(target), `${tempStem(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  if (inFlight.size === 0) watchSignals();
  inFlight.add(path);
  return path;
}

export function releaseTempPath(path: string): void {
  if (inFlight.delete(path) && inFlight.size === 0) unwatchSignals();
}

/** Remove temporaries of `target` left by writers that no longer run (killed mid-write). */
export async function removeStaleTemps(target: string): Promise<void> {
  const dir = dirname(target);
  const pattern = new RegExp(`^${escapeRegExp(tempStem(target))}\\.(\\d+)\\.[0-9a-f]{8}\\.tmp$`);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return; // a missing or unreadable folder: the write itself reports it
  }
  await Promise.all(names.map(async (name) => {
    const pid = pattern.exec(name)?.[1];
    const path = join(dir, name);
    if (pid === undefined || inFlight.has(path) || isRunning(Number(pid))) return;
    await rm(path, { force: true }).catch(() => {});
  }));
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return false; // this process's live temporaries are in `inFlight`
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by someone else
  }
}

function removeInFlight(): void {
  for (const path of inFlight) {
    try {
      unlinkSync(path);
    } catch {
      // not created yet, or already renamed into place
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  // An application that handles the signal decides whether the process ends; the exit hook
  // removes the temporaries if it does.
  if (process.listenerCount(signal) > 1) return;
  removeInFlight();
  inFlight.clear();
  unwatchSignals();
  process.kill(process.pid, signal); // no listener left: the default action (terminate) applies
}

function watchSignals(): void {
  process.on('exit', removeInFlight);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function unwatchSignals(): void {
  process.off('exit', removeInFlight);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    bytes += Buffer.byteLength(char);
    if (bytes > maxBytes) break;
    end += char.length;
  }
  return text.slice(0, end);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
