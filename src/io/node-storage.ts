// Node file storage: atomic writes through a temporary file beside the target (see temp-files.ts),
// removed again if anything fails. File-system errors become FileErrors naming the target.
import { open, rename, rm, stat } from 'node:fs/promises';
import type { FileStorage } from '../nn/storage.js';
import { FileError } from '../util/errors.js';
import { fileError, missingFolder, requirePath } from './file-errors.js';
import { claimTempPath, releaseTempPath, removeStaleTemps } from './temp-files.js';

export const nodeFileStorage: FileStorage = {
  async read(path) {
    requirePath(path);
    let handle: FileHandle | undefined;
    try {
      handle = await open(path, 'r');
      // a device or pipe has no end to read to (/dev/zero would fill memory)
      if (!(await handle.stat()).isFile()) throw new FileError(`could not read ${path} (not a regular file)`, path);
      return await handle.readFile();
    } catch (error) {
      if (error instanceof FileError) throw error;
      throw fileError('could not read', path, error);
    } finally {
      await handle?.close().catch(() => {});
    }
  },

  async writeAtomic(path, bytes) {
    requirePath(path);
    await removeStaleTemps(path);
    await throughTempFile(path, 'could not save', async (temporary, handle) => {
      await handle.writeFile(bytes);
      await handle.sync();
      await handle.close();
      await rename(temporary, path);
    });
  },

  async checkWritable(path) {
    requirePath(path);
    const existing = await stat(path).catch(() => undefined);
    if (existing?.isDirectory()) throw new FileError(`cannot save to ${path}: it is a folder`, path);
    await throughTempFile(path, 'cannot save to', async (temporary, handle) => {
      await handle.close();
      await rm(temporary);
    });
  },
};

type FileHandle = Awaited<ReturnType<typeof open>>;

/** Create a temporary file for `target` and run `use` on it; on failure remove it and name the target. */
async function throughTempFile(target: string, failure: string, use: (temporary: string, handle: FileHandle) => Promise<void>): Promise<void> {
  const temporary = claimTempPath(target);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temporary, 'wx');
    await use(temporary, handle);
  } catch (error) {
    await handle?.close().catch(() => {});
    await rm(temporary, { force: true }).catch(() => {});
    throw fileError(failure, target, error, missingFolder(target));
  } finally {
    releaseTempPath(temporary);
  }
}
