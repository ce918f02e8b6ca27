// The parity tests on an emulated linux-arm64 (native/arm64-parity.sh sets it up): vitest runs on
// the host, and each test worker is an arm64 Node process under qemu-user — the fork pool with
// MLPX_ARM64_NODE (a script that starts arm64 Node under qemu) as the worker's executable — so
// the native backend under test is the linux-arm64 addon (MLPX_NATIVE_PATH) on arm64 code paths,
// and the wasm backend runs on V8's arm64 code generator. arch.check.ts proves where they ran.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { ForksPoolWorker, type PoolOptions } from 'vitest/node';

const arm64Node = process.env['MLPX_ARM64_NODE'];
if (arm64Node === undefined || arm64Node === '') throw new Error('MLPX_ARM64_NODE is not set: run native/arm64-parity.sh');

class Arm64ForksWorker extends ForksPoolWorker {
  override readonly name = 'arm64-forks';

  override async start(): Promise<void> {
    // child_process.fork starts process.execPath; only for this call, that is the arm64 Node
    const host = process.execPath;
    process.execPath = arm64Node!;
    try {
      await super.start();
    } finally {
      process.execPath = host;
    }
  }
}

export default defineConfig({
  root: fileURLToPath(new URL('../../../', import.meta.url)),
  test: {
    include: ['test/package/arm64/arch.check.ts', 'test/parity/**/*.test.ts'],
    // emulated, every test runs ~20× slower
    testTimeout: 600_000,
    hookTimeout: 600_000,
    // one arm64 Node per worker for all its files: starting one under emulation takes seconds
    isolate: false,
    pool: { name: 'arm64-forks', createPoolWorker: (options: PoolOptions) => new Arm64ForksWorker(options) },
  },
});
