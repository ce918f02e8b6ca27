#!/usr/bin/env node
// Copies the built addon to prebuilds/<platform>-<arch>/mlpx.node, where the loader looks after
// build/: run by `npm pack` / `npm publish` (prepack), so a package packed on a platform carries
// a native backend for it. npm 11 does not run a dependency's install script, so without this an
// installed mlpx has no addon until the user runs `npx mlpx build-native`.
//
// The addon is portable (no -march=native; AVX2/FMA is chosen at run time) and uses Node-API 8,
// so one binary serves every Node version from 16 on. Without a built addon this prints one line
// and the package falls back to WebAssembly; MLPX_REQUIRE_NATIVE=1 makes that an error.
//
//   node native/prebuild.mjs [--out DIR]   (DIR defaults to the package's prebuilds/)
import { copyFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { out: { type: 'string', default: path.join(ROOT, 'prebuilds') } } });
const built = path.join(ROOT, 'build', 'Release', 'mlpx.node');

if (!existsSync(built)) {
  const message = `mlpx: no built addon at ${built}; the package will carry no prebuilt native backend (run npm run build:native first)`;
  if (process.env.MLPX_REQUIRE_NATIVE === '1') throw new Error(message);
  console.log(message);
} else {
  const dir = path.join(values.out, `${process.platform}-${process.arch}`);
  mkdirSync(dir, { recursive: true });
  const target = path.join(dir, 'mlpx.node');
  const temporary = `${target}.${process.pid}.tmp`;
  copyFileSync(built, temporary);
  renameSync(temporary, target); // a half-copied addon is never visible to the loader
  console.log(`mlpx: prebuilt native backend ${path.relative(ROOT, target) || target}`);
}
