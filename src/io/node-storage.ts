// Node file storage: atomic writes through a unique temporary file in the same folder (so the
// rename stays on one file system), removed again if anything fails.
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import type { FileStorage } from '../nn/storage.js';

export const nodeFileStorage: FileStorage = {
  read: (path) => readFile(path),
  async writeAtomic(path, bytes) {
    const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      const handle = await open(temporary, 'wx');
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  },
};
