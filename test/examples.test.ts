// The worked examples in examples/ keep running and keep showing what they claim.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
function example(name: string, ...args: string[]): string {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'examples', `${name}.ts`), ...args], { cwd: root, encoding: 'utf8', timeout: 240_000, env: { ...process.env, FORCE_COLOR: '0' } });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

describe('examples', () => {
  it('x-squared: gradient descent beats the 3e-4 baseline and random search', () => {
    const out = example('x-squared');
    const cost = (label: string) => Number(out.match(new RegExp(`${label}[^:]*: +cost ([\\d.e+-]+)`))![1]);
    expect(cost('gradient descent')).toBeLessThan(3e-4);
    expect(cost('random search')).toBeGreaterThan(cost('gradient descent'));
  });

  it('one-parameter: the backprop slope equals the closed-form derivative, and descent lowers the cost', () => {
    const out = example('one-parameter');
    const [, slope, formula] = out.match(/backprop slope ([\d.-]+), formula .* = ([\d.-]+)/)!;
    expect(Number(slope)).toBeCloseTo(Number(formula), 4);
    const costs = [...out.matchAll(/cost = ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(costs.at(-1)!).toBeLessThan(costs[0]! / 10);
  });

  it('first-layer-weights: writes a 4×4 grid of 28×28 weight images', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mlpx-example-')), 'weights.png');
    expect(example('first-layer-weights', file)).toMatch(/13002 parameters/);
    const png = readFileSync(file);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(4 * 28 + 5 * 2); // width from the IHDR chunk
  }, 240_000);
});
