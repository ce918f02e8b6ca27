// The work and the rounds of the wasm A/B harness, shared by its Node driver (bench/ab/wasm.ts)
// and its Chromium page (bench/ab/wasm-page.js). Plain JS: the page loads it as it is. A
// contender is a wasm backend (its own memory and workers) at a thread count; the backend's
// module is whatever the driver gave it (`createEngine`, `runtime`, `setThreads` of
// src/backend/wasm/backend.ts). Rounds alternate A B B A …, so both sides of a pair see the same
// load, and the result is the median of the per-round B/A ratios of wall-clock rates.

/** The cases of `wasm.ts threads`: every bench network at batch 32 and 128, and the 2-D playground sizes. */
export const THREAD_CASES = [
  { net: '784-128-10', batch: 32, rows: 4096, opt: 'sgd' },
  { net: '784-128-10', batch: 32, rows: 4096, opt: 'adam' },
  { net: '784-128-10', batch: 128, rows: 4096, opt: 'sgd' },
  { net: '784-128-10', batch: 128, rows: 4096, opt: 'adam' },
  { net: '784-512-256-10', batch: 32, rows: 2048, opt: 'sgd' },
  { net: '784-512-256-10', batch: 128, rows: 2048, opt: 'sgd' },
  { net: '784-128-10', batch: 1, rows: 256, opt: 'sgd', sigmoid: true },
  { net: '2-8-2', batch: 32, rows: 1000, opt: 'adam' },
  { net: '2-32-32-2', batch: 32, rows: 1000, opt: 'adam' },
  { net: '2-32-32-2', batch: 1000, rows: 1000, opt: 'adam' },
  { net: '2-64-64-64-2', batch: 32, rows: 1000, opt: 'adam' },
  { net: '2-64-64-64-2', batch: 1000, rows: 1000, opt: 'adam' },
  { net: '2-128-128-2', batch: 1000, rows: 1000, opt: 'adam' },
];

/** Hyperparameters per optimizer name (its id comes from the `ids.Optimizer` table the caller passes). */
const OPTIMIZER_PARAMS = {
  sgd: { lr: 0.01, beta1: 0, beta2: 0, eps: 0 },
  adam: { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7 },
};

/** xorshift32 in [0, 1): the same data in Node and in the page */
function random(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

function fill(array, next, scale) {
  for (let i = 0; i < array.length; i++) array[i] = (next() * 2 - 1) * scale;
  return array;
}

/** Training of `net` ("784-128-10") on `rows` random rows, one epoch in batches of `batch` per call. */
export function trainWork(backend, ids, { net, batch, rows, opt = 'sgd', sigmoid = false, hidden = 'relu' }) {
  const sizes = net.split('-').map(Number);
  const L = sizes.length - 1;
  if (!Object.hasOwn(ids.Activation, hidden) || hidden === 'softmax') throw new Error(`--hidden: '${hidden}' is not an element-wise activation`);
  if (sigmoid && hidden !== 'relu') throw new Error('--sigmoid sets every layer\'s activation: leave out --hidden');
  const spec = sigmoid
    ? { sizes, activations: sizes.slice(1).map(() => ids.Activation.sigmoid), loss: ids.Loss.half_sse }
    : { sizes, activations: sizes.slice(1).map((_, l) => (l === L - 1 ? ids.Activation.softmax : ids.Activation[hidden])), loss: ids.Loss.cross_entropy };
  const engine = backend.createEngine(spec);
  const next = random(7);
  const params = new Float32Array(engine.paramCount);
  let at = 0;
  for (let l = 0; l < L; l++) {
    const weights = sizes[l] * sizes[l + 1];
    fill(params.subarray(at, at + weights), next, Math.sqrt(6 / (sizes[l] + sizes[l + 1])));
    at += weights + sizes[l + 1]; // biases stay 0
  }
  engine.writeParams(params);
  const inputs = sizes[0], classes = sizes[L];
  const x = fill(new Float32Array(rows * inputs), next, 1);
  const y = new Float32Array(rows * classes);
  for (let r = 0; r < rows; r++) y[r * classes + Math.floor(next() * classes)] = 1;
  const data = engine.bindData(x, y, rows);
  const order = Uint32Array.from({ length: rows }, (_, i) => i);
  for (let i = rows - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const batches = Math.ceil(rows / batch);
  const stats = new Float64Array(batches * 4);
  const optimizer = { kind: ids.Optimizer[opt], ...OPTIMIZER_PARAMS[opt] };
  let step = 1;
  return {
    unit: 'samples/s',
    work: rows,
    async run() {
      const done = await engine.trainEpoch(data, order, batch, optimizer, step, stats);
      if (done !== batches || !Number.isFinite(stats[(batches - 1) * 4])) throw new Error(`${net} batch ${batch}: training diverged`);
      step += batches;
    },
  };
}

/**
 * `reps` back-to-back GEMMs C = A·B (m, k, n) in one call into the module, as a training step
 * posts them (the pool's busy flag set, so workers stay hot between tasks).
 */
export function gemmWork(backend, { m, k, n, reps }) {
  const { exports, mem, pool } = backend.runtime;
  const next = random(3);
  const a = mem.alloc(m * k * 4), b = mem.alloc(k * n * 4), c = mem.alloc(m * n * 4);
  fill(mem.f32(a, m * k), next, 1);
  fill(mem.f32(b, k * n), next, 1);
  const loop = () => { for (let r = 0; r < reps; r++) exports.matmul_nn(c, a, b, m, k, n); };
  return {
    unit: 'GMAC/s',
    work: m * k * n * reps,
    run: () => (pool === undefined ? loop() : pool.busy(loop)),
  };
}

/** A case's name in the harness's output. */
export function caseName(c) {
  return c.kind === 'gemm' ? `gemm ${c.m}x${c.k}x${c.n}` : `${c.net}${c.sigmoid ? ' sigmoid' : c.hidden !== undefined && c.hidden !== 'relu' ? ` ${c.hidden}` : ''} batch ${c.batch} ${c.opt ?? 'sgd'} (${c.rows} rows)`;
}

function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function quartiles(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
  return [at(0.25), at(0.75)];
}

/** coreTrip() once the workers that spin after a round have parked (one would share its core). */
async function settledTrip(coreTrip) {
  await new Promise((resolve) => setTimeout(resolve, 10));
  return coreTrip();
}

async function timeRound(work, roundMs, now, cpu) {
  await work.run(); // warm: caches, parked workers
  const start = now(), cpu0 = cpu?.();
  let calls = 0;
  do {
    await work.run();
    calls++;
  } while (now() - start < roundMs);
  const done = work.work * calls;
  return { wall: done / ((now() - start) / 1000), cpu: cpu === undefined ? undefined : done / (cpu() - cpu0) };
}

/**
 * Alternating rounds of works [A, B]; before each pair of rounds `probe()` (if given) measures
 * how much faster two threads compute than one right now, and with `gate` the pair waits until
 * a probe reaches it (at most 100 probes), so that pair ran while two cores were there. `cpu()`
 * (if given: Node) is the process's CPU time in seconds, for rates per CPU second beside the
 * wall-clock ones. `coreTrip()` (if given) is a cache-line round trip between two cores in ns,
 * taken before and after each round: rounds with both under `closeNs` count as on close cores,
 * both over as on distant ones (the host moves its vCPUs between dies within seconds). Returns
 * median rates, the median B/A ratio and its quartiles (and those of the close and the distant
 * rounds), the probes' median and how many probes fell short of the gate.
 */
export async function abRounds(works, { rounds, roundMs, now = () => performance.now(), cpu, probe, gate, coreTrip, closeNs }) {
  const samples = [[], []];
  const probes = [];
  const trips = [];
  let gatedOut = 0;
  for (let round = 0; round < rounds; round++) {
    if (probe !== undefined && round % 2 === 0) {
      let measured = await probe();
      for (let tries = 1; gate !== undefined && measured < gate && tries < 100; tries++, gatedOut++) measured = await probe();
      probes.push(measured);
    }
    const before = coreTrip === undefined ? undefined : await settledTrip(coreTrip);
    for (const i of round % 2 === 0 ? [0, 1] : [1, 0]) samples[i].push(await timeRound(works[i], roundMs, now, cpu));
    if (coreTrip !== undefined) trips.push([before, await settledTrip(coreTrip)]);
  }
  const ratios = (clock) => samples[1].map((s, r) => s[clock] / samples[0][r][clock]);
  const wall = ratios('wall');
  const cores = (keep) => {
    const kept = wall.filter((_, r) => keep(trips[r]));
    return kept.length === 0 ? undefined : { ratio: median(kept), quartiles: quartiles(kept), rounds: kept.length };
  };
  return {
    closeCores: coreTrip === undefined ? undefined : cores(([a, b]) => a < closeNs && b < closeNs),
    distantCores: coreTrip === undefined ? undefined : cores(([a, b]) => a >= closeNs && b >= closeNs),
    rates: samples.map((list) => median(list.map((s) => s.wall))),
    ratio: median(ratios('wall')),
    quartiles: quartiles(ratios('wall')),
    cpuRatio: cpu === undefined ? undefined : median(ratios('cpu')),
    probe: probes.length > 0 ? median(probes) : undefined,
    probeQuartiles: probes.length > 0 ? quartiles(probes) : undefined,
    gatedOut,
  };
}

/**
 * Source of a capability probe worker: it instantiates the single-threaded module (its own
 * memory) and, per message { reps }, runs `reps` 64×64×64 GEMMs (in L1: pure compute), then posts
 * the milliseconds they took. Two such workers against one say whether two cores are there.
 */
export const PROBE_WORKER_SOURCE = `
function start(module, post) {
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 32768 });
  const x = new WebAssembly.Instance(module, { env: { memory, now: () => performance.now() } }).exports;
  const ctrl = (x.data_end() + 63) & ~63;
  x.threads_init(ctrl);
  const a = (ctrl + x.CTRL_BYTES.value + 63) & ~63, b = a + 16384, c = b + 16384;
  if (c + 16384 > memory.buffer.byteLength) memory.grow(Math.ceil((c + 16384 - memory.buffer.byteLength) / 65536));
  new Float32Array(memory.buffer, a, 8192).fill(0.5);
  return (reps) => {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) x.matmul_nn(c, a, b, 64, 64, 64);
    post(performance.now() - t0);
  };
}
if (typeof require === 'function') {
  const { parentPort, workerData } = require('node:worker_threads');
  const run = start(workerData, (m) => parentPort.postMessage(m));
  parentPort.on('message', (reps) => run(reps));
} else {
  let run;
  self.onmessage = (event) => {
    if (run === undefined) run = start(event.data, (m) => self.postMessage(m));
    else run(event.data);
  };
}
`;

/**
 * The capability probe over two started probe workers (`ask(worker, reps)` resolves with the
 * worker's milliseconds): the same GEMMs on one worker, then on both at once, three times; the
 * two-thread throughput over the one-thread throughput, from the medians (2.0 with two free
 * cores, 1.0 with one).
 */
export function capabilityProbe(workers, ask, reps = 200) {
  let warm = false;
  return async () => {
    // until the engine has tiered the GEMM up, a worker's first runs are slower
    if (!warm) for (let i = 0; i < 3; i++) await Promise.all(workers.map((w) => ask(w, reps)));
    warm = true;
    const ones = [], boths = [];
    for (let i = 0; i < 3; i++) {
      ones.push(await ask(workers[0], reps));
      boths.push(Math.max(...await Promise.all(workers.map((w) => ask(w, reps)))));
    }
    const one = median(ones), both = median(boths);
    return (2 * one) / both;
  };
}

/**
 * The capability probe in a page: two Web Workers running PROBE_WORKER_SOURCE over `module` (the
 * compiled single-threaded mlpx.wasm); `stop` terminates them.
 */
export function pageCapabilityProbe(module) {
  const source = URL.createObjectURL(new Blob([PROBE_WORKER_SOURCE], { type: 'text/javascript' }));
  const workers = [0, 1].map(() => {
    const worker = new Worker(source);
    worker.postMessage(module);
    return worker;
  });
  const ask = (worker, reps) => new Promise((resolve) => {
    worker.onmessage = (event) => resolve(event.data);
    worker.postMessage(reps);
  });
  return { probe: capabilityProbe(workers, ask), stop: () => workers.forEach((w) => w.terminate()) };
}

export const format = (rate, unit) =>
  unit === 'GMAC/s' ? `${(rate / 1e9).toFixed(2)} ${unit}` : `${Math.round(rate).toLocaleString('en-US')} ${unit}`;

/** Median milliseconds of `fn` over `samples` timings of `reps` calls each. */
function timePerCall(fn, reps, samples, now) {
  const times = [];
  for (let s = 0; s < samples; s++) {
    const t0 = now();
    for (let r = 0; r < reps; r++) fn();
    times.push((now() - t0) / reps);
  }
  return median(times);
}

const NEVER = 2 ** 30;

/**
 * The measurements behind the cost model's constants and thresholds (assembly/threads.ts,
 * src/backend/wasm/threads.ts): on `single` (1 thread) the time per unit of each task kind, in
 * nanoseconds and in GEMM multiply-adds; on `pair` (2 threads) the cost of splitting a task that
 * does almost nothing, hot (inside a step: workers spinning) and idle (workers parked), and of
 * each further chunk. Returns lines of text.
 */
export async function calibrate(single, pair, { now = () => performance.now(), sleep }) {
  const lines = [];
  const { exports, mem } = single.runtime;
  const next = random(5);
  const alloc = (floats) => {
    const p = mem.alloc(floats * 4);
    fill(mem.f32(p, floats), next, 0.01);
    return p;
  };
  // GEMM: ns per multiply-add, and per unit of the model (m·n₈·(k + COST_PER_C) + k·n₈)
  const shapes = [[128, 784, 128], [32, 784, 128], [128, 128, 10], [32, 32, 32], [1000, 32, 32], [32, 2, 32], [1000, 2, 32], [1000, 32, 2], [8, 1, 16], [128, 128, 128]];
  const gemmNs = [];
  for (const [m, k, n] of shapes) {
    const a = alloc(m * k), b = alloc(k * n), c = alloc(m * n);
    const reps = Math.max(1, Math.round(2e6 / (m * k * n)));
    timePerCall(() => exports.matmul_nn(c, a, b, m, k, n), reps, 3, now);
    const ms = timePerCall(() => exports.matmul_nn(c, a, b, m, k, n), reps, 9, now);
    gemmNs.push({ m, k, n, ns: ms * 1e6 });
    for (const p of [a, b, c]) mem.free(p);
  }
  const unit = gemmNs[0].ns / (128 * 784 * 128); // ns per multiply-add of a large GEMM
  lines.push(`GEMM, 1 thread: ${(1 / unit).toFixed(2)} GMAC/s at 128x784x128 (the unit: ${unit.toFixed(4)} ns)`);
  for (const g of gemmNs) {
    lines.push(`  ${`${g.m}x${g.k}x${g.n}`.padEnd(12)} ${(g.ns / 1000).toFixed(2).padStart(9)} µs = ${(g.ns / unit).toFixed(0).padStart(9)} units;` +
      ` m·k·n ${g.m * g.k * g.n}, m·n ${g.m * g.n}, k·n ${g.k * g.n}`);
  }
  // optimizer updates and Σx², per element
  const count = 100_000;
  const p = alloc(count), g = alloc(count), s1 = alloc(count), s2 = alloc(count);
  // the gradient transform off (gradScale 1, no clamp, l2, l1 or decay): the loops training runs
  const plain = [1, 0, 0, 0, 0];
  const perElement = {
    sgd: () => exports.sgd_update(p, g, count, 1e-6, ...plain),
    momentum: () => exports.momentum_update(p, g, s1, count, 1e-6, 0.9, 0, ...plain),
    rmsprop: () => exports.rmsprop_update(p, g, s1, count, 1e-6, 0.9, 1e-7, ...plain),
    adam: () => exports.adam_update(p, g, s1, s2, count, 1e-6, 0.9, 0.999, 1e-7, 10, ...plain),
    'Σx²': () => exports.sum_squares(g, count),
  };
  for (const [name, fn] of Object.entries(perElement)) {
    timePerCall(fn, 5, 3, now);
    const ns = (timePerCall(fn, 5, 9, now) * 1e6) / count;
    lines.push(`${name.padEnd(9)} ${ns.toFixed(3)} ns per element = ${(ns / unit).toFixed(2)} units`);
  }
  // the batch gather is memory.copy per row: approximated by copyWithin of 128 rows of 784 + 10 floats
  const rowBytes = 794 * 4, rows = 128;
  const src = alloc(rows * 794 * 4), dst = alloc(rows * 794);
  const copyRows = () => {
    const bytes = new Uint8Array(mem.buffer);
    for (let r = 0; r < rows; r++) bytes.copyWithin(dst + r * rowBytes, src + ((r * 3) % (rows * 4)) * rowBytes, src + ((r * 3) % (rows * 4)) * rowBytes + rowBytes);
  };
  timePerCall(copyRows, 20, 3, now);
  const gatherNs = (timePerCall(copyRows, 20, 9, now) * 1e6) / (rows * rowBytes / 16);
  lines.push(`gather   ${gatherNs.toFixed(3)} ns per 16 bytes = ${(gatherNs / unit).toFixed(2)} units (copyWithin of 3,176-byte rows)`);

  // splitting a GEMM that does almost nothing (64×1×16, row chunks): the synchronization itself
  const pool = pair.runtime.pool;
  const px = pair.runtime.exports, pm = pair.runtime.mem;
  const a = pm.alloc(64 * 4), b = pm.alloc(16 * 4), c = pm.alloc(64 * 16 * 4);
  const tiny = () => px.matmul_nn(c, a, b, 64, 1, 16);
  const saved = pool.splitCosts;
  const hot = (costs) => {
    pool.splitCosts = { ...costs, adaptive: false };
    return pool.busy(() => { timePerCall(tiny, 2000, 3, now); return timePerCall(tiny, 2000, 9, now); });
  };
  const unsplit = hot({ split: NEVER, splitIdle: NEVER, chunk: NEVER });
  const two = hot({ split: 0, splitIdle: 0, chunk: NEVER });
  const sixteen = hot({ split: 0, splitIdle: 0, chunk: 1 });
  // idle: one call at a time, after the workers have parked
  const idleTimes = [];
  pool.splitCosts = { split: 0, splitIdle: 0, chunk: NEVER, adaptive: false };
  for (let i = 0; i < 41; i++) {
    await sleep(5);
    const t0 = now();
    tiny();
    idleTimes.push(now() - t0);
  }
  pool.splitCosts = { split: NEVER, splitIdle: NEVER, chunk: NEVER, adaptive: false };
  const idleUnsplit = [];
  for (let i = 0; i < 41; i++) {
    await sleep(5);
    const t0 = now();
    tiny();
    idleUnsplit.push(now() - t0);
  }
  pool.splitCosts = saved;
  const us = (ms) => `${(ms * 1000).toFixed(2)} µs`;
  const hotSync = two - unsplit, chunkSync = (sixteen - two) / 14, idleSync = median(idleTimes) - median(idleUnsplit);
  lines.push(`sync, hot (inside a step): a task in 2 chunks costs ${us(hotSync)} more than on the caller = ${(hotSync * 1e6 / unit).toFixed(0)} units (unsplit ${us(unsplit)})`);
  lines.push(`  each further chunk: ${us(chunkSync)} = ${(chunkSync * 1e6 / unit).toFixed(0)} units`);
  lines.push(`sync, idle (workers parked): ${us(idleSync)} = ${(idleSync * 1e6 / unit).toFixed(0)} units (timer resolution applies)`);
  return lines;
}
