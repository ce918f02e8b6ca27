// Progress goes to stderr so stdout carries only the Markdown table. Every progress line is
// also the watchdog's heartbeat.
import { heartbeat } from './watchdog.js';

let transient = false;
const started = performance.now();

/** Print a progress line; `overwrite` lines are replaced by the next line (a TTY spinner of sorts). */
export function log(message: string, overwrite = false): void {
  if (message !== '') heartbeat(message.trim());
  const tty = process.stderr.isTTY === true;
  if (overwrite && !tty) return;
  if (transient && tty) process.stderr.write('\r\x1b[K');
  transient = overwrite;
  if (message === '') return;
  const stamp = `[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] `;
  process.stderr.write(overwrite ? stamp + message : `${stamp}${message}\n`);
}
