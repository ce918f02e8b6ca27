// Native and wasm rows against the FMA peak: the harness probes the peak (and the core round trip) after
// every round of a contender that names its flops, the derived fma-bound rows and peak records
// read each round against the peak of that round, and a multi-thread row's scaling counts only
// the rounds in which its threads had a core each.
import { describe, expect, it } from 'vitest';
import { gemmCase, type GemmCase } from '../../bench/cases.js';
import { runCase, type CaseInfo, type Contender, type PeakProbe } from '../../bench/harness.js';
import { TWO_CORES, type Row } from '../../bench/results.js';
import { boundRows, peakRecords } from '../../bench/suites/derived.js';
import { peakSection } from '../../bench/report-sections.js';

const row = (over: Partial<Row>): Row => ({
  suite: 'train', impl: 'mlpx', backend: 'native', threads: 1, shape: '784-128-10', batch: 128, optimizer: 'sgd',
  metric: 'samples_per_s', median: 100, min: 90, max: 110, runs: 3, unit: 'samples/s', ratioTo: null, ratio: null, ...over,
});

describe('FMA peak probes', () => {
  it('probe after every round of a contender with flopsPerCall, and only of those', async () => {
    let probes = 0;
    const probe: PeakProbe = { path: 'test', cores: 2, seconds: 0.01, measure: () => ({ one: 100 + probes, all: 200 + 2 * probes, roundTripNs: 400 + 10 * probes++ }) };
    const contender = (backend: string, flops: boolean): Contender<GemmCase> => ({
      impl: 'mlpx', backend, threads: 1,
      prepare: async () => ({ run: () => undefined }),
      ...(flops ? { flopsPerCall: (c: GemmCase) => 2 * c.m * c.k * c.n } : {}),
    });
    const info: CaseInfo = { suite: 'gemm', shape: '8×8·8×8', batch: null, optimizer: null, metric: 'gflops', work: 1024 / 1e9 };
    const [bounded, plain] = await runCase(info, gemmCase(8, 8, 8), [contender('bounded', true), contender('plain', false)], { rounds: 5, roundMs: 2, maxCallMs: 1000, peak: probe });
    expect(probes).toBe(5);
    expect(bounded!.bound).toMatchObject({ path: 'test', cores: 2, probeSeconds: 0.01, flopsPerCall: 1024, one: [100, 101, 102, 103, 104], all: [200, 202, 204, 206, 208], roundTripNs: [400, 410, 420, 430, 440] });
    // the rate in GFLOP/s is the row's own GFLOP/s, round by round
    bounded!.bound!.gflops.forEach((g, i) => expect(g).toBeCloseTo(bounded!.rounds![i]!, 6));
    expect(plain!.bound).toBeUndefined();
  });

  it('count the split tasks of every round of a contender that counts them, not of its warm-up call before the rounds', async () => {
    const probe: PeakProbe = { path: 'test', cores: 2, seconds: 0.01, measure: () => ({ one: 100, all: 200, roundTripNs: 70 }) };
    let calls = 0;
    let started = 0;
    const counting: Contender<GemmCase> = {
      impl: 'mlpx', backend: 'wasm', threads: 2,
      prepare: async () => ({ run: () => void calls++ }),
      flopsPerCall: () => 1,
      // each call posts 3 tasks, and every second round one more is backed off
      countPoolTasks: () => {
        const from = calls, round = started++;
        return () => ({ posted: 3 * (calls - from), backedOff: round % 2 });
      },
    };
    const info: CaseInfo = { suite: 'gemm', shape: '8×8·8×8', batch: null, optimizer: null, metric: 'gflops', work: 1024 / 1e9 };
    const [measured] = await runCase(info, gemmCase(8, 8, 8), [counting], { rounds: 4, roundMs: 2, maxCallMs: 1000, peak: probe });
    expect(started).toBe(4); // not around the warm-up call before the rounds
    const tasks = measured!.bound!.tasks!;
    expect(tasks.backedOff).toEqual([0, 1, 0, 1]);
    expect(tasks.posted).toHaveLength(4);
    for (const posted of tasks.posted) expect(posted % 3 === 0 && posted > 0).toBe(true);
  });

  it('report the share of split tasks backed off and the rounds in which any was, or that none was split', () => {
    const one = row({ rounds: [100, 100, 100], bound: { path: 'avx512', cores: 2, probeSeconds: 0.05, flopsPerCall: 1, gflops: [50, 50, 50], one: [100, 100, 100], all: [200, 200, 200] } });
    const bound = { path: 'avx512', cores: 2, probeSeconds: 0.05, flopsPerCall: 1, gflops: [90, 90, 90], one: [100, 100, 100], all: [200, 200, 200], roundTripNs: [70, 70, 70] };
    const two = row({ threads: 2, rounds: [180, 180, 180], bound: { ...bound, tasks: { posted: [500, 300, 190], backedOff: [0, 8, 2] } } });
    const [p1, p2] = peakRecords([one, two]);
    expect(p1!.splitTasks).toBeUndefined();
    expect(p2!.splitTasks).toEqual({ tasks: 1000, backedOffShare: 10 / 1000, backedOffRounds: 2 });
    expect(peakSection([p1!, p2!], 2).join('\n')).toMatch(/\| 1\.80× \(3\) \| — \(0\) \| 1\.0% \(2\) \|$/m);
    const none = row({ threads: 2, rounds: [180, 180, 180], bound: { ...bound, tasks: { posted: [500, 300, 200], backedOff: [0, 0, 0] } } });
    expect(peakSection(peakRecords([one, none]), 2).join('\n')).toMatch(/\| 0\.0% \(0\) \|$/m);
    // calls too small to split: both thread counts ran on the caller
    const solo = row({ threads: 2, rounds: [180, 180, 180], bound: { ...bound, tasks: { posted: [0, 0, 0], backedOff: [0, 0, 0] } } });
    expect(peakRecords([one, solo])[1]!.splitTasks).toEqual({ tasks: 0, backedOffShare: 0, backedOffRounds: 0 });
    expect(peakSection(peakRecords([one, solo]), 2).join('\n')).toMatch(/\| no split \|$/m);
    // a row without counts (recorded before the bench counted tasks) shows a dash, and results
    // with none at all have no such column
    const uncounted = row({ threads: 2, rounds: [180, 180, 180], bound });
    const [, , p3] = peakRecords([one, two, { ...uncounted, shape: 'old' }]);
    expect(peakSection([p1!, p2!, p3!], 2).join('\n')).toMatch(/old[^\n]*\| — \|$/m);
    const before = peakSection(peakRecords([one, uncounted]), 2).join('\n');
    expect(before).not.toContain('Backed off');
    expect(before).not.toContain('backed off');
  });

  it('read each round against the peak at the row\'s thread count', () => {
    const one = row({ rounds: [100, 100, 100], bound: { path: 'avx512', cores: 2, probeSeconds: 0.05, flopsPerCall: 1, gflops: [50, 60, 70], one: [100, 100, 200], all: [200, 120, 400] } });
    const two = row({
      threads: 2, median: 150, min: 110, max: 180, rounds: [180, 110, 150],
      bound: { path: 'avx512', cores: 2, probeSeconds: 0.05, flopsPerCall: 1, gflops: [90, 66, 105], one: [100, 100, 100], all: [200, 110, 180], roundTripNs: [450, 900, 420] },
    });
    const [b1, b2] = boundRows([one, two]);
    expect(b1).toMatchObject({ suite: 'fma-bound', shape: 'train 784-128-10', metric: 'gflops', unit: 'GFLOP/s', median: 60, ratioTo: 'FMA peak 1t (avx512)', ratio: 0.5 }); // 0.5, 0.6, 0.35
    expect(b2).toMatchObject({ ratioTo: 'FMA peak 2t (avx512)' });
    expect(b2!.ratio).toBeCloseTo(105 / 180, 12); // rounds 0.45, 0.6, 0.583…
    const [p1, p2] = peakRecords([one, two]);
    expect(p1).toMatchObject({ contender: 'mlpx native 1t', peakOne: 100, peakAll: 200, peakRatio: 2, twoCoreRounds: 0, scalingTwoCores: null });
    expect(p1!.roundTripNs).toBeUndefined();
    // peak ratios 2, 1.1, 1.8: rounds 0 and 2 had two cores; scaling there 1.8 and 1.5
    expect(p2).toMatchObject({ contender: 'mlpx native 2t', peakRatio: 1.8, twoCoreRounds: 2, rounds: 3, scalingTwoCores: 1.65, roundTripNs: 450 });
    // both two-core rounds had distant cores (450 and 420 ns ≥ CLOSE_CORES_NS)
    expect(p2).toMatchObject({ closeCores: { rounds: 0, scaling: null }, distantCores: { rounds: 2, scaling: 1.65 } });
    expect(p1!.closeCores).toBeUndefined();
    // round 0 (scaling 1.8) on close cores, round 2 (1.5) on distant ones
    const mixed = { ...two, bound: { ...two.bound!, roundTripNs: [70, 900, 420] } };
    expect(peakRecords([one, mixed])[1]).toMatchObject({ closeCores: { rounds: 1, scaling: 1.8 }, distantCores: { rounds: 1, scaling: 1.5 } });
    // the core round trip stands beside the scaling; a row recorded without it shows a dash, and
    // results recorded before the bench probed it have no such column
    const markdown = peakSection([p1!, p2!], 2).join('\n');
    expect(markdown).toMatch(/\| mlpx native 2t \| 1\.80× \| 2 of 3 \| 1\.65× \| 450 ns \| — \(0\) \| 1\.65× \(2\) \|/);
    const unrecorded = { ...two, bound: { ...two.bound!, roundTripNs: undefined } };
    const [, p3] = peakRecords([one, unrecorded]);
    expect(peakSection([p1!, p2!, { ...p3!, contender: 'old' }], 2).join('\n')).toMatch(/\| old \| 1\.80× \| 2 of 3 \| 1\.65× \| — \| — \| — \|/);
    const before = peakSection([p1!, p3!], 2).join('\n');
    expect(before).toMatch(/\| mlpx native 2t \| 1\.80× \| 2 of 3 \| 1\.65× \|$/m);
    expect(before).not.toContain('round trip');
    expect(before).not.toContain('close cores');
    expect(TWO_CORES).toBe(1.7);
  });

  it('wasm rows: probed for their scaling on close and distant cores, but not read against the native FMA bound', () => {
    const bound = { path: 'avx512', cores: 2, probeSeconds: 0.05, flopsPerCall: 1 };
    const one = row({ backend: 'wasm', rounds: [100, 100], bound: { ...bound, gflops: [20, 20], one: [100, 100], all: [200, 200], roundTripNs: [70, 400] } });
    const two = row({ backend: 'wasm', threads: 2, rounds: [180, 140], bound: { ...bound, gflops: [36, 28], one: [100, 100], all: [200, 200], roundTripNs: [70, 400] } });
    expect(boundRows([one, two])).toEqual([]);
    const peaks = peakRecords([one, two]);
    expect(peaks[1]).toMatchObject({ contender: 'mlpx wasm 2t', backend: 'wasm', closeCores: { rounds: 1, scaling: 1.8 }, distantCores: { rounds: 1, scaling: 1.4 } });
    const markdown = peakSection(peaks, 2).join('\n');
    expect(markdown).toMatch(/^\| train 784-128-10 batch 128 sgd \| mlpx wasm 2t \| 2\.00× \| 2 of 2 \| 1\.60× \| 235 ns \| 1\.80× \(1\) \| 1\.40× \(1\) \|$/m);
    expect(markdown).not.toMatch(/mlpx wasm \dt \| [\d.]+ \| 100/); // no row in the fraction-of-bound table
  });

  it('flag a multi-thread case whose threads mostly shared a core', () => {
    const two = row({
      threads: 2, rounds: [100, 100, 100],
      bound: { path: 'avx512', cores: 2, probeSeconds: 0.05, flopsPerCall: 1, gflops: [1, 1, 1], one: [100, 100, 100], all: [110, 120, 190] },
    });
    const markdown = peakSection(peakRecords([row({ rounds: [100, 100, 100] }), two]), 2).join('\n');
    expect(markdown).toMatch(/\| train 784-128-10 batch 128 sgd \| mlpx native 2t \| 1\.20× ⚠ \| 1 of 3 \| 1\.00× \|/);
    expect(markdown).toMatch(/^⚠: in most rounds the threads did not have 2 cores/m);
  });

  it('explain the flag only when a case carries it', () => {
    const two = row({
      threads: 2, rounds: [100, 100, 100],
      bound: { path: 'avx512', cores: 2, probeSeconds: 0.05, flopsPerCall: 1, gflops: [1, 1, 1], one: [100, 100, 100], all: [190, 200, 195] },
    });
    const markdown = peakSection(peakRecords([row({ rounds: [100, 100, 100] }), two]), 2).join('\n');
    expect(markdown).toMatch(/\| mlpx native 2t \| 1\.95× \| 3 of 3 \|/);
    expect(markdown).not.toContain('⚠');
  });
});
