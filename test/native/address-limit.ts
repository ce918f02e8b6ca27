// Runs a script in a child Node process that lowers its own address-space limit (`prlimit --pid`)
// part-way through, so an allocation or a thread start the script makes after that fails as it
// would on a machine out of memory. Linux with util-linux's prlimit only.
import { spawnSync } from 'node:child_process';

export const canLimitAddressSpace =
  process.platform === 'linux' && spawnSync('prlimit', ['--version']).status === 0;

/**
 * `setup` and then `body` run in the child, with `addon` (the addon at addonFile) and `outcome`
 * (call → 'returned …' or the message it threw) in scope; between them the child's address space
 * is capped at what it uses plus `marginBytes`. Both run inside an async function, so they may
 * await. The child prints JSON.stringify of body's (awaited) expression; returns it parsed. Fails
 * if the child does not exit normally.
 */
export function underAddressLimit(addonFile: string, setup: string, marginBytes: number, body: string): unknown {
  // The cap takes effect while execFileSync still waits for prlimit, and the call must finish
  // within the margin: so prlimit's output is ignored (reading it allocates 64 KiB pipe buffers
  // as prlimit exits, which a tight cap refused with an uncaught std::bad_alloc in Node), and a
  // first call, which only prints the limit, loads what the call needs before `used` is read.
  const code = `(async () => {
    const addon = require(${JSON.stringify(addonFile)});
    const outcome = (call) => { try { return 'returned ' + call(); } catch (error) { return error.message; } };
    const { execFileSync } = require('node:child_process'), { readFileSync } = require('node:fs');
    const prlimit = (option) => execFileSync('prlimit', ['--pid', String(process.pid), option], { stdio: 'ignore' });
    prlimit('--as');
    ${setup}
    const used = Number(/VmSize:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
    prlimit('--as=' + (used + ${marginBytes}));
    console.log(JSON.stringify(await (${body})));
  })().catch((error) => { console.error(error); process.exit(1); });`;
  const child = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 60_000 });
  if (child.status !== 0) throw new Error(`the child exited with ${child.status ?? child.signal}: ${child.stderr}`);
  return JSON.parse(child.stdout) as unknown;
}
