// The parts of BENCHMARKS.md built from the JSON's blocks beside the rows: the load around each
// suite, the OpenBLAS numpy ran, native rows against the FMA peak, the profile of a training
// step, and the MNIST recipe. Each returns Markdown lines (none when its block is absent).
import { describeOpenblas, type NumpyInfo } from './numpy-info.js';
import { CLOSE_CORES_NS, OUTSIDE_STEP, PHASE_GROUPS, TWO_CORES, backedOffCell, type CoreScaling, type PeakRecord, type ProfileRecord, type Row, type SuiteRun } from './results.js';
import { MNIST_RECIPE, recipeCommand } from './recipe.js';

const loads = (l: readonly number[]): string => l.map((v) => v.toFixed(2)).join(' / ');
const times = (ratio: number): string => `${ratio.toFixed(2)}×`;
const gflops = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

export function loadSection(suites: readonly SuiteRun[] | undefined, cores: number): string[] {
  if (suites === undefined || suites.length === 0) return [];
  return [
    `Load average (1 / 5 / 15 min) when each suite started and ended; above ${cores} (the core count), other`,
    'processes competed for the cores during that suite.',
    '',
    '| suite | started | minutes | load at start | load at end |',
    '|---|---|---:|---|---|',
    ...suites.map((s) => `| ${s.suite} | ${s.started} | ${(s.seconds / 60).toFixed(1)} | ${loads(s.loadStart)} | ${loads(s.loadEnd)} |`),
    '',
  ];
}

export function numpySection(numpy: readonly NumpyInfo[] | undefined): string[] {
  if (numpy === undefined || numpy.length === 0) return [];
  const removed = Object.keys(numpy[0]!.removed);
  return [
    `numpy ${numpy[0]!.numpy} with ${numpy[0]!.blas}${numpy[0]!.buildConfig ? ` (np.show_config(), from its build: ${numpy[0]!.buildConfig})` : ''}.`,
    removed.length > 0
      ? `The bench removed ${removed.map((n) => `\`${n}\``).join(' and ')} (set in this environment) from the numpy processes' environment only, so OpenBLAS picked its kernels as it does for a user. What it then ran:`
      : 'What OpenBLAS ran:',
    '',
    ...numpy.map((n) => `- ${n.threads} thread${n.threads === 1 ? '' : 's'}: ${describeOpenblas(n)}`),
    '',
  ];
}

/** A scaling over some rounds, with their count: "1.65× (2)", or a dash. */
const coreScaling = (c: CoreScaling | undefined): string =>
  c === undefined ? '—' : `${c.scaling === null ? '—' : times(c.scaling)} (${c.rounds})`;

const caseName = (p: { suite: string; shape: string; batch: number | null; optimizer: string | null }): string =>
  [p.suite, p.shape, p.batch === null ? '' : `batch ${p.batch}`, p.optimizer ?? ''].filter((s) => s !== '').join(' ');

export function peakSection(peaks: readonly PeakRecord[] | undefined, cores: number): string[] {
  if (peaks === undefined || peaks.length === 0) return [];
  const native = peaks.filter((p) => (p.backend ?? 'native') === 'native');
  const multi = peaks.filter((p) => p.threads > 1);
  // results from before the bench probed the round trip have none: no column then
  const trips = multi.some((p) => p.roundTripNs !== undefined);
  const split = multi.some((p) => p.closeCores !== undefined);
  const counted = multi.some((p) => p.splitTasks !== undefined);
  return [
    `After every round of an mlpx native or wasm row the bench measured the core's FMA peak (${peaks[0]!.path}: independent`,
    `multiply-add chains on the widest vectors, ${peaks[0]!.probeSeconds * 1000} ms on 1 thread and as long on ${cores}), so each row is read against the`,
    'arithmetic bound of that moment: GEMM GFLOP/s, training samples/s × flops per sample (forward pass, weight',
    'gradients, and input gradients of every layer but the first), inference samples/s × forward flops per sample.',
    'Fraction: the median over rounds of the row\'s GFLOP/s ÷ the peak at its thread count (native rows; wasm\'s',
    '128-bit vectors cannot reach it).',
    '',
    '| case | contender | GFLOP/s | peak 1t | peak all | peak all ÷ 1t | fraction of bound |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...native.map((p) => `| ${caseName(p)} | ${p.contender} | ${gflops(p.gflops)} | ${gflops(p.peakOne)} | ${gflops(p.peakAll)} | ${times(p.peakRatio)} | ${p.fraction.toFixed(2)} |`),
    '',
    ...(multi.length === 0 ? [] : [
      `The host's vCPUs are sometimes co-scheduled on one core, so a ${cores}-thread result means something only beside the`,
      `${cores}-thread peak of the same rounds. Scaling over the rounds whose peak reached ${TWO_CORES}× the 1-thread peak`,
      '(the threads had a core each), against the same contender on 1 thread in those rounds:',
      '',
      `| case | contender | peak all ÷ 1t | rounds with the cores | scaling in those rounds |${trips ? ' core round trip |' : ''}${split ? ' close cores | distant cores |' : ''}${counted ? ' backed off |' : ''}`,
      `|---|---|---:|---:|---:|${trips ? '---:|' : ''}${split ? '---:|---:|' : ''}${counted ? '---:|' : ''}`,
      ...multi.map((p) => `| ${caseName(p)} | ${p.contender} | ${times(p.peakRatio)}${p.peakRatio < TWO_CORES ? ' ⚠' : ''} | ${p.twoCoreRounds} of ${p.rounds} | ${p.scalingTwoCores === null ? '—' : times(p.scalingTwoCores)} |${trips ? ` ${p.roundTripNs === undefined ? '—' : `${p.roundTripNs.toFixed(0)} ns`} |` : ''}${split ? ` ${coreScaling(p.closeCores)} | ${coreScaling(p.distantCores)} |` : ''}${counted ? ` ${backedOffCell(p.splitTasks)} |` : ''}`),
      '',
      ...(trips ? [
        'Core round trip: the median over all the row\'s rounds of the time two threads took to hand a cache line back and',
        'forth. Every split of work pays it a few times, so the same code scales less where it is long (e.g. cores on',
        'different dies).',
        ...(split ? [
          `Close cores / distant cores: the scaling over those of the rounds with the cores whose round trip was under`,
          `${CLOSE_CORES_NS} ns (the vCPUs on one die) / not, with the number of such rounds; the host moves its vCPUs between`,
          'the two from one minute to the next.',
        ] : []),
        '',
      ] : []),
      ...(counted ? [
        'Backed off: the share of the row\'s split tasks (over all its rounds) that the thread pool ran on the calling',
        'thread alone because a worker had just stalled or been preempted, with the number of rounds in which it did;',
        'the pool then keeps work on the caller for a while, so a host that takes a core away shows here. "No split":',
        'no task of the row\'s calls was split (too small to pay, or the split choice kept the steps on the caller), so',
        'they ran on the calling thread alone, as on one thread.',
        '',
      ] : []),
      ...(multi.some((p) => p.peakRatio < TWO_CORES)
        ? [`⚠: in most rounds the threads did not have ${cores} cores; the scaling rows of this case say little.`, '']
        : []),
    ]),
  ];
}

const usCell = (us: number, step: number): string => `${us.toFixed(us >= 100 ? 0 : 1)} (${Math.round((100 * us) / step)}%)`;

/** The profile records' phases summed into PHASE_GROUPS (the instrumented ones' detail folded). */
function grouped(record: ProfileRecord): Map<string, number> {
  const out = new Map<string, number>();
  for (const [group, members] of Object.entries(PHASE_GROUPS)) {
    out.set(group, record.phases.filter((p) => p.phase === group || members.includes(p.phase)).reduce((sum, p) => sum + p.us, 0));
  }
  out.set(OUTSIDE_STEP, record.phases.find((p) => p.phase === OUTSIDE_STEP)?.us ?? 0);
  return out;
}

export function profileSection(profile: readonly ProfileRecord[] | undefined): string[] {
  if (profile === undefined || profile.length === 0) return [];
  const cases = [...new Set(profile.map((r) => `${r.shape}|${r.batch}|${r.optimizer}`))];
  const out: string[] = [
    'Where one training step\'s time goes, in µs per step (share of the step), on synthetic data in the case\'s',
    'shape. Native rows and the wasm "profile build" rows come from profile builds (`node native/build.mjs --profile`,',
    '`node assembly/build.mjs --profile`: every kernel of the step clocks itself on the calling thread; the default',
    'builds have no clocks), which run whole epochs; "rest of the epoch loop" is the epoch\'s time per step minus',
    'its kernels (gathering the batch, bookkeeping, the call from JS). The "default build" and the other wasm rows subtract the engine\'s calls, each timed',
    'alone on one batch (the fastest of 7 rounds): evaluate (forward + loss, with the copy of the batch in),',
    'gradient − evaluate, trainStep − gradient, and an epoch\'s time per step − trainStep (a difference of separate',
    'timings: below zero where the loop costs less than their noise). Rows of one case were',
    'measured one after another, not interleaved: compare shares more than microseconds.',
    '',
  ];
  for (const key of cases) {
    const records = profile.filter((r) => `${r.shape}|${r.batch}|${r.optimizer}` === key);
    const first = records[0]!;
    const groups = records.map(grouped);
    out.push(`**${first.shape}, batch ${first.batch}, ${first.optimizer}**`, '',
      `| phase | ${records.map((r) => r.label).join(' | ')} |`, `|---|${records.map(() => '---:').join('|')}|`,
      ...[...groups[0]!.keys()].map((phase) => `| ${phase} | ${records.map((r, i) => usCell(groups[i]!.get(phase)!, r.stepUs)).join(' | ')} |`),
      `| **step** | ${records.map((r) => `**${r.stepUs.toFixed(0)}**`).join(' | ')} |`, '');
    const instrumented = records.filter((r) => r.method === 'instrumented build');
    if (instrumented.length === 0) continue;
    const phases = [...new Set(instrumented.flatMap((r) => r.phases.map((p) => p.phase)))];
    out.push('Per kernel (profile builds; "wait": of that, native\'s training thread waiting for pool workers, which wasm\'s clocks include without counting apart; ' +
        'the forward GEMM includes the activation of the rows or blocks each thread computed, in wasm and in a native layer split across threads, ' +
        'so "activation" is then what is left: softmax and dropout in wasm; in native, the layers not split by K blocks, while dropout layers count in no phase; ' +
        'and when native splits the last hidden layer, the output layer\'s forward pass (and in training with a fused output delta, that delta, its dX GEMM and ' +
        'the hidden layer\'s activation backward) run on the split rows and count as forward GEMM too; in wasm, the dX GEMM of a layer whose layer below ' +
        'had its rows split across threads includes that layer\'s activation backward, on the same rows):', '',
      `| kernel | ${instrumented.map((r) => r.label).join(' | ')} |`, `|---|${instrumented.map(() => '---:').join('|')}|`,
      ...phases.map((phase) => `| ${phase} | ${instrumented.map((r) => {
        const p = r.phases.find((q) => q.phase === phase);
        if (p === undefined) return '—';
        return usCell(p.us, r.stepUs) + (p.waitUs !== null && p.waitUs >= 0.05 ? ` · wait ${p.waitUs.toFixed(1)}` : '');
      }).join(' | ')} |`), '');
  }
  return out;
}

export function mnistSection(results: readonly Row[]): string[] {
  const r = MNIST_RECIPE;
  const recipeShape = `784-${r.hidden.join('-')}-10`;
  const rows = results.filter((row) => row.suite === 'mnist' && row.shape === recipeShape);
  const others = results.filter((row) => row.suite === 'mnist' && row.shape !== recipeShape);
  return [...(rows.length === 0 ? [] : [
    'The recipe (the fastest to 98% test accuracy found with what mlpx offers; real MNIST, 60,000 training rows):',
    '',
    '```sh',
    recipeCommand('./mnist'),
    '```',
    '',
    `784-${r.hidden.join('-')}-10 with ReLU, ${r.optimizer} at ${r.lr} with the ${r.schedule} schedule, batch ${r.batch}, ${r.epochs} epochs. The`,
    'mnist suite runs it through the same API (`Network.fit`) with seeds 1, 2, …, and TensorFlow.js on the same',
    'recipe from the same initial weights. Seconds of training (as `trainSeconds` in `mlpx train --json`) until',
    'the end of the first epoch whose test accuracy reached 97% / 98%:',
    '',
    '| contender | metric | median | min–max | runs |',
    '|---|---|---:|---|---:|',
    ...rows.map((row) => `| ${row.impl} ${row.backend} ${row.threads}t | ${row.metric} | ${row.error ?? `${row.median!.toFixed(2)} s`} | ${row.error ? '' : `${row.min!.toFixed(2)}–${row.max!.toFixed(2)}`} | ${row.runs} |`),
    '',
  ]), ...(others.length === 0 ? [] : [
    'Larger networks on the same data (the training features at work), through the same API:',
    '',
    '| network | optimizer | contender | metric | median | min–max | runs |',
    '|---|---|---|---|---:|---|---:|',
    ...others.map((row) => `| ${row.shape}, batch ${row.batch} | ${row.optimizer} | ${row.impl} ${row.backend} ${row.threads}t | ${row.metric} | ${row.error ?? `${row.median!.toFixed(2)} ${row.unit}`} | ${row.error ? '' : `${row.min!.toFixed(2)}–${row.max!.toFixed(2)}`} | ${row.runs} |`),
    '',
  ])];
}
