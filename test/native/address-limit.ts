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
  const code = `(async () => {
    const addon = require(${JSON.stringify(addonFile)});
    const outcome = (call) => { try { return 'returned ' + call(); } catch (error) { return error.message; } };
    ${setup}
    const used = Number(/VmSize:\\s+(\\d+) kB/.exec(require('node:fs').readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
    require('node:child_process').execFileSync('prlimit', ['--pid', String(process.pid), '--as=' + (used + ${marginBytes})]);
    console.log(JSON.stringify(await (${body})));
  })().catch((error) => { console.error(error); process.exit(1); });`;
  const child = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 60_000 });
  if (child.status !== 0) throw new Error(`the child exited with ${child.status ?? child.signal}: ${child.stderr}`);
  return JSON.parse(child.stdout) as unknown;
}
