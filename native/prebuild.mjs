#!/usr/bin/env node
// Fills prebuilds/<platform>-<arch>/mlpx.node, where the loader looks after build/: run by
// `npm pack` / `npm publish` (prepack, after `npm run build:native`), so the package carries
// binaries and installing it compiles nothing. The published package has no install script;
// where no binary matches, `auto` uses wasm until the user runs `npx mlpx build-native`.
//
// It ships the addon built here and, on linux-x64, the linux-arm64 one from the cross compiler
// (native/cross-arm64.sh; apt-get install g++-aarch64-linux-gnu). Both are portable (no
// -march=native: AVX2/FMA is chosen at run time on x86-64) and use Node-API 8, so one binary
// serves every Node version. A missing binary prints one line; MLPX_REQUIRE_NATIVE=1 makes it an
// error, so CI never packs a package without them.
//
//   node native/prebuild.mjs [--out DIR]   (DIR defaults to the package's prebuilds/)
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { out: { type: 'string', default: path.join(ROOT, 'prebuilds') } } });
const required = process.env.MLPX_REQUIRE_NATIVE === '1';

function missing(message) {
  if (required) throw new Error(`${message} (MLPX_REQUIRE_NATIVE=1)`);
  console.log(message);
}

/** Copy atomically: a half-copied addon is never visible to the loader. */
function ship(built, platform) {
  const dir = path.join(values.out, platform);
  mkdirSync(dir, { recursive: true });
  const target = path.join(dir, 'mlpx.node');
  const temporary = `${target}.${process.pid}.tmp`;
  copyFileSync(built, temporary);
  renameSync(temporary, target);
  console.log(`mlpx: prebuilt native backend ${path.relative(ROOT, target) || target}`);
}

/** The linux-arm64 addon from the cross compiler, or why there is none. */
function crossCompileArm64() {
  const result = spawnSync('sh', [path.join(ROOT, 'native/cross-arm64.sh')], { cwd: ROOT, stdio: 'inherit' });
  return result.status === 0 ? undefined : `native/cross-arm64.sh exited with ${result.status ?? result.signal}`;
}

// Only what this run ships: a binary left from an earlier pack must not outlive its sources.
if (values.out === path.join(ROOT, 'prebuilds')) rmSync(values.out, { recursive: true, force: true });

const host = `${process.platform}-${process.arch}`;
const built = path.join(ROOT, 'build', 'Release', 'mlpx.node');
if (existsSync(built)) ship(built, host);
else missing(`mlpx: no built addon at ${built}; the package will carry no ${host} binary (run npm run build:native first)`);

if (host === 'linux-x64') {
  const failure = crossCompileArm64();
  if (failure === undefined) ship(path.join(ROOT, 'build', 'arm64', 'mlpx.node'), 'linux-arm64');
  else missing(`mlpx: the package will carry no linux-arm64 binary: ${failure}`);
}
