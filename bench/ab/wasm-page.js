// The wasm A/B harness in the page (bench/ab/wasm-browser.ts drives it): each contender is a wasm
// backend of the built package's browser platform, with its own module file when the driver
// serves one; results go back through the exposed abReport().
import { Activation, Loss, Optimizer } from '/dist/backend/kernels.js';
import { createWasmBackend } from '/dist/backend/wasm/backend.js';
import { browserPlatform } from '/dist/backend/wasm/browser.js';
import { embeddedWasm } from '/dist/backend/wasm/embedded.js';
import { moduleFile } from '/dist/backend/wasm/runtime.js';
import { abRounds, calibrate, caseName, gemmWork, pageCapabilityProbe, trainWork } from './wasm-work.js';

const ids = { Activation, Loss, Optimizer };

async function backendFor({ threads, url, kernels = 'simd128' }, splitCosts = {}) {
  const bytes = url === null ? undefined : new Uint8Array(await (await fetch(url)).arrayBuffer());
  const threadsFile = moduleFile(true, kernels);
  const backend = await createWasmBackend({
    ...browserPlatform,
    compile: (file) => WebAssembly.compile(bytes !== undefined && file === threadsFile ? bytes : embeddedWasm(file)),
  }, kernels);
  backend.setThreads(threads);
  await backend.threadsReady();
  const pool = backend.runtime.pool;
  if (pool !== undefined) pool.splitCosts = { ...pool.splitCosts, ...splitCosts };
  return backend;
}

async function startProbe() {
  return pageCapabilityProbe(await WebAssembly.compile(embeddedWasm('mlpx.wasm')));
}

window.runAb = async ({ cases, contenders, rounds, roundMs, probe, gate, splitCosts }) => {
  const backends = await Promise.all(contenders.map((c) => backendFor(c, splitCosts)));
  const prober = probe ? await startProbe() : undefined;
  try {
    for (const c of cases) {
      const works = backends.map((backend) => (c.kind === 'gemm' ? gemmWork(backend, c) : trainWork(backend, ids, c)));
      const r = await abRounds(works, { rounds, roundMs, gate, probe: prober?.probe });
      await window.abReport({ name: caseName(c), labels: contenders.map((x) => x.label), unit: works[0].unit, ...r });
    }
  } finally {
    prober?.stop();
  }
};

window.calibrateAb = async () => {
  const [single, pair] = await Promise.all([backendFor({ threads: 1, url: null }), backendFor({ threads: 2, url: null })]);
  return calibrate(single, pair, { sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) });
};
