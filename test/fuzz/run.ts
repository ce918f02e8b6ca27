// The fuzz loops: generate seeded cases, load each under the meter, and tally outcomes. A case
// passes when it either loads something that works or throws a FormatError, within CASE_MS,
// allocating at most 4× its size (plus the fixed slack).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Network, readIdxFile, parseIdx } from '../../src/index.js';
import type { BackendName } from '../../src/backend/engine.js';
import { loadBackend } from '../../src/backend/registry.js';
import type { WasmBackend } from '../../src/backend/wasm/backend.js';
import { Random } from '../../src/util/prng.js';
import { AllocationMeter, CASE_MS, FIXED_SLACK, RSS_SLACK, Tally, outcomeOf, type Measured } from './harness.js';
import { idxCases, inflatedReference } from './idx-mutations.js';
import { baseModels, modelCases } from './model-mutations.js';

const meters = new Map<string, AllocationMeter>();

async function meterFor(backend: BackendName | 'none'): Promise<AllocationMeter> {
  let meter = meters.get(backend);
  if (meter === undefined) {
    meter = new AllocationMeter(backend === 'wasm' ? (await loadBackend('wasm')) as WasmBackend : undefined);
    meters.set(backend, meter);
  }
  return meter;
}

function judge(tally: Tally, name: string, measured: Measured<unknown>, reference: number): void {
  const outcome = outcomeOf(measured);
  const bound = 4 * reference + FIXED_SLACK;
  const fits = measured.bytes <= bound && measured.rssBytes <= 4 * reference + RSS_SLACK;
  const ok = (outcome === 'loaded' || outcome.startsWith('FormatError')) && fits && measured.ms < CASE_MS;
  const why = fits ? (measured.ms < CASE_MS ? outcome : `${outcome} (took ${measured.ms.toFixed(0)} ms)`)
    : `${outcome} (allocated ${measured.bytes} bytes, peak RSS +${measured.rssBytes}, for ${reference} bytes of file)`;
  tally.record(name, ok ? outcome : why, ok, measured.ms, measured.bytes / bound);
}

/** `count` mutated model files loaded on `backend`; every tenth through a file on disk. */
export async function fuzzModels(backend: BackendName, count: number, seed: number): Promise<Tally> {
  const random = new Random(seed);
  const bases = await baseModels();
  const meter = await meterFor(backend);
  const dir = mkdtempSync(join(tmpdir(), 'mlpx-fuzz-'));
  const tally = new Tally();
  let index = 0;
  for (const { kind, bytes } of modelCases(random, bases, count)) {
    const path = join(dir, `case-${index}.mlpx`);
    const viaFile = index++ % 10 === 0;
    if (viaFile) writeFileSync(path, bytes);
    const measured = await meter.measure(async () => {
      const net = viaFile ? await Network.load(path, { backend }) : await Network.fromBuffer(bytes, { backend }, path);
      const outputs = net.predict(new Float32Array(net.inputs));
      if (outputs.length !== net.outputs) throw new Error(`predict returned ${outputs.length} values for ${net.outputs} outputs`);
      return net;
    });
    judge(tally, `${kind} #${index - 1} (seed ${seed})`, measured, bytes.length);
  }
  return tally;
}

/** `count` mutated IDX files (raw and gzip) read from disk, and the raw ones parsed from memory too. */
export async function fuzzIdx(count: number, seed: number): Promise<Tally> {
  const random = new Random(seed);
  const meter = await meterFor('none');
  const dir = mkdtempSync(join(tmpdir(), 'mlpx-fuzz-'));
  const tally = new Tally();
  let index = 0;
  for (const { kind, bytes } of idxCases(random, count)) {
    const path = join(dir, `case-${index++}`);
    writeFileSync(path, bytes);
    const reference = inflatedReference(bytes);
    const name = `${kind} #${index - 1} (seed ${seed})`;
    judge(tally, name, await meter.measure(() => readIdxFile(path)), reference);
    const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
    if (!gzip) judge(tally, `${name}, parsed in memory`, await meter.measure(async () => parseIdx(bytes, path)), reference);
  }
  return tally;
}
