// Where the arm64 parity run ran: an arm64 process, with the native backend from the addon under
// test on its portable (non-x86) microkernel, and the wasm backend beside it.
import { expect, it } from 'vitest';
import '../../../src/backends.node.js';
import { backendInfo } from '../../../src/backend/registry.js';

it('runs on arm64 with the addon under test and wasm', async () => {
  expect(process.arch).toBe('arm64');
  expect(process.env['MLPX_NATIVE_PATH']).toMatch(/mlpx\.node$/);
  const statuses = await backendInfo();
  const native = statuses.find((s) => s.name === 'native');
  expect(native?.available, native?.reason).toBe(true);
  expect(native?.details?.kernelPath).toBe('portable');
  expect(statuses.find((s) => s.name === 'wasm')?.available).toBe(true);
  console.log(`[arm64] Node ${process.version} ${process.arch}, native ${native?.details?.kernelPath}, ${process.env['MLPX_NATIVE_PATH']}`);
});
