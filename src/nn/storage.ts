// File access for save/load, registered by the Node entry point; the browser entry has none, so
// the browser build reaches no Node built-in (use toBuffer/fromBuffer there).
import { MlpxError } from '../util/errors.js';

export interface FileStorage {
  read(path: string): Promise<Uint8Array>;
  /** write to a temporary file beside `path`, then rename over it */
  writeAtomic(path: string, bytes: Uint8Array): Promise<void>;
  /** Throw if `path` could not be written (missing or read-only folder, a folder in its place). */
  checkWritable(path: string): Promise<void>;
}

let storage: FileStorage | undefined;

export function registerFileStorage(implementation: FileStorage): void {
  storage = implementation;
}

export function fileStorage(): FileStorage {
  if (storage === undefined) throw new MlpxError('saving and loading files needs Node.js; in the browser use toBuffer() and Network.fromBuffer()');
  return storage;
}
