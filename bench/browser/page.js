// The browser benchmark's page: the digits network (784-128-10, ReLU, softmax with
// cross-entropy, Adam, batch 128) trained for whole epochs over the same rows in the same order,
// from the same initial weights, by mlpx (wasm backend, its worker threads) and by TensorFlow.js
// (wasm backend, as many threads asked for) — one epoch of each per round, in rotating order;
// mlpx also on one thread, since tfjs's wasm backend reports a single thread here.
// Before timing, both compute the loss of the first batch from those weights, which must agree:
// the same network, not just the same shape. Then the 2-D playground's networks on mlpx's threads
// against one thread (small-networks.js). After every round, two probe workers run in-L1 GEMMs
// against one (wasm-work.js capabilityProbe, as bench/ab/wasm.ts does): about 2 when the round's
// threads had a core each, about 1 when the host ran its two vCPUs on one core. Publishes
// window.mlpxResult (or window.mlpxError).
import { Network, backendInfo, parseDigits } from 'mlpx';
import { countPoolTasks, taskRounds } from './pool-tasks.js';
import { timeSmallNetworks } from './small-networks.js';
import { pageCapabilityProbe } from './wasm-work.js';

const params = new URLSearchParams(location.search);
const ROUNDS = Number(params.get('rounds') ?? 5);
// The playground's networks train for ~0.2 s a timing and swung ±25% from round to round in
// Chromium (two modes, ~2.8M and ~3.7M samples/s for 2-4-2-2 on either thread count): their
// 2-thread ratios sit near 1, so they take three times the rounds.
const SMALL_NETWORK_ROUNDS = 3 * ROUNDS;
const ROWS = Number(params.get('rows') ?? 8000);
const BATCH = 128;
const LR = 0.001;
const HIDDEN = 128;

function log(text) {
  document.getElementById('log').textContent += `${text}\n`;
  console.log(text);
}

/** tfjs's version of the network, with mlpx's initial weights. */
function tfjsModel(net) {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: HIDDEN, activation: 'relu', inputShape: [784] }));
  model.add(tf.layers.dense({ units: 10 })); // logits: the softmax is in the loss
  [0, 1].forEach((l) => {
    const { weights, biases } = net.layerWeights(l);
    model.layers[l].setWeights([tf.tensor2d(weights, [l === 0 ? 784 : HIDDEN, l === 0 ? HIDDEN : 10]), tf.tensor1d(biases)]);
  });
  return model;
}

async function run() {
  const { train, test } = parseDigits(new Uint8Array(await (await fetch('/digits.bin')).arrayBuffer()));
  const rows = Math.min(ROWS, train.rows);
  const x = train.x.subarray(0, rows * 784);
  const labels = train.labels.subarray(0, rows);
  const batches = Math.ceil(rows / BATCH);

  const options = { inputs: 784, layers: [{ units: HIDDEN, activation: 'relu' }, { units: 10, activation: 'softmax' }], loss: 'cross_entropy', seed: 1, backend: 'wasm' };
  const net = await Network.create(options);
  // the same network (same seed), trained on one thread: mlpx's results do not depend on the thread count
  const single = await Network.create(options);
  const mlpxDetails = net.backend.details();

  // as many threads as mlpx uses (tfjs's own default here would be half the logical cores)
  tf.wasm.setThreadsCount(navigator.hardwareConcurrency);
  await tf.setBackend('wasm');
  await tf.ready();
  const tfThreads = tf.wasm.getThreadsCount();
  const model = tfjsModel(net);
  const optimizer = tf.train.adam(LR);
  const oneHot = (from, count) => tf.oneHot(tf.tensor1d(labels.subarray(from, from + count), 'int32'), 10).toFloat();
  const tfBatches = Array.from({ length: batches }, (_, b) => {
    const from = b * BATCH;
    const count = Math.min(BATCH, rows - from);
    return { x: tf.tensor2d(x.subarray(from * 784, (from + count) * 784), [count, 784]), y: oneHot(from, count) };
  });
  const lossOf = (batch) => () => tf.losses.softmaxCrossEntropy(batch.y, model.apply(batch.x));

  // the same network: the loss of the first batch from the shared initial weights
  const mlpxFirst = net.evaluate(x.subarray(0, BATCH * 784), labels.subarray(0, BATCH)).loss;
  const tfFirst = tf.tidy(() => lossOf(tfBatches[0])().dataSync()[0]);
  log(`first batch loss: mlpx ${mlpxFirst.toFixed(6)}, tfjs ${tfFirst.toFixed(6)}`);
  if (Math.abs(mlpxFirst - tfFirst) > 1e-4 * Math.max(1, Math.abs(tfFirst))) throw new Error(`the networks differ: first-batch loss ${mlpxFirst} (mlpx) vs ${tfFirst} (tfjs)`);

  const threads = mlpxDetails.threads;
  // switching the thread count restarts the pool's workers; a one-row fit of another network
  // waits until they run, so that start-up is not timed
  const waiter = await Network.create({ inputs: 1, layers: [{ units: 1, activation: 'linear' }], loss: 'mse', backend: 'wasm' });
  const workersReady = () => waiter.fit(Float32Array.of(0), Float32Array.of(0), { epochs: 1 });
  const mlpxEpoch = async (network, count) => {
    network.backend.setThreads(count);
    await workersReady();
    const tasksSince = countPoolTasks(network.backend);
    const started = performance.now();
    const history = await network.fit(x, labels, { epochs: 1, batchSize: BATCH, shuffle: false, optimizer: { type: 'adam', lr: LR } });
    return { seconds: (performance.now() - started) / 1000, loss: history.epochs[0].loss, tasks: tasksSince() };
  };
  const tfjsEpoch = async () => {
    const started = performance.now();
    let sum = 0;
    for (const batch of tfBatches) {
      const loss = optimizer.minimize(lossOf(batch), true);
      // read every batch's loss, as mlpx reports every batch's: it also makes the step finish
      sum += loss.dataSync()[0] * batch.x.shape[0];
      loss.dispose();
    }
    return { seconds: (performance.now() - started) / 1000, loss: sum / rows };
  };

  const cores = pageCapabilityProbe(await WebAssembly.compile(await (await fetch('/mlpx/dist/wasm/mlpx.wasm')).arrayBuffer()));

  // warm-up: one epoch each (compilation, thread start-up, tfjs kernels' first calls)
  await mlpxEpoch(net, threads);
  await mlpxEpoch(single, 1);
  await tfjsEpoch();
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    const names = ['mlpx', 'mlpx1', 'tfjs'];
    const round = {};
    for (let k = 0; k < names.length; k++) {
      const name = names[(r + k) % names.length];
      round[name] = name === 'tfjs' ? await tfjsEpoch() : name === 'mlpx' ? await mlpxEpoch(net, threads) : await mlpxEpoch(single, 1);
    }
    round.probe = await cores.probe();
    rounds.push(round);
    if (Math.abs(round.mlpx.loss - round.mlpx1.loss) > 1e-6 * round.mlpx.loss) throw new Error(`round ${r + 1}: mlpx's loss on ${threads} threads (${round.mlpx.loss}) differs from one thread's (${round.mlpx1.loss})`);
    log(`round ${r + 1}: mlpx ${(rows / round.mlpx.seconds).toFixed(0)} samples/s (loss ${round.mlpx.loss.toFixed(4)}), mlpx 1 thread ${(rows / round.mlpx1.seconds).toFixed(0)}, tfjs ${(rows / round.tfjs.seconds).toFixed(0)} samples/s (loss ${round.tfjs.loss.toFixed(4)}); probe 2/1 ${round.probe.toFixed(2)}`);
  }

  net.backend.setThreads(threads);
  await workersReady();
  // the backend's notes (threads running, kernels) as the timed contender ran, before the small
  // networks below switch its thread count
  const mlpxWasm = (await backendInfo()).find((b) => b.name === 'wasm');
  const mlpxAccuracy = net.evaluate(test.x, test.labels).accuracy;
  const tfAccuracy = tf.tidy(() => {
    const predicted = model.predict(tf.tensor2d(test.x, [test.rows, 784])).argMax(1).dataSync();
    let correct = 0;
    for (let i = 0; i < test.rows; i++) if (predicted[i] === test.labels[i]) correct++;
    return correct / test.rows;
  });
  const smallNetworks = await timeSmallNetworks(threads, SMALL_NETWORK_ROUNDS, workersReady, cores.probe, log);
  cores.stop();
  window.mlpxResult = {
    userAgent: navigator.userAgent, crossOriginIsolated, hardwareConcurrency: navigator.hardwareConcurrency,
    rows, batch: BATCH, lr: LR, epochsEach: ROUNDS + 1, firstBatchLoss: { mlpx: mlpxFirst, tfjs: tfFirst }, probes: rounds.map((r) => r.probe),
    mlpx: {
      threads, kernelPath: mlpxDetails.kernelPath, notes: mlpxWasm.details.notes, seconds: rounds.map((r) => r.mlpx.seconds), losses: rounds.map((r) => r.mlpx.loss), testAccuracy: mlpxAccuracy,
      ...taskRounds(rounds.map((r) => r.mlpx.tasks)),
    },
    mlpxOneThread: { threads: 1, seconds: rounds.map((r) => r.mlpx1.seconds), losses: rounds.map((r) => r.mlpx1.loss), testAccuracy: single.evaluate(test.x, test.labels).accuracy },
    smallNetworks,
    tfjs: { threads: tfThreads, requestedThreads: navigator.hardwareConcurrency, simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'), multithread: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'), seconds: rounds.map((r) => r.tfjs.seconds), losses: rounds.map((r) => r.tfjs.loss), testAccuracy: tfAccuracy },
  };
}

run().catch((error) => {
  window.mlpxError = String(error?.stack ?? error);
  console.error(window.mlpxError);
});
