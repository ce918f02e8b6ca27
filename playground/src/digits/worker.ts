// The digits page's worker: it holds the data and the mlpx network, trains in the background one
// epoch per fit call (so drawing predictions are answered between mlpx's chunks of batches and a
// stop takes effect at the next epoch), and runs the experiments: noise fed to the network, and
// the same network trained on true and on shuffled labels.
import { Network, Random, type LabelledImages } from 'mlpx';
import { describeBackend } from '../shared/backend-info.js';
import { serveApi } from '../shared/rpc.js';
import { restIfDue, setRest } from '../shared/worker-rest.js';
import { idxDigits, shippedDigits, type DigitsData } from './data.js';
import type { DigitsApi, EpochReport, Inspection, ModelConfig, ModelSummary, NoiseReport, ShuffleConfig, TrainConfig, WorkerEvent } from './protocol.js';

const PIXELS = 784;
const BATCH_EVENT_MS = 100;

let data: DigitsData | null = null;
let net: Network | null = null;
let epochsTrained = 0;
/** the background job (training or the shuffling experiment) and its stop flag */
let job: Promise<void> | null = null;
let stopRequested = false;

const emit = serveApi<WorkerEvent>({
  async useDigits(bytes: ArrayBuffer) {
    await stopJob();
    return summary((data = await shippedDigits(bytes)));
  },
  async useIdxFiles(files: { name: string; bytes: ArrayBuffer }[]) {
    await stopJob();
    return summary((data = await idxDigits(files)));
  },
  async createModel(config: ModelConfig) {
    await stopJob();
    net = await Network.create({
      inputs: PIXELS,
      layers: [...config.hidden.map((units) => ({ units, activation: config.activation })), { units: 10, activation: 'softmax' }],
      loss: 'cross_entropy', seed: config.seed,
    });
    epochsTrained = 0;
    return modelSummary(net);
  },
  async train(config: TrainConfig) {
    await stopJob();
    startJob(() => trainEpochs(config), 'trained');
  },
  async stop() {
    await stopJob();
  },
  predict(pixels: Float32Array) {
    return requireNet().predict(pixels);
  },
  testImage(index: number) {
    const test = requireData().test;
    const row = ((index % test.rows) + test.rows) % test.rows;
    return { pixels: test.x.slice(row * PIXELS, (row + 1) * PIXELS), label: test.labels[row]! };
  },
  noise({ count, seed }: { count: number; seed: number }) {
    return noiseReport(requireNet(), count, seed);
  },
  async shuffleExperiment(config: ShuffleConfig) {
    await stopJob();
    startJob(() => shuffleExperiment(config), 'shuffle-done');
  },
  save() {
    return requireNet().toBuffer();
  },
  setRest(ms: number) {
    setRest(ms);
  },
  async load(bytes: ArrayBuffer) {
    await stopJob();
    const loaded = await Network.fromBuffer(new Uint8Array(bytes), {}, 'the chosen file');
    if (loaded.inputs !== PIXELS || loaded.outputs !== 10) throw new Error(`the file holds a network of ${loaded.inputs} inputs and ${loaded.outputs} outputs; this page needs 784 inputs (28 × 28) and 10 outputs`);
    net = loaded;
    epochsTrained = 0;
    return modelSummary(net);
  },
  inspect() {
    return inspect(requireNet());
  },
} satisfies DigitsApi);

function requireNet(): Network {
  if (net === null) throw new Error('no network yet');
  return net;
}

function requireData(): DigitsData {
  if (data === null) throw new Error('no data loaded yet');
  return data;
}

function summary(d: DigitsData) {
  return { source: d.source, trainRows: d.train.rows, testRows: d.test.rows };
}

function modelSummary(n: Network): ModelSummary {
  const { inputs, layers, loss } = n.architecture;
  return {
    backend: describeBackend(n),
    description: [String(inputs), ...layers.map((l) => `${l.units} ${l.activation}`)].join(' → ') + ` · ${loss}`,
    parameters: n.parameterCount,
    firstUnits: layers[0]!.units,
    epochsTrained,
  };
}

function startJob(run: () => Promise<void>, done: 'trained' | 'shuffle-done'): void {
  stopRequested = false;
  job = run().then(
    () => emit({ type: done, reason: null }),
    (error: unknown) => emit({ type: done, reason: error instanceof Error ? error.message : String(error) }),
  );
}

async function stopJob(): Promise<void> {
  stopRequested = true;
  await job;
  job = null;
}

async function trainEpochs(config: TrainConfig): Promise<void> {
  const { train } = requireData();
  const network = requireNet();
  for (let e = 0; e < config.epochs && !stopRequested; e++) {
    const epoch = epochsTrained + 1;
    let lastEvent = 0;
    const history = await network.fit(train.x, train.labels, {
      epochs: 1, batchSize: config.batchSize, optimizer: { type: config.optimizer, lr: config.lr },
      onBatchEnd: (info) => {
        restIfDue();
        const now = performance.now();
        if (now - lastEvent < BATCH_EVENT_MS && info.batch < info.batches) return;
        lastEvent = now;
        emit({ type: 'batch', report: { epoch, batch: info.batch, batches: info.batches, loss: info.loss, accuracy: info.accuracy ?? 0, samplesPerSecond: info.samplesPerSecond } });
      },
    });
    epochsTrained = epoch;
    const record = history.epochs[0]!;
    const report: EpochReport = {
      epoch, loss: record.loss, accuracy: record.accuracy ?? 0, seconds: record.seconds, samplesPerSecond: record.samplesPerSecond, ...inspect(network),
    };
    emit({ type: 'epoch', report }, [report.confusion.buffer, report.firstLayer.buffer]);
  }
}

function inspect(network: Network): Inspection {
  const { test } = requireData();
  const evaluation = network.evaluate(test.x, test.labels);
  const firstLayer = network.layerWeights(0).weights;
  return {
    testLoss: evaluation.loss, testAccuracy: evaluation.accuracy ?? 0,
    confusion: confusionMatrix(network.predict(test.x), test.labels), firstLayer, firstUnits: firstLayer.length / PIXELS,
  };
}

function argmax(values: Float32Array, start: number, count: number): number {
  let best = 0;
  for (let j = 1; j < count; j++) if (values[start + j]! > values[start + best]!) best = j;
  return best;
}

function confusionMatrix(probabilities: Float32Array, labels: Uint8Array): Int32Array {
  const counts = new Int32Array(100);
  for (let r = 0; r < labels.length; r++) counts[labels[r]! * 10 + argmax(probabilities, r * 10, 10)]!++;
  return counts;
}

/** `count` images of uniform noise in [0, 1]: what does the network answer? */
function noiseReport(network: Network, count: number, seed: number): NoiseReport {
  const random = new Random(seed);
  const images = new Float32Array(count * PIXELS);
  for (let i = 0; i < images.length; i++) images[i] = random.next();
  const probabilities = network.predict(images);
  const predicted = new Int32Array(10);
  const confidence = new Int32Array(10);
  let sum = 0;
  for (let r = 0; r < count; r++) {
    const best = argmax(probabilities, r * 10, 10);
    const p = probabilities[r * 10 + best]!;
    predicted[best]!++;
    confidence[Math.min(9, Math.floor(p * 10))]!++;
    sum += p;
  }
  return {
    count, predicted, confidence, meanConfidence: sum / count,
    sample: images.slice(0, PIXELS), sampleProbabilities: probabilities.slice(0, 10),
  };
}

function firstRows(set: LabelledImages, rows: number): LabelledImages {
  const n = Math.min(rows, set.rows);
  return { x: set.x.subarray(0, n * PIXELS), labels: set.labels.subarray(0, n), rows: n, features: PIXELS };
}

/** The same network, seed and rows, trained once on the true labels and once on a shuffle of them. */
async function shuffleExperiment(config: ShuffleConfig): Promise<void> {
  const { train: all, test } = requireData();
  const train = firstRows(all, config.rows);
  const order = new Random(config.seed).shuffle(Uint32Array.from({ length: train.rows }, (_, i) => i));
  const shuffled = Uint8Array.from(order, (i) => train.labels[i]!);
  const create = () => Network.create({
    inputs: PIXELS, layers: [{ units: config.hidden, activation: 'relu' }, { units: 10, activation: 'softmax' }], loss: 'cross_entropy', seed: config.seed,
  });
  const truth = await create();
  const fake = await create();
  const options = { epochs: 1, batchSize: 32, optimizer: { type: 'adam' as const, lr: 0.003 }, onBatchEnd: restIfDue };
  for (let epoch = 1; epoch <= config.epochs && !stopRequested; epoch++) {
    const a = (await truth.fit(train.x, train.labels, options)).epochs[0]!;
    const b = (await fake.fit(train.x, shuffled, options)).epochs[0]!;
    emit({
      type: 'shuffle-epoch',
      report: {
        epoch, trueLoss: a.loss, shuffledLoss: b.loss, trueAccuracy: a.accuracy ?? 0, shuffledAccuracy: b.accuracy ?? 0,
        trueTestAccuracy: truth.evaluate(test.x, test.labels).accuracy ?? 0, shuffledTestAccuracy: fake.evaluate(test.x, test.labels).accuracy ?? 0,
      },
    });
  }
}
