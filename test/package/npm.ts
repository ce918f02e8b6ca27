// Running npm and node as a user would, for the package tests: npm itself (the one running the
// tests when there is one, else the one on PATH), output captured, a failure thrown with its tail.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';

export interface RunResult { stdout: string; stderr: string; seconds: number }

function tail(text: string): string {
  return text.split('\n').slice(-30).join('\n');
}

export function run(command: string, args: readonly string[], options: SpawnSyncOptions & { cwd: string }): RunResult {
  const started = performance.now();
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 600_000, ...options });
  const stdout = String(result.stdout ?? '');
  const stderr = String(result.stderr ?? '');
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} (in ${options.cwd}) exited with ${result.status ?? result.signal ?? result.error?.message}\n${tail(stdout)}\n${tail(stderr)}`);
  }
  return { stdout, stderr, seconds: (performance.now() - started) / 1000 };
}

export function npm(args: readonly string[], options: SpawnSyncOptions & { cwd: string }): RunResult {
  const cli = process.env['npm_execpath'];
  return cli !== undefined && /\.c?js$/.test(cli)
    ? run(process.execPath, [cli, ...args], options)
    : run('npm', args, options);
}

/** Quiet, reproducible installs: no audit, no funding notes, no update check. */
export const NPM_QUIET = ['--no-audit', '--no-fund', '--no-update-notifier'];
