// The choice between splitting a training run's steps across threads and running them on the
// caller alone (assembly/split_choice.ts, native/split_choice.h), on made-up step times: the same
// rule in both backends, so the same times give the same ways.
import { beforeAll, describe, expect, it } from 'vitest';
import type { WasmBackend } from '../../src/backend/wasm/backend.js';
import { loadWasmBackend } from '../../src/backend/wasm/node.js';
import { addon } from '../native/addon.js';

/** A step's time in ms, run on the caller alone (solo) or split. */
type StepTimes = (solo: boolean, step: number) => number;
/** The ways (true: on the caller) a fresh choice runs `steps` steps told these times. */
type Rule = (steps: number, ms: StepTimes) => boolean[];

let wasm: WasmBackend;
let firstStay: number;
let trialSteps: number;

beforeAll(async () => {
  wasm = await loadWasmBackend();
  const value = (global: WebAssembly.Global): number => global.value as number;
  firstStay = value(wasm.runtime.exports.SPLIT_CHOICE_FIRST_STAY);
  trialSteps = value(wasm.runtime.exports.SPLIT_CHOICE_TRIAL_WARMUP) + value(wasm.runtime.exports.SPLIT_CHOICE_TRIAL_STEPS);
});

const wasmRule: Rule = (steps, ms) => {
  const exports = wasm.runtime.exports;
  exports.split_choice_reset();
  return Array.from({ length: steps }, (_, i) => {
    const solo = exports.split_choice_solo() !== 0;
    exports.split_choice_observe(ms(solo, i));
    return solo;
  });
};

const nativeRule: Rule = (steps, ms) => {
  const times = new Float64Array(2 * steps);
  for (let i = 0; i < steps; i++) [times[2 * i], times[2 * i + 1]] = [ms(false, i), ms(true, i)];
  return [...addon!.splitChoiceWays(steps, times)].map((way) => way === 1);
};

const RULES: [string, Rule][] = [['wasm', wasmRule], ...(addon === undefined ? [] : [['native', nativeRule] as [string, Rule]])];

describe.each(RULES)('%s: the split choice', (_, run) => {
  const count = (ways: boolean[], solo: boolean): number => ways.filter((way) => way === solo).length;

  it('splits a first stay, then tries the caller alone; a quicker caller takes over, and a trial of splitting that falls behind ends early', () => {
    // on the caller from the trial on: a stay, a trial of splitting that gives up after its
    // warm-up and two timed steps (over 20% behind), then a stay four times as long
    const ways = run(2 * firstStay + trialSteps + 3 + 4 * firstStay + 1, (solo) => (solo ? 0.7 : 1));
    const stay2 = firstStay + trialSteps + firstStay;
    expect(ways.slice(0, firstStay).every((solo) => !solo)).toBe(true);
    expect(ways.slice(firstStay, stay2).every((solo) => solo)).toBe(true);
    expect(ways.slice(stay2, stay2 + 3).every((solo) => !solo)).toBe(true);
    expect(ways.slice(stay2 + 3, -1).every((solo) => solo)).toBe(true);
    expect(ways.at(-1)).toBe(false);
  });

  it('keeps splitting when the caller alone is not quicker by the margin, and tries it half as often', () => {
    const ways = run(firstStay + trialSteps + 2 * firstStay + trialSteps, (solo) => (solo ? 0.99 : 1));
    expect(count(ways, true)).toBe(2 * trialSteps);
    expect(ways.slice(firstStay + trialSteps, 3 * firstStay + trialSteps).every((solo) => !solo)).toBe(true);
  });

  it('compares mean times: split steps that are quick only half the time lose to steady ones on the caller', () => {
    const ways = run(firstStay + trialSteps + 1, (solo, i) => (solo ? 1 : i % 2 === 0 ? 0.5 : 2));
    expect(ways.at(-1)).toBe(true);
  });

  it('ends a long stay early when its steps slow down: the cores moved apart', () => {
    // splitting wins until step `moved`, deep in a stay of thousands of steps; then split steps
    // take 2 ms against the caller's 1.5 (what a host that moved the vCPUs does to a small net)
    const moved = 3000;
    const ways = run(moved + 200, (solo, i) => (solo ? 1.5 : i < moved ? 1 : 2));
    expect(ways.slice(moved - 100, moved).every((solo) => !solo)).toBe(true);
    // within two windows of slow steps (the first may have begun before), a trial on the caller
    // that wins, then a stay there
    const trial = ways.indexOf(true, moved);
    expect(trial).toBeGreaterThanOrEqual(moved);
    expect(trial).toBeLessThanOrEqual(moved + 2 * firstStay);
    expect(ways.slice(trial, trial + trialSteps + firstStay).every((solo) => solo)).toBe(true);
  });

  it('runs the same ways as the other backend on noisy times', () => {
    // step times that drift between favouring one way and the other, with spikes
    const noisy: StepTimes = (solo, i) => (solo ? 1 : 0.8 + 0.5 * Math.sin(i / 300)) * (i % 97 === 0 ? 5 : 1) + (i % 7) * 0.01;
    expect(run(20000, noisy)).toEqual(wasmRule(20000, noisy));
  });
});
