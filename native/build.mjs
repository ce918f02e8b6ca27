#!/usr/bin/env node
// Builds the native backend (build/Release/mlpx.node) with cmake-js.
//
// Runs from a clone's `npm install` (the `prepare` script), from `npx mlpx build-native` when mlpx
// is a dependency without a prebuilt binary for its platform, from native/prebuild.mjs and from
// native/asan.sh. The published package has no install script, so installing it never compiles.
// The build tools (cmake-js, node-addon-api, node-api-headers) are devDependencies: a clone has
// them; an installed package fetches the versions its package.json pins into .build-tools/ the
// first time it builds. What the user needs is CMake ≥ 3.15 and a C++17 compiler.
//
// It never fails a clone's install: without CMake or a compiler it prints one line and the
// WebAssembly backend is used. MLPX_REQUIRE_NATIVE=1 makes any failure fatal (CI);
// MLPX_SKIP_NATIVE=1 skips.
//
//   node native/build.mjs [--out DIR] [--sanitize] [--debug] [--profile] [--align-code]
// --profile: the benchmark's build with per-phase timing of the training step (native/profile.h).
// --align-code: functions and loops on 64-byte boundaries, so that an A/B of two builds
// (bench/ab/ab.ts) measures the change, not where the linker placed the hot loops (GCC, Clang).
// Both take effect when DIR is first configured (cmake-js compile reuses a configured directory):
// give each kind of build its own --out DIR.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FALLBACK = 'the WebAssembly backend will be used instead';
/** The packages cmake-js needs to build a Node-API addon offline; pinned in package.json. */
const BUILD_TOOLS = ['cmake-js', 'node-addon-api', 'node-api-headers'];
/** Where an installed package keeps the build tools it fetched (not under build/: cmake-js may clean that). */
const TOOLS_DIR = path.join(ROOT, '.build-tools');

function found(command, args = ['--version']) {
  const result = spawnSync(command, args, { stdio: 'ignore', shell: process.platform === 'win32' });
  return result.status === 0;
}

function compilerFound() {
  if (process.platform === 'win32') return true; // cmake finds MSVC through the generator
  const candidates = [process.env.CXX, 'c++', 'g++', 'clang++'].filter(Boolean);
  return candidates.some((cxx) => found(cxx));
}

/** cmake-js and the node-addon-api headers, resolved from `dir` (a folder holding node_modules). */
function resolveTools(dir) {
  const require = createRequire(path.join(dir, 'package.json'));
  return {
    cmakeJs: require.resolve('cmake-js/bin/cmake-js'),
    addonApi: path.dirname(require.resolve('node-addon-api/package.json')),
  };
}

/** npm itself: the one running `npx mlpx build-native`, else the one on PATH. */
function npmCommand() {
  const cli = process.env.npm_execpath;
  if (cli !== undefined && /\.c?js$/.test(cli)) return { command: process.execPath, prefix: [cli] };
  return { command: 'npm', prefix: [] };
}

/** Install the pinned build tools into TOOLS_DIR (an installed mlpx has no devDependencies). */
function fetchTools(log) {
  const pinned = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).devDependencies ?? {};
  const specs = BUILD_TOOLS.map((name) => (pinned[name] ? `${name}@${pinned[name]}` : name));
  log(`mlpx: fetching the build tools (${specs.join(', ')}) into ${TOOLS_DIR}`);
  const { command, prefix } = npmCommand();
  const args = [...prefix, 'install', '--prefix', TOOLS_DIR, '--no-save', '--no-package-lock', '--ignore-scripts', '--no-audit', '--no-fund', ...specs];
  const result = spawnSync(command, args, { stdio: 'inherit', shell: process.platform === 'win32' && prefix.length === 0 });
  return result.status === 0 ? undefined : `npm install of ${specs.join(' ')} exited with ${result.status ?? result.signal ?? result.error?.message}`;
}

function locateTools(log) {
  for (const dir of [ROOT, TOOLS_DIR]) {
    try {
      return resolveTools(dir);
    } catch {
      // not in this folder: try the next, then fetch them
    }
  }
  const failure = fetchTools(log);
  if (failure !== undefined) return failure;
  try {
    return resolveTools(TOOLS_DIR);
  } catch (error) {
    return `the build tools are missing after installing them (${error.message.split('\n')[0]})`;
  }
}

/**
 * Build the addon. Returns { ok, reason }; throws only when MLPX_REQUIRE_NATIVE=1 (or
 * options.require) and the build did not succeed.
 * options: { out?: string (build dir), sanitize?: boolean, debug?: boolean, profile?: boolean, alignCode?: boolean, require?: boolean, log? }
 */
export function buildNative(options = {}) {
  const log = options.log ?? ((line) => console.log(line));
  const required = options.require ?? process.env.MLPX_REQUIRE_NATIVE === '1';
  const fail = (reason) => {
    if (required) throw new Error(`mlpx: the native backend could not be built: ${reason}`);
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
  const tools = locateTools(log);
  if (typeof tools === 'string') return fail(tools);
  const args = [tools.cmakeJs, 'compile', '--directory', ROOT, '--CDNODE_ADDON_API_DIR=' + tools.addonApi];
  if (options.out) args.push('--out', options.out);
  if (options.sanitize) args.push('--CDMLPX_SANITIZE=ON', '--config', 'RelWithDebInfo');
  else if (options.debug) args.push('--debug');
  if (options.profile) args.push('--CDMLPX_PROFILE=ON');
  if (options.alignCode) args.push('--CDMLPX_ALIGN_CODE=ON');
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
      profile: argv.includes('--profile'),
      alignCode: argv.includes('--align-code'),
    });
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
