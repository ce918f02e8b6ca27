// The long fuzz run, outside the test suite: thousands of seeded model-file cases on every backend
// that loads, and thousands of IDX cases, with every outcome counted. Exits non-zero on any case
// that is neither a working load nor a FormatError within the time and allocation bounds.
//
//   npx tsx test/fuzz/large-run.ts [--models 4000] [--idx 4000] [--seed 1]
import { parseArgs } from 'node:util';
import '../../src/index.js';
import { backendInfo } from '../../src/backend/registry.js';
import { fuzzIdx, fuzzModels } from './run.js';
import type { Tally } from './harness.js';

const { values } = parseArgs({ options: { models: { type: 'string', default: '4000' }, idx: { type: 'string', default: '4000' }, seed: { type: 'string', default: '1' } } });
const seed = Number(values.seed);
const tallies: [string, Tally][] = [];
for (const status of await backendInfo()) {
  if (!status.available) {
    console.log(`${status.name} backend not fuzzed: ${status.reason}`);
    continue;
  }
  tallies.push([`model files, ${status.name} backend`, await fuzzModels(status.name, Number(values.models), seed)]);
}
tallies.push(['IDX files', await fuzzIdx(Number(values.idx), seed)]);
let failed = 0;
for (const [title, tally] of tallies) {
  console.log(`${tally.summary(`${title}, seed ${seed}`)}\n`);
  for (const failure of tally.failures) console.log(`  FAILED ${failure}`);
  failed += tally.failed;
}
process.exitCode = failed === 0 ? 0 : 1;
