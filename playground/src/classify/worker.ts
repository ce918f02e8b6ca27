// The classification page's training worker: it owns the mlpx network and trains it in rounds
// of whole epochs (about 30 ms each), and after a round sends the page everything it draws —
// losses and accuracies, the output and every hidden unit over the plane, the weights — unless
// the page has not drawn the previous round yet. The page's thread only draws, so it stays
// responsive however hard mlpx's threads work.
import { Network, type OptimizerOptions } from 'mlpx';
import { describeBackend } from '../shared/backend-info.js';
import { serveApi } from '../shared/rpc.js';
import { restBetweenRounds, setRest } from '../shared/worker-rest.js';
import { expand } from './features.js';
import { DEFAULTS } from './settings.js';
import type { ClassifyApi, DataConfig, ModelConfig, Snapshot, TrainingConfig, WorkerEvent } from './protocol.js';

const ROUND_MS = 30;

interface Tensors { trainX: Float32Array; trainY: Uint8Array; testX: Float32Array; testY: Uint8Array; gridX: Float32Array }

let net: Network | null = null;
/** per hidden layer, a network of the layers up to it: its predictions are the layer's outputs */
let probes: Network[] = [];
let model: ModelConfig;
/** the page sends its settings before anything trains; until then, the defaults */
let training: TrainingConfig = { optimizer: DEFAULTS.optimizer, lr: DEFAULTS.lr, batchSize: DEFAULTS.batchSize, pace: DEFAULTS.pace };
let tensors: Tensors;
let epoch = 0;
let steps = 0;
let lastStepSize: number | undefined;
let playing = false;
let loop: Promise<void> | null = null;
let pageHasDrawn = true;
/** resolves the wait for the page's next frame (pace 'frame') */
let onPageDrawn: (() => void) | null = null;
let epochsPerRound = 1;
let rateMark = { time: performance.now(), steps: 0 };
let stepsPerSecond = 0;

const emit = serveApi<WorkerEvent>({
  async configure({ model: m, data, training: t }: { model: ModelConfig; data: DataConfig; training: TrainingConfig }) {
    await stop();
    model = m;
    training = t;
    tensors = toTensors(data);
    const layers = [...m.hidden, m.loss === 'cross_entropy' ? { units: 2, activation: 'softmax' as const } : { units: 1, activation: 'sigmoid' as const }];
    const inputs = m.features.length;
    net = await Network.create({ inputs, layers, loss: m.loss, seed: m.seed });
    // the probes only ever predict: their loss is irrelevant, mse accepts any output layer
    probes = await Promise.all(m.hidden.map((_, l) => Network.create({ inputs, layers: m.hidden.slice(0, l + 1), loss: 'mse' })));
    epoch = 0;
    steps = 0;
    lastStepSize = undefined;
    epochsPerRound = 1;
    sendSnapshot();
    return describeBackend(net);
  },
  async setData(data: DataConfig) {
    const wasPlaying = playing;
    await stop();
    tensors = toTensors(data);
    sendSnapshot();
    if (wasPlaying) start();
  },
  setTraining(t: TrainingConfig) {
    if (t.optimizer !== training.optimizer) lastStepSize = undefined;
    training = t; // the next round trains with it
  },
  play() {
    start();
  },
  async pause() {
    await stop();
  },
  async step() {
    await stop();
    await trainRound(1).catch(reportStop);
    sendSnapshot();
  },
  ack() {
    pageHasDrawn = true;
    onPageDrawn?.();
  },
  setRest(ms: number) {
    setRest(ms);
  },
} satisfies ClassifyApi);

function toTensors(data: DataConfig): Tensors {
  return {
    trainX: expand(data.train.xy, model.features), trainY: data.train.labels,
    testX: expand(data.test.xy, model.features), testY: data.test.labels,
    gridX: expand(data.grid, model.features),
  };
}

function optimizer(): OptimizerOptions {
  return training.optimizer === 'armijo' ? { type: 'armijo' } : { type: training.optimizer, lr: training.lr };
}

async function trainRound(epochs: number): Promise<void> {
  if (net === null) return;
  const rows = tensors.trainY.length;
  if (rows === 0) throw new Error('there are no training points: add some, or give the training set a larger share');
  const history = await net.fit(tensors.trainX, tensors.trainY, {
    epochs, batchSize: training.batchSize, optimizer: optimizer(),
    onEpochEnd: (record) => { lastStepSize = record.stepSize; },
  });
  const done = history.epochs.length;
  epoch += done;
  steps += training.optimizer === 'armijo' ? done : done * Math.ceil(rows / Math.min(training.batchSize, rows));
  if (history.converged) throw new Error(`Armijo converged: ‖∇f‖ fell below the tolerance after ${epoch} iterations`);
}

function start(): void {
  if (playing || net === null) return;
  playing = true;
  rateMark = { time: performance.now(), steps };
  loop = (async () => {
    while (playing) {
      if (training.pace === 'frame') {
        epochsPerRound = 1;
        await pageDrawn();
        if (!playing) break;
      }
      const started = performance.now();
      try {
        await trainRound(epochsPerRound);
      } catch (error) {
        reportStop(error);
        break;
      }
      const msPerEpoch = (performance.now() - started) / epochsPerRound;
      epochsPerRound = Math.max(1, Math.min(1000, Math.round(ROUND_MS / Math.max(msPerEpoch, 0.01))));
      if (pageHasDrawn) sendSnapshot();
      await restBetweenRounds();
    }
  })();
}

function pageDrawn(): Promise<void> {
  if (pageHasDrawn) return Promise.resolve();
  return new Promise((resolve) => {
    onPageDrawn = () => {
      onPageDrawn = null;
      resolve();
    };
  });
}

async function stop(): Promise<void> {
  playing = false;
  onPageDrawn?.();
  await loop;
  loop = null;
}

function reportStop(error: unknown): void {
  playing = false;
  emit({ type: 'stopped', reason: error instanceof Error ? error.message : String(error) });
}

function sendSnapshot(): void {
  if (net === null) return;
  const now = performance.now();
  if (now - rateMark.time > 250) {
    stepsPerSecond = ((steps - rateMark.steps) * 1000) / (now - rateMark.time);
    rateMark = { time: now, steps };
  }
  const train = tensors.trainY.length > 0 ? net.evaluate(tensors.trainX, tensors.trainY) : null;
  const test = tensors.testY.length > 0 ? net.evaluate(tensors.testX, tensors.testY) : null;
  const output = net.predict(tensors.gridX);
  const weights = net.getWeights();
  const hidden = probes.map((probe) => {
    probe.setWeights(weights.subarray(0, probe.parameterCount).slice());
    return probe.predict(tensors.gridX);
  });
  const snapshot: Snapshot = {
    epoch, steps, stepsPerSecond,
    trainLoss: train?.loss ?? null, trainAccuracy: train?.accuracy ?? null,
    testLoss: test?.loss ?? null, testAccuracy: test?.accuracy ?? null,
    output, hidden, weights, stepSize: lastStepSize,
  };
  pageHasDrawn = false;
  emit({ type: 'snapshot', snapshot }, [output.buffer, weights.buffer, ...hidden.map((h) => h.buffer)]);
}
