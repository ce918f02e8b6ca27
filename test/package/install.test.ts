// Installing the packed package as a user does, into fresh folders, with npm's defaults (scripts
// on) and with --ignore-scripts. Neither compiles anything (compilers and build tools on PATH are
// replaced by stubs that record any call), neither pulls a build tool into the runtime
// dependencies, and both give the native backend from the shipped binary, the CLI's embedded
// digits, and a README whose first example runs.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { NPM_QUIET, npm, run } from './npm.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const tarball = inject('tarball');
const work = mkdtempSync(path.join(tmpdir(), 'mlpx-install-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const BUILD_TOOLS = ['cmake-js', 'node-addon-api', 'node-api-headers', 'node-gyp', 'prebuild-install', '@mapbox/node-pre-gyp', 'node-gyp-build'];
const COMPILERS = ['cc', 'c++', 'gcc', 'g++', 'clang', 'clang++', 'cmake', 'make', 'ninja', 'python', 'python3'];
/** ELF e_machine of each prebuilt platform: x86-64 and AArch64. */
const ELF_MACHINE: Record<string, number> = { 'linux-x64': 62, 'linux-arm64': 183 };

function present(command: string): boolean {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** What `npx mlpx build-native` needs from the user; CI has both. */
const toolchain = present('cmake') && (present('c++') || present('g++'));
if (!toolchain && process.env['MLPX_REQUIRE_NATIVE'] !== '1') console.warn('[package] build-native test skipped: no cmake or no C++ compiler');

/** The platforms this machine's `npm pack` must have shipped a binary for. */
const EXPECTED_PREBUILDS = process.platform === 'linux' && process.arch === 'x64'
  ? ['linux-x64', ...(process.env['MLPX_REQUIRE_NATIVE'] === '1' || present('aarch64-linux-gnu-g++') ? ['linux-arm64'] : [])]
  : [`${process.platform}-${process.arch}`];

/** A user's environment: none of this repository's MLPX_* switches. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('MLPX_')));
  return { ...env, ...extra };
}

function freshApp(name: string): string {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `app-${name}`, version: '1.0.0', private: true, type: 'module' }));
  return dir;
}

/** Stubs for every compiler and build tool, earlier on PATH than the real ones; each call is logged. */
function compilerStubs(): { path: string; log: string } {
  const dir = path.join(work, 'stubs');
  const log = path.join(work, 'compiler-calls.log');
  mkdirSync(dir, { recursive: true });
  for (const tool of COMPILERS) {
    writeFileSync(path.join(dir, tool), `#!/bin/sh\necho "${tool} $*" >> '${log}'\nexit 1\n`);
    chmodSync(path.join(dir, tool), 0o755);
  }
  return { path: `${dir}${path.delimiter}${process.env['PATH'] ?? ''}`, log };
}

function runtimePackages(app: string): string[] {
  const listing = npm(['ls', '--omit=dev', '--all', '--parseable'], { cwd: app, env: userEnv() }).stdout;
  const root = path.join(app, 'node_modules') + path.sep;
  const marker = `node_modules${path.sep}`;
  return listing.split('\n').filter((line) => line.startsWith(root)).map((line) => line.slice(line.lastIndexOf(marker) + marker.length));
}

interface NativeCheck { available: boolean; kernelPath?: string; reason?: string; trainedOn: string; accuracy: number }

/** In `app`: which backend `auto` picks and whether native trains XOR. */
function nativeCheck(app: string): NativeCheck {
  const script = `
    import { Network, backendInfo, xorData } from 'mlpx';
    const native = (await backendInfo()).find((s) => s.name === 'native');
    const data = xorData();
    const net = await Network.create({ inputs: 2, layers: [{ units: 8, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], loss: 'binary_cross_entropy', seed: 3 });
    await net.fit(data.x, data.y, { epochs: 300, batchSize: 4, optimizer: { type: 'adam', lr: 0.05 } });
    console.log(JSON.stringify({ available: native.available, kernelPath: native.details?.kernelPath, reason: native.reason, trainedOn: net.backend.name, accuracy: net.evaluate(data.x, data.y).accuracy }));
  `;
  const { stdout } = run(process.execPath, ['--input-type=module', '-e', script], { cwd: app, env: userEnv() });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as NativeCheck;
}

describe('the packed package', () => {
  const unpacked = path.join(work, 'unpacked');
  beforeAll(() => {
    mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', tarball, '-C', unpacked]);
  });

  it('has no install script, tells npm not to run node-gyp, and depends on no build tool', () => {
    const pkg = JSON.parse(readFileSync(path.join(unpacked, 'package/package.json'), 'utf8')) as {
      scripts: Record<string, string>; gypfile: boolean; dependencies: Record<string, string>;
    };
    for (const hook of ['preinstall', 'install', 'postinstall']) expect(pkg.scripts[hook], hook).toBeUndefined();
    expect(pkg.gypfile).toBe(false);
    expect(existsSync(path.join(unpacked, 'package/binding.gyp'))).toBe(false);
    expect(Object.keys(pkg.dependencies).filter((name) => BUILD_TOOLS.includes(name))).toEqual([]);
  });

  it(`ships prebuilt addons for ${EXPECTED_PREBUILDS.join(' and ')}, each for its CPU`, () => {
    const shipped = readdirSync(path.join(unpacked, 'package/prebuilds')).sort();
    expect(shipped).toEqual(expect.arrayContaining(EXPECTED_PREBUILDS));
    for (const platform of shipped) {
      const header = readFileSync(path.join(unpacked, 'package/prebuilds', platform, 'mlpx.node')).subarray(0, 20);
      expect(header.subarray(0, 4).toString('latin1'), platform).toBe('\x7fELF');
      expect(header.readUInt16LE(18), `${platform} ELF machine`).toBe(ELF_MACHINE[platform]);
    }
  });

  it('ships the embedded digits (≤ 1 MB) and source maps that carry their sources', () => {
    expect(statSync(path.join(unpacked, 'package/dist/data/digits.br')).size).toBeLessThanOrEqual(1_000_000);
    const maps = readdirSync(path.join(unpacked, 'package/dist'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(10);
    for (const file of maps) {
      const map = JSON.parse(readFileSync(path.join(unpacked, 'package/dist', file), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      expect(map.sourcesContent?.length, file).toBe(map.sources.length);
      expect(map.sourcesContent!.every((text) => typeof text === 'string' && text.length > 0), file).toBe(true);
    }
  });
});

describe('npm install of the packed package', () => {
  it('with --ignore-scripts: native from the prebuilt binary, the .wasm files, the CLI digits and the README example', () => {
    const app = freshApp('ignore-scripts');
    const install = npm(['install', '--ignore-scripts', ...NPM_QUIET, tarball], { cwd: app, env: userEnv() });
    console.log(`[package] npm install --ignore-scripts: ${install.seconds.toFixed(1)} s`);
    expect(existsSync(path.join(app, 'node_modules/mlpx/build')), 'nothing was built').toBe(false);

    const native = nativeCheck(app);
    if (EXPECTED_PREBUILDS.includes(`${process.platform}-${process.arch}`)) {
      expect(native, native.reason).toMatchObject({ available: true, trainedOn: 'native', accuracy: 1 });
    } else {
      expect(native).toMatchObject({ available: false, trainedOn: 'wasm', accuracy: 1 });
      expect(native.reason).toMatch(/npx mlpx build-native/);
    }

    // for sites that serve the .wasm files themselves: a bundler may import them by this path
    const wasm = run(process.execPath, ['--input-type=module', '-e', "console.log(import.meta.resolve('mlpx/dist/wasm/mlpx-threads.wasm'))"], { cwd: app, env: userEnv() });
    expect(existsSync(new URL(wasm.stdout.trim()))).toBe(true);

    const train = npm(['exec', '--no', '--', 'mlpx', 'train', '--dataset', 'digits', '--epochs', '1', '--json'], { cwd: app, env: userEnv() });
    const summary = JSON.parse(train.stdout.trim().split('\n').at(-1)!) as { backend: string; testAccuracy: number };
    expect(summary.testAccuracy).toBeGreaterThanOrEqual(0.85);
    expect(summary.backend).toBe(native.trainedOn);

    // the README's first JavaScript example, verbatim
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const example = /```js\n([^]*?)```/.exec(readme)?.[1];
    expect(example, 'README.md has a ```js example').toBeDefined();
    writeFileSync(path.join(app, 'example.mjs'), example!);
    const ran = run(process.execPath, ['example.mjs'], { cwd: app, env: userEnv() });
    expect(ran.stdout).toMatch(/accuracy/);
  });

  it('with npm defaults: compiles nothing, installs no build tool', () => {
    const app = freshApp('defaults');
    const stubs = compilerStubs();
    const install = npm(['install', ...NPM_QUIET, tarball], { cwd: app, env: userEnv({ PATH: stubs.path }) });
    const runtime = runtimePackages(app);
    console.log(`[package] npm install (defaults): ${install.seconds.toFixed(1)} s, ${runtime.length} runtime packages: ${runtime.join(', ')}`);
    expect(existsSync(stubs.log) ? readFileSync(stubs.log, 'utf8') : '', 'compiler or build tool calls').toBe('');
    expect(`${install.stdout}${install.stderr}`).not.toMatch(/gyp|cmake/i);
    expect(existsSync(path.join(app, 'node_modules/mlpx/build')), 'nothing was built').toBe(false);
    expect(runtime).toContain('mlpx');
    expect(runtime.filter((name) => BUILD_TOOLS.includes(name))).toEqual([]);
    expect(nativeCheck(app).trainedOn).toBe(EXPECTED_PREBUILDS.includes(`${process.platform}-${process.arch}`) ? 'native' : 'wasm');
  });

  it.skipIf(!toolchain && process.env['MLPX_REQUIRE_NATIVE'] !== '1')('without a matching binary: auto uses wasm until npx mlpx build-native fetches the tools and builds it', () => {
    const app = freshApp('build-native');
    npm(['install', '--ignore-scripts', ...NPM_QUIET, tarball], { cwd: app, env: userEnv() });
    rmSync(path.join(app, 'node_modules/mlpx/prebuilds'), { recursive: true }); // as on a platform with none
    const before = nativeCheck(app);
    expect(before).toMatchObject({ available: false, trainedOn: 'wasm', accuracy: 1 });
    expect(before.reason).toMatch(/no prebuilt addon for .*npx mlpx build-native \(needs CMake/s);

    const build = npm(['exec', '--no', '--', 'mlpx', 'build-native'], { cwd: app, env: userEnv() });
    console.log(`[package] npx mlpx build-native (fetching the build tools): ${build.seconds.toFixed(0)} s`);
    expect(build.stdout).toMatch(/fetching the build tools \(cmake-js@[\d.]+, node-addon-api@[\d.]+, node-api-headers@[\d.]+\)/);
    expect(existsSync(path.join(app, 'node_modules/mlpx/build/Release/mlpx.node'))).toBe(true);
    expect(nativeCheck(app)).toMatchObject({ available: true, trainedOn: 'native', accuracy: 1 });
    expect(runtimePackages(app).filter((name) => BUILD_TOOLS.includes(name)), 'the tools stay out of the dependency tree').toEqual([]);
  });
});
