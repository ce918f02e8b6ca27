// Path arguments and file-system failures, reported the same way by every file mlpx reads or
// writes: an InvalidArgumentError for a path that is not one, a FileError naming the file.
import { dirname } from 'node:path';
import { FileError, invalidArgument } from '../util/errors.js';

export function requirePath(path: unknown, name = 'path'): string {
  if (typeof path !== 'string' || path === '' || path.includes('\0')) throw invalidArgument(name, 'a file path (a non-empty string without NUL)', path);
  return path;
}

/**
 * `could not save out/model.mlpx (EACCES: permission denied)`: the system error without the
 * path Node appends to its messages (for a write, that is the temporary file's). `ifMissing`
 * replaces ENOENT's text when the missing thing is the folder.
 */
export function fileError(failure: string, path: string, error: unknown, ifMissing?: string): FileError {
  const { code, message } = error as NodeJS.ErrnoException;
  const reason = code === 'ENOENT' && ifMissing !== undefined ? ifMissing
    : code !== undefined && message.startsWith(`${code}: `) ? message.split(', ')[0]! : message;
  return new FileError(`${failure} ${path} (${reason})`, path, { cause: error });
}

export const missingFolder = (path: string): string => `folder ${dirname(path)} does not exist`;
