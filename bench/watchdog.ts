// A hang inside a measured library (a worker that never answers while the main thread spins)
// blocks the main thread, so no timer of ours could fire. This watchdog runs in its own thread:
// the main thread stamps a heartbeat into shared memory on every progress line, and when none
// arrives for `seconds`, the watchdog names what was running and ends the process. Results of
// the cases finished so far are already in bench/results/latest.json (written after each case).
import { Worker } from 'node:worker_threads';

const ACTIVITY_BYTES = 512;
let beat: Int32Array | undefined;
let activity: Uint8Array | undefined;

const WATCHER = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const beat = new Int32Array(workerData.beat);
const activity = new Uint8Array(workerData.activity);
setInterval(() => {
  const idle = Math.floor(Date.now() / 1000) - Atomics.load(beat, 0);
  if (idle < workerData.seconds) return;
  const end = activity.indexOf(0);
  const what = Buffer.from(activity.subarray(0, end < 0 ? activity.length : end)).toString();
  // fd 2 directly: a worker's process.stderr is relayed by the main thread, which may be stuck
  writeSync(2, '\\nbench: no progress for ' + idle + ' s while running: ' + what + '\\n' +
    'bench: this is a hang in the code being measured, not a slow result; stopping. Cases finished before it are in bench/results/latest.json.\\n');
  process.kill(process.pid, 'SIGKILL');
}, 1000);
`;

export function startWatchdog(seconds: number): void {
  const beatBuffer = new SharedArrayBuffer(4);
  const activityBuffer = new SharedArrayBuffer(ACTIVITY_BYTES);
  beat = new Int32Array(beatBuffer);
  activity = new Uint8Array(activityBuffer);
  heartbeat('starting');
  new Worker(WATCHER, { eval: true, workerData: { beat: beatBuffer, activity: activityBuffer, seconds } }).unref();
}

/** Record progress and what is running now. */
export function heartbeat(what: string): void {
  if (beat === undefined || activity === undefined) return;
  Atomics.store(beat, 0, Math.floor(Date.now() / 1000));
  const bytes = Buffer.from(what).subarray(0, ACTIVITY_BYTES - 1);
  activity.fill(0);
  activity.set(bytes);
}
