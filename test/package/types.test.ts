// The published types, checked by tsc (the repository's pinned TypeScript) with expect-type in the
// consumer fixture, where the packed package is installed: which build's types each resolution
// mode picks, and that each declares exactly what its build exports. types/node.ts and
// types/browser.ts hold the assertions; an unused @ts-expect-error fails them too.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { run } from './npm.js';

const TSC = path.resolve(import.meta.dirname, '../../node_modules/typescript/bin/tsc');
const fixture = inject('fixture');
const dir = mkdtempSync(path.join(fixture, 'types-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
cpSync(path.join(import.meta.dirname, 'types'), dir, { recursive: true });

const strict = { strict: true, noEmit: true, skipLibCheck: false, target: 'ES2022', forceConsistentCasingInFileNames: true };
// A Node project has @types/node; a browser project has the DOM library and no Node types at all.
const NODE = { lib: ['ES2022'], types: ['node'] };
const BROWSER = { lib: ['ES2022', 'DOM'], types: [] as string[] };

const CASES = [
  { name: 'nodenext gets the Node types', file: 'node.ts', options: { module: 'nodenext', moduleResolution: 'nodenext', ...NODE } },
  { name: 'bundler gets the browser types', file: 'browser.ts', options: { module: 'esnext', moduleResolution: 'bundler', ...BROWSER } },
  { name: 'nodenext with customConditions ["browser"] gets the browser types', file: 'browser.ts', options: { module: 'nodenext', moduleResolution: 'nodenext', customConditions: ['browser'], ...BROWSER } },
  { name: 'bundler with customConditions ["node"] gets the Node types', file: 'node.ts', options: { module: 'esnext', moduleResolution: 'bundler', customConditions: ['node'], ...NODE } },
];

describe('published types', () => {
  for (const { name, file, options } of CASES) {
    it(`moduleResolution ${name}`, () => {
      const project = path.join(dir, `tsconfig.${name.replace(/\W+/g, '-')}.json`);
      writeFileSync(project, JSON.stringify({ compilerOptions: { ...strict, ...options }, files: [file] }));
      const check = () => run(process.execPath, [TSC, '-p', project], { cwd: dir });
      expect(check).not.toThrow();
    });
  }
});
