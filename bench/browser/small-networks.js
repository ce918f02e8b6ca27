// The 2-D playground's networks, timed in the benchmark page: mlpx's wasm backend on its worker
// threads against one thread, on mlpx's two spirals. A step of these networks takes microseconds,
// so most of their work is too small to split; two threads must then run as fast as one, never
// slower. Each timing is a `fit` of whole epochs (shuffled, as the playground trains) long enough
// to take TIMING_SECONDS on one thread.
import { Network, spiralsData } from 'mlpx';
import { countPoolTasks, taskRounds } from './pool-tasks.js';

/**
 * The playground's default network and training rows (its xor page: 500 points, half for
 * training), the largest network it builds (six layers of 16), and 32-32.
 */
export const SMALL_NETWORKS = [
  { name: 'playground default', hidden: [[4, 'tanh'], [2, 'tanh']], rows: 250, batch: 10, lr: 0.03 },
  { name: 'spirals 32-32', hidden: [[32, 'relu'], [32, 'relu']], rows: 1000, batch: 32, lr: 0.01 },
  { name: 'playground largest, batch 10', hidden: Array(6).fill([16, 'tanh']), rows: 1800, batch: 10, lr: 0.03 },
  { name: 'playground largest, batch 1000', hidden: Array(6).fill([16, 'tanh']), rows: 1800, batch: 1000, lr: 0.03 },
];

const TIMING_SECONDS = 0.2;

/**
 * Times every network of SMALL_NETWORKS on `threads` threads and on one, `rounds` rounds in
 * alternating order; `ready` waits until the workers setThreads asked for run, and `probeCores`
 * (after each round) resolves with two probe workers' throughput over one's. Both networks start
 * from the same weights and train on the same shuffles, so their losses must agree.
 */
export async function timeSmallNetworks(threads, rounds, ready, probeCores, log) {
  const results = [];
  for (const spec of SMALL_NETWORKS) {
    const { x, y: labels } = spiralsData(spec.rows / 2);
    const options = {
      inputs: 2, layers: [...spec.hidden.map(([units, activation]) => ({ units, activation })), { units: 2, activation: 'softmax' }],
      loss: 'cross_entropy', seed: 1, backend: 'wasm',
    };
    const networks = { many: await Network.create(options), one: await Network.create(options) };
    const fit = async (which, epochs) => {
      networks[which].backend.setThreads(which === 'one' ? 1 : threads);
      await ready();
      const tasksSince = countPoolTasks(networks[which].backend);
      const started = performance.now();
      const history = await networks[which].fit(x, labels, { epochs, batchSize: spec.batch, optimizer: { type: 'adam', lr: spec.lr } });
      return { seconds: (performance.now() - started) / 1000, loss: history.epochs.at(-1).loss, tasks: tasksSince() };
    };
    // warm-up, and the epochs one thread trains in TIMING_SECONDS: timed from fits of at least
    // a quarter of that (a network's first epochs ran several times slower than its later ones)
    let probeEpochs = 1;
    let probe;
    do {
      probeEpochs *= 2;
      await fit('many', probeEpochs);
      probe = await fit('one', probeEpochs);
    } while (probe.seconds < TIMING_SECONDS / 4);
    const epochs = Math.max(1, Math.round((TIMING_SECONDS / probe.seconds) * probeEpochs));
    const many = [];
    const one = [];
    const probes = [];
    const tasks = [];
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? ['many', 'one'] : ['one', 'many'];
      const round = {};
      for (const which of order) round[which] = await fit(which, epochs);
      if (round.many.loss !== round.one.loss) throw new Error(`${spec.name}, round ${r + 1}: the loss on ${threads} threads (${round.many.loss}) differs from one thread's (${round.one.loss})`);
      many.push(round.many.seconds);
      tasks.push(round.many.tasks);
      one.push(round.one.seconds);
      probes.push(await probeCores());
    }
    const rate = (s) => ((spec.rows * epochs) / s).toFixed(0);
    log(`${spec.name}: ${threads} threads ${many.map(rate).join(', ')} samples/s; 1 thread ${one.map(rate).join(', ')}; probes 2/1 ${probes.map((p) => p.toFixed(2)).join(', ')}`);
    const sizes = [2, ...spec.hidden.map(([units]) => units), 2].join('-');
    results.push({
      name: spec.name, network: `${sizes} ${spec.hidden[0][1]}`, rows: spec.rows, batch: spec.batch, lr: spec.lr, epochs, threads, seconds: many, secondsOneThread: one, probes,
      ...taskRounds(tasks),
    });
  }
  return results;
}
