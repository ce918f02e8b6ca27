#!/usr/bin/env node
// Builds the native backend (build/Release/mlpx.node) with cmake-js.
//
// Runs from the repo's own install (npm run build:native), from `npx mlpx build-native` when mlpx
// is a dependency (npm 11 does not run dependencies' install scripts), and from native/asan.sh.
// It never fails an install: without CMake or a C++ compiler it prints one line and the WebAssembly
// backend is used. MLPX_REQUIRE_NATIVE=1 makes any failure fatal (CI); MLPX_SKIP_NATIVE=1 skips.
//
//   node native/build.mjs [--out DIR] [--sanitize] [--debug]
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FALLBACK = 'the WebAssembly backend will be used instead';

function found(command, args = ['--version']) {
  const result = spawnSync(command, args, { stdio: 'ignore', shell: process.platform === 'win32' });
  return result.status === 0;
}

function compilerFound() {
  if (process.platform === 'win32') return true; // cmake finds MSVC through the generator
  const candidates = [process.env.CXX, 'c++', 'g++', 'clang++'].filter(Boolean);
  return candidates.some((cxx) => found(cxx));
}

/**
 * Build the addon. Returns { ok, reason }; throws only when MLPX_REQUIRE_NATIVE=1 (or
 * options.require) and the build did not succeed.
 * options: { out?: string (build dir), sanitize?: boolean, debug?: boolean, require?: boolean, log? }
 */
export function buildNative(options = {}) {
  const log = options.log ?? ((line) => console.log(line));
  const required = options.require ?? process.env.MLPX_REQUIRE_NATIVE === '1';
  const fail = (reason) => {
    if (required) throw new Error(`mlpx: the native backend could not be built (MLPX_REQUIRE_NATIVE=1): ${reason}`);
    log(`mlpx: native backend not built (${reason}); ${FALLBACK}.`);
    return { ok: false, reason };
  };
  if (process.env.MLPX_SKIP_NATIVE === '1' && !options.sanitize) {
    log(`mlpx: MLPX_SKIP_NATIVE=1, native backend not built; ${FALLBACK}.`);
    return { ok: false, reason: 'skipped' };
  }
  const cmake = found('cmake');
  const cxx = compilerFound();
  if (!cmake || !cxx) {
    return fail(`no ${[!cmake && 'CMake', !cxx && 'C++ compiler'].filter(Boolean).join(' and no ')} found; ` +
      'install them (Debian/Ubuntu: apt-get install cmake g++) and run `npx mlpx build-native`');
  }
  const require = createRequire(path.join(ROOT, 'package.json'));
  let cmakeJs, addonApi;
  try {
    cmakeJs = require.resolve('cmake-js/bin/cmake-js');
    addonApi = path.dirname(require.resolve('node-addon-api/package.json'));
  } catch (error) {
    return fail(`cmake-js or node-addon-api is missing (${error.message.split('\n')[0]})`);
  }
  const args = [cmakeJs, 'compile', '--directory', ROOT, '--CDNODE_ADDON_API_DIR=' + addonApi];
  if (options.out) args.push('--out', options.out);
  if (options.sanitize) args.push('--CDMLPX_SANITIZE=ON', '--config', 'RelWithDebInfo');
  else if (options.debug) args.push('--debug');
  log(`mlpx: building the native backend (cmake ✓, C++ compiler ✓) in ${options.out ?? path.join(ROOT, 'build')}`);
  const result = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: ROOT });
  if (result.status !== 0) return fail(`cmake-js exited with ${result.status ?? result.signal}; its output is above`);
  log('mlpx: native backend built ✓');
  return { ok: true };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const outIndex = argv.indexOf('--out');
  try {
    buildNative({
      out: outIndex >= 0 ? path.resolve(argv[outIndex + 1]) : undefined,
      sanitize: argv.includes('--sanitize'),
      debug: argv.includes('--debug'),
    });
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
