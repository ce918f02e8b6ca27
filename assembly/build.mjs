// Builds the wasm backend: assembly/ → dist/wasm/*.wasm (generated, do not edit; gitignored).
// Not under build/: cmake-js and node-gyp delete build/ when they clean for a rebuild, which
// would take the shipped .wasm files with them.
//   mlpx.wasm          SIMD, imported non-shared memory: single-threaded (pages that are not
//                      cross-origin isolated, runtimes without SharedArrayBuffer)
//   mlpx-threads.wasm  SIMD + shared imported memory: the caller and worker instances share it
// Both come from the same source. --runtime stub and raw pointers: kernels never allocate, and
// the typed-array bindings of the stub/minimal runtimes would leak on every call.
// Usage: node assembly/build.mjs   (npm run build:wasm)
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Pages of 64 KiB: 2 GiB, the most wasm32 pointers passed as i32 can address. Must match src/backend/wasm/memory.ts. */
const MAXIMUM_PAGES = 32768;

process.chdir(root); // asc resolves the paths below against the working directory
const common = [
  'assembly/index.ts', '--config', 'assembly/tsconfig.json',
  '-O3', '--runtime', 'stub', '--noAssert', '--enable', 'simd', '--enable', 'threads',
  '--importMemory', '--maximumMemory', String(MAXIMUM_PAGES), '--use', 'abort=',
];
const variants = [
  { file: 'dist/wasm/mlpx.wasm', flags: [] },
  { file: 'dist/wasm/mlpx-threads.wasm', flags: ['--sharedMemory'] },
];

await mkdir(new URL('../dist/wasm', import.meta.url), { recursive: true });
let failed = false;
for (const { file, flags } of variants) {
  const { error } = await asc.main([...common, ...flags, '--outFile', file], { stdout: process.stdout, stderr: process.stderr });
  if (error) {
    failed = true;
    console.error(`✗ ${file}: ${error.message}`);
  } else {
    console.log(`✓ ${file}`);
  }
}
if (failed) process.exit(1);
