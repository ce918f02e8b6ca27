// A process that saves a large model to argv[2] over and over and prints `in flight` once a save's
// temporary file exists, for the signal tests to interrupt. argv[3] = 'stall' blocks the event
// loop once the save is in flight (so it stays in flight until killed); 'own-handler' installs
// its own SIGINT listener and prints `saved` after one save that the signal must not spoil.
import { readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { nodeFileStorage } from '../../src/io/node-storage.js';

const [target, mode] = process.argv.slice(2) as [string, string | undefined];
const bytes = new Uint8Array(64 * 1024 * 1024).fill(7);
const tempExists = () => readdirSync(dirname(target)).some((name) => name.startsWith(basename(target)) && name.endsWith('.tmp'));

async function announceInFlight(): Promise<void> {
  while (!tempExists()) await new Promise((resolve) => setImmediate(resolve));
  process.stdout.write('in flight\n');
}

if (mode === 'own-handler') {
  let interrupted = false;
  process.on('SIGINT', () => (interrupted = true));
  const saving = nodeFileStorage.writeAtomic(target, bytes);
  await announceInFlight();
  await saving;
  process.stdout.write(`saved ${interrupted ? 'after SIGINT' : 'without SIGINT'}\n`);
} else if (mode === 'stall') {
  void nodeFileStorage.writeAtomic(target, bytes);
  await announceInFlight();
  for (;;); // the write needs this thread to continue: the temporary file stays
} else {
  const first = nodeFileStorage.writeAtomic(target, bytes);
  await announceInFlight();
  await first;
  for (;;) await nodeFileStorage.writeAtomic(target, bytes);
}
