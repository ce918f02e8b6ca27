// Atomic file writes: errors that name the target, long names, stale temporaries of killed
// writers, and clean-up when a signal interrupts a save.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { nodeFileStorage } from '../../src/io/node-storage.js';
import { tempStem } from '../../src/io/temp-files.js';
import { FileError, InvalidArgumentError } from '../../src/util/errors.js';

const root = resolve(import.meta.dirname, '../..');
const freshDir = () => mkdtempSync(join(tmpdir(), 'mlpx-storage-'));
const temporaries = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.tmp'));
/** No process has this pid: Linux caps pids at 2^22, other systems lower. */
const DEAD_PID = 2 ** 30;

describe('atomic writes', () => {
  it('write the whole file and leave no temporary behind', async () => {
    const dir = freshDir();
    const target = join(dir, 'model.mlpx');
    await nodeFileStorage.writeAtomic(target, Uint8Array.of(1, 2, 3));
    await nodeFileStorage.writeAtomic(target, Uint8Array.of(4, 5));
    expect([...readFileSync(target)]).toEqual([4, 5]);
    expect(readdirSync(dir)).toEqual(['model.mlpx']);
  });

  it('name the target, not the temporary file, when they fail', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'a-file'), '');
    mkdirSync(join(dir, 'a-folder'));
    const cases: [string, RegExp][] = [
      [join(dir, 'missing', 'model.mlpx'), /folder .*missing does not exist/],
      [join(dir, 'a-file', 'model.mlpx'), /ENOTDIR/],
      [join(dir, 'a-folder'), /EISDIR/],
      [join(dir, 'x'.repeat(256)), /ENAMETOOLONG/],
    ];
    for (const [target, reason] of cases) {
      const failure = nodeFileStorage.writeAtomic(target, Uint8Array.of(1));
      await expect(failure).rejects.toThrow(FileError);
      await expect(nodeFileStorage.writeAtomic(target, Uint8Array.of(1))).rejects.toThrow(reason);
      const error = (await nodeFileStorage.writeAtomic(target, Uint8Array.of(1)).catch((e: unknown) => e)) as FileError;
      expect(error.message).toContain(`could not save ${target} (`);
      expect(error.message).not.toContain('.tmp');
      expect(error.path).toBe(target);
    }
    expect(temporaries(dir)).toEqual([]);
    await expect(nodeFileStorage.read(join(dir, 'absent.mlpx'))).rejects.toThrow(`could not read ${join(dir, 'absent.mlpx')} (ENOENT: no such file or directory)`);
    await expect(nodeFileStorage.read(join(dir, 'a-folder'))).rejects.toThrow(FileError);
    if (process.platform !== 'win32') await expect(nodeFileStorage.read('/dev/zero')).rejects.toThrow('could not read /dev/zero (not a regular file)');
  });

  it('reject paths that are not paths with an InvalidArgumentError', async () => {
    for (const path of [undefined, null, 42, '', 'a\0b']) {
      await expect(nodeFileStorage.writeAtomic(path as string, Uint8Array.of(1))).rejects.toThrow(InvalidArgumentError);
      await expect(nodeFileStorage.read(path as string)).rejects.toThrow(InvalidArgumentError);
      await expect(nodeFileStorage.checkWritable(path as string)).rejects.toThrow(InvalidArgumentError);
    }
  });

  it('save names up to the 255-byte limit: the temporary name stays within it', async () => {
    const dir = freshDir();
    for (const name of ['m'.repeat(250), 'é'.repeat(127), `${'n'.repeat(240)}.mlpx`]) {
      const target = join(dir, name);
      await nodeFileStorage.writeAtomic(target, Uint8Array.of(9));
      expect([...readFileSync(target)]).toEqual([9]);
    }
    expect(temporaries(dir)).toEqual([]);
    // two long names that differ only at the end get different temporaries
    expect(tempStem('a'.repeat(250) + '1')).not.toBe(tempStem('a'.repeat(250) + '2'));
    expect(Buffer.byteLength(tempStem('é'.repeat(127)))).toBeLessThanOrEqual(231);
  });

  it('remove temporaries that dead writers left for the same target, and only those', async () => {
    const dir = freshDir();
    const long = 'L'.repeat(250);
    const stale = [`model.mlpx.${DEAD_PID}.0123abcd.tmp`, `${tempStem(long)}.${DEAD_PID}.89abcdef.tmp`];
    const kept = [
      `model.mlpx.${process.ppid}.0123abcd.tmp`, // a live writer's
      `other.mlpx.${DEAD_PID}.0123abcd.tmp`, // another target's
      `model.mlpx.${DEAD_PID}.notes.tmp`, // not a temporary of ours
    ];
    for (const name of [...stale, ...kept]) writeFileSync(join(dir, name), 'partial');
    await nodeFileStorage.writeAtomic(join(dir, 'model.mlpx'), Uint8Array.of(1));
    await nodeFileStorage.writeAtomic(join(dir, long), Uint8Array.of(1));
    expect(temporaries(dir).sort()).toEqual([...kept].sort());
  });

  it('checkWritable refuses a missing folder, a folder in place of the file, and leaves nothing behind', async () => {
    const dir = freshDir();
    mkdirSync(join(dir, 'sub'));
    await nodeFileStorage.checkWritable(join(dir, 'model.mlpx'));
    await expect(nodeFileStorage.checkWritable(join(dir, 'missing', 'model.mlpx'))).rejects.toThrow(/cannot save to .*model\.mlpx \(folder .*missing does not exist\)/);
    await expect(nodeFileStorage.checkWritable(join(dir, 'sub'))).rejects.toThrow(/it is a folder/);
    expect(readdirSync(dir)).toEqual(['sub']);
  });
});

/** Run save-child.ts on `target`; send `signal` once it reports a save in flight. */
function interruptSave(target: string, signal: NodeJS.Signals, mode = 'loop'): Promise<{ code: number | null; signal: NodeJS.Signals | null; lines: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/io/save-child.ts'), target, mode], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    if (line === 'in flight') child.kill(signal);
  });
  return new Promise((done) => child.on('exit', (code, received) => done({ code, signal: received, lines })));
}

describe('a save interrupted by a signal', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal}: removes its temporary file, then ends the process by the signal`, async () => {
      const dir = freshDir();
      const run = await interruptSave(join(dir, 'model.mlpx'), signal);
      expect(run.lines).toEqual(['in flight']);
      expect(run.signal).toBe(signal);
      expect(temporaries(dir)).toEqual([]);
    });
  }

  it('SIGKILL leaves a temporary file, which the next save of the same target removes', async () => {
    const dir = freshDir();
    const target = join(dir, 'model.mlpx');
    const run = await interruptSave(target, 'SIGKILL', 'stall');
    expect(run.signal).toBe('SIGKILL');
    expect(temporaries(dir)).toHaveLength(1);
    await nodeFileStorage.writeAtomic(target, Uint8Array.of(1));
    expect(temporaries(dir)).toEqual([]);
    expect(existsSync(target)).toBe(true);
  });

  it('an application that handles SIGINT itself keeps its save', async () => {
    const dir = freshDir();
    const target = join(dir, 'model.mlpx');
    const run = await interruptSave(target, 'SIGINT', 'own-handler');
    expect(run.lines).toEqual(['in flight', 'saved after SIGINT']);
    expect(run.code).toBe(0);
    expect(readFileSync(target).length).toBe(64 * 1024 * 1024);
    expect(temporaries(dir)).toEqual([]);
  });
});
