// The digits page: data and network controls, live charts of what the worker reports, the
// drawing pad, the first layer's weights, the confusion matrix and the two experiments.
import '../shared/style.css';
import { renderBars } from '../shared/bars.js';
import { lineChart } from '../shared/chart.js';
import { watchFrames } from '../shared/frames.js';
import { element, formatCount, numberInput, setRunning, showBackend, showError, showRate } from '../shared/page.js';
import { WorkerLink } from '../shared/rpc.js';
import { DrawPad } from './draw-pad.js';
import type { DigitsApi, Inspection, ModelSummary, NoiseReport, ShuffleEpoch, WorkerEvent } from './protocol.js';
import { drawDigit, drawWeightImages, renderConfusion } from './views.js';

const DIGITS = Array.from({ length: 10 }, (_, d) => String(d));
const percent = (v: number) => `${(v * 100).toFixed(1)}%`;

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const link = new WorkerLink<DigitsApi, WorkerEvent>(worker, onEvent, (message) => showError(`The training worker failed: ${message}`));
let training = false;
let shuffling = false;
let epochsShown = 0;
let lastWeights: { weights: Float32Array; units: number } | null = null;

// x is the epoch (fractional for batches); each series has values where it was measured
const progress = { x: [] as number[], batchLoss: [] as (number | null)[], batchAccuracy: [] as (number | null)[], trainLoss: [] as (number | null)[], testLoss: [] as (number | null)[], testAccuracy: [] as (number | null)[] };
const lossChart = lineChart(element('loss-chart'), {
  xLabel: 'epoch', yLabel: 'loss', logY: true, height: 200,
  series: [
    { label: 'batch loss', color: '#9ecae1', width: 1 },
    { label: 'training loss (epoch)', color: '#0877bd', spanGaps: true, markers: true },
    { label: 'test loss', color: '#f59322', spanGaps: true, markers: true },
  ],
});
const accuracyChart = lineChart(element('accuracy-chart'), {
  xLabel: 'epoch', yLabel: 'accuracy', height: 180,
  series: [{ label: 'batch accuracy', color: '#9ecae1', width: 1 }, { label: 'test accuracy', color: '#f59322', spanGaps: true, markers: true }],
});
const shuffleRuns = { epoch: [] as number[], trueLoss: [] as number[], shuffledLoss: [] as number[], trueAccuracy: [] as number[], shuffledAccuracy: [] as number[], trueTest: [] as number[], shuffledTest: [] as number[] };
const shuffleCost = lineChart(element('shuffle-cost-chart'), {
  xLabel: 'epoch', yLabel: 'training cost', logY: true, height: 200,
  series: [{ label: 'true labels', color: '#0877bd' }, { label: 'shuffled labels', color: '#f59322' }],
});
const shuffleAccuracy = lineChart(element('shuffle-accuracy-chart'), {
  xLabel: 'epoch', yLabel: 'accuracy', height: 200, yRange: [0, 1],
  series: [
    { label: 'true: training', color: '#0877bd' }, { label: 'true: test', color: '#0877bd', dash: [6, 4] },
    { label: 'shuffled: training', color: '#f59322' }, { label: 'shuffled: test', color: '#f59322', dash: [6, 4] },
  ],
});

function onEvent(event: WorkerEvent): void {
  switch (event.type) {
    case 'batch': {
      const r = event.report;
      pushProgress(r.epoch - 1 + r.batch / r.batches, { batchLoss: r.loss, batchAccuracy: r.accuracy });
      showRate(r.samplesPerSecond, 'samples/s');
      element('train-status').textContent = `Epoch ${r.epoch}: batch ${r.batch.toLocaleString('en-US')} of ${r.batches.toLocaleString('en-US')}`;
      break;
    }
    case 'epoch': {
      const r = event.report;
      epochsShown = r.epoch;
      pushProgress(r.epoch, { trainLoss: r.loss, testLoss: r.testLoss, testAccuracy: r.testAccuracy });
      element('epoch').textContent = String(r.epoch);
      element('train-loss').textContent = r.loss.toPrecision(4);
      showRate(r.samplesPerSecond, 'samples/s');
      showInspection(r);
      element('train-status').textContent = `Epoch ${r.epoch}: ${r.seconds.toFixed(1)} s, ${formatCount(r.samplesPerSecond)} samples/s`;
      break;
    }
    case 'trained':
      setTraining(false);
      if (event.reason !== null) element('train-status').textContent = `Training stopped: ${event.reason}`;
      break;
    case 'shuffle-epoch':
      addShuffleEpoch(event.report);
      break;
    case 'shuffle-done':
      setShuffling(false);
      if (event.reason !== null) element('shuffle-summary').textContent = `Stopped: ${event.reason}`;
      break;
  }
}

function pushProgress(x: number, values: Partial<Record<Exclude<keyof typeof progress, 'x'>, number>>): void {
  progress.x.push(x);
  for (const key of ['batchLoss', 'batchAccuracy', 'trainLoss', 'testLoss', 'testAccuracy'] as const) progress[key].push(values[key] ?? null);
  lossChart.set(progress.x, [progress.batchLoss, progress.trainLoss, progress.testLoss]);
  accuracyChart.set(progress.x, [progress.batchAccuracy, progress.testAccuracy]);
}

function clearProgress(): void {
  for (const series of Object.values(progress)) series.length = 0;
  lossChart.set([], [[], [], []]);
  accuracyChart.set([], [[], []]);
  epochsShown = 0;
  element('epoch').textContent = '0';
  element('train-loss').textContent = '–';
}

function showInspection(inspection: Inspection): void {
  const accuracy = element('test-accuracy');
  accuracy.textContent = percent(inspection.testAccuracy);
  accuracy.dataset['value'] = String(inspection.testAccuracy);
  element('test-loss').textContent = inspection.testLoss.toPrecision(4);
  renderConfusion(element('confusion'), inspection.confusion);
  lastWeights = { weights: inspection.firstLayer, units: inspection.firstUnits };
  drawWeightImages(element('weights'), inspection.firstLayer, inspection.firstUnits);
  requestPrediction();
}

function showModel(summary: ModelSummary): void {
  showBackend(summary.backend);
  element('model-summary').textContent = `Now: ${summary.description}, ${summary.parameters.toLocaleString('en-US')} parameters.`;
}

// ---- data and network ----

async function useShippedDigits(): Promise<void> {
  element('data-summary').textContent = 'loading the digits…';
  const response = await fetch(new URL('data/digits.gz', document.baseURI));
  if (!response.ok) throw new Error(`could not load the digits (HTTP ${response.status})`);
  const bytes = await response.arrayBuffer();
  showData(await link.call('useDigits', bytes, [bytes]));
}

async function useIdxFiles(files: FileList): Promise<void> {
  element('data-summary').textContent = `reading ${files.length} file(s)…`;
  const read = await Promise.all([...files].map(async (file) => ({ name: file.name, bytes: await file.arrayBuffer() })));
  try {
    showData(await link.call('useIdxFiles', read, read.map((f) => f.bytes)));
  } catch (error) {
    element('data-summary').textContent = `These files cannot be used: ${(error as Error).message}`;
  }
}

function showData(summary: { source: string; trainRows: number; testRows: number }): void {
  const out = element('data-summary');
  out.textContent = `${summary.trainRows.toLocaleString('en-US')} training and ${summary.testRows.toLocaleString('en-US')} test images: ${summary.source}.`;
  Object.assign(out.dataset, { train: String(summary.trainRows), test: String(summary.testRows) });
  if (!training) void inspectNetwork();
}

function hiddenUnits(): number[] | null {
  const text = element<HTMLInputElement>('hidden').value.trim();
  if (text === '' || text === 'none') return [];
  const units = text.split(',').map((part) => Number(part.trim()));
  return units.every((u) => Number.isInteger(u) && u >= 1 && u <= 4096) ? units : null;
}

async function newNetwork(): Promise<void> {
  const hidden = hiddenUnits();
  if (hidden === null || hidden.length === 0) {
    element('model-summary').textContent = 'Give the hidden layers as whole numbers of units, e.g. 128 or 64,32 (the first layer is drawn as images, so at least one).';
    return;
  }
  showModel(await link.call('createModel', { hidden, activation: element<HTMLSelectElement>('activation').value as 'relu', seed: 1 }));
  clearProgress();
  await inspectNetwork(true);
}

/** Show the network on the test rows; after a new or loaded network, as the charts' epoch 0. */
async function inspectNetwork(asEpochZero = false): Promise<void> {
  try {
    const inspection = await link.call('inspect');
    showInspection(inspection);
    if (asEpochZero) pushProgress(0, { testLoss: inspection.testLoss, testAccuracy: inspection.testAccuracy });
  } catch {
    // no network or no data yet: shown once both exist
  }
}

// ---- training ----

function setTraining(on: boolean): void {
  training = on;
  setRunning('train', on, { idle: 'Train', running: 'Stop' });
  // a network being trained is read (predictions) but not saved or replaced until it stops
  for (const id of ['new-network', 'load', 'idx-files', 'save']) element<HTMLButtonElement>(id).disabled = on;
  if (!on) element('rate').textContent = '';
}

async function toggleTraining(): Promise<void> {
  if (training) {
    element('train-status').textContent = 'Stopping after this epoch…';
    await link.call('stop');
    return;
  }
  try {
    const config = {
      epochs: Math.round(numberInput('epochs', 1, 1000)), batchSize: Math.round(numberInput('batch', 1, 4096)),
      optimizer: element<HTMLSelectElement>('optimizer').value as 'adam', lr: numberInput('lr', 1e-6, 10),
    };
    if (shuffling) setShuffling(false);
    setTraining(true);
    element('train-status').textContent = `Training from epoch ${epochsShown + 1}…`;
    await link.call('train', config);
  } catch (error) {
    setTraining(false);
    element('train-status').textContent = (error as Error).message;
  }
}

// ---- drawing ----

let predictionPending = false;
let predictionWanted = false;
const pad = new DrawPad(element('pad'), requestPrediction);
let shownLabel: number | null = null;

function requestPrediction(): void {
  predictionWanted = true;
  if (predictionPending) return;
  predictionPending = true;
  requestAnimationFrame(() => void predict());
}

async function predict(): Promise<void> {
  predictionWanted = false;
  const input = pad.input();
  drawDigit(element('seen'), input);
  const output = element('prediction');
  try {
    if (input === null) {
      output.textContent = 'draw a digit';
      delete output.dataset['digit'];
      renderBars(element('probabilities'), DIGITS, new Float32Array(10), { max: 1, format: percent });
      return;
    }
    const probabilities = await link.call('predict', input);
    let best = 0;
    for (let d = 1; d < 10; d++) if (probabilities[d]! > probabilities[best]!) best = d;
    output.textContent = `${best} (${percent(probabilities[best]!)})${shownLabel === null ? '' : `; the test image is labelled ${shownLabel}`}`;
    output.dataset['digit'] = String(best);
    renderBars(element('probabilities'), DIGITS, probabilities, { max: 1, format: percent, highlight: best });
  } catch {
    output.textContent = 'no network yet';
  } finally {
    predictionPending = false;
    if (predictionWanted) requestPrediction();
  }
}

// ---- noise and shuffled labels ----

let noiseSeed = 1;

function showNoise(report: NoiseReport): void {
  const summary = element('noise-summary');
  summary.textContent = `${report.count.toLocaleString('en-US')} noise images: on average the network gives its answer ${percent(report.meanConfidence)} probability.`;
  summary.dataset['mean'] = String(report.meanConfidence);
  renderBars(element('noise-predicted'), DIGITS, report.predicted, { format: (n) => n.toLocaleString('en-US'), max: report.count });
  const bins = Array.from({ length: 10 }, (_, b) => `${b * 10}–${b * 10 + 10}%`);
  renderBars(element('noise-confidence'), bins, report.confidence, { format: (n) => n.toLocaleString('en-US'), max: report.count });
  drawDigit(element('noise-sample'), report.sample);
  let best = 0;
  for (let d = 1; d < 10; d++) if (report.sampleProbabilities[d]! > report.sampleProbabilities[best]!) best = d;
  renderBars(element('noise-sample-probabilities'), DIGITS, report.sampleProbabilities, { max: 1, format: percent, highlight: best });
}

function setShuffling(on: boolean): void {
  shuffling = on;
  setRunning('shuffle', on, { idle: 'Run', running: 'Stop' });
}

function addShuffleEpoch(r: ShuffleEpoch): void {
  const s = shuffleRuns;
  s.epoch.push(r.epoch); s.trueLoss.push(r.trueLoss); s.shuffledLoss.push(r.shuffledLoss);
  s.trueAccuracy.push(r.trueAccuracy); s.shuffledAccuracy.push(r.shuffledAccuracy); s.trueTest.push(r.trueTestAccuracy); s.shuffledTest.push(r.shuffledTestAccuracy);
  shuffleCost.set(s.epoch, [s.trueLoss, s.shuffledLoss]);
  shuffleAccuracy.set(s.epoch, [s.trueAccuracy, s.trueTest, s.shuffledAccuracy, s.shuffledTest]);
  const summary = element('shuffle-summary');
  summary.textContent = `Epoch ${r.epoch}: training cost ${r.trueLoss.toPrecision(3)} (true) vs ${r.shuffledLoss.toPrecision(3)} (shuffled); ` +
    `training accuracy ${percent(r.trueAccuracy)} vs ${percent(r.shuffledAccuracy)}; test accuracy ${percent(r.trueTestAccuracy)} vs ${percent(r.shuffledTestAccuracy)}.`;
  Object.assign(summary.dataset, { epoch: String(r.epoch), trueTest: String(r.trueTestAccuracy), shuffledTest: String(r.shuffledTestAccuracy), shuffledTrain: String(r.shuffledAccuracy) });
}

async function toggleShuffle(): Promise<void> {
  if (shuffling) {
    await link.call('stop');
    return;
  }
  try {
    const config = { rows: Math.round(numberInput('shuffle-rows', 100, 60000)), hidden: Math.round(numberInput('shuffle-hidden', 1, 1024)), epochs: Math.round(numberInput('shuffle-epochs', 1, 1000)), seed: 1 };
    for (const series of Object.values(shuffleRuns)) series.length = 0;
    if (training) setTraining(false);
    setShuffling(true);
    element('shuffle-summary').textContent = 'Training both networks…';
    await link.call('shuffleExperiment', config);
  } catch (error) {
    setShuffling(false);
    element('shuffle-summary').textContent = (error as Error).message;
  }
}

// ---- save and load ----

async function save(): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = await link.call('save');
  } catch (error) {
    element('save-status').textContent = `Cannot save: ${(error as Error).message}`;
    return;
  }
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
  const anchor = Object.assign(document.createElement('a'), { href: url, download: 'digits.mlpx' });
  anchor.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  element('save-status').textContent = `Saved ${bytes.length.toLocaleString('en-US')} bytes as digits.mlpx.`;
}

async function load(file: File): Promise<void> {
  const bytes = await file.arrayBuffer();
  try {
    const summary = await link.call('load', bytes, [bytes]);
    showModel(summary);
    clearProgress();
    await inspectNetwork(true);
    element('save-status').textContent = `Loaded ${file.name}: ${summary.description}; test accuracy ${element('test-accuracy').textContent}.`;
  } catch (error) {
    element('save-status').textContent = `${file.name} cannot be loaded: ${(error as Error).message}`;
  }
}

// ---- wiring ----

element('train').addEventListener('click', () => void toggleTraining());
element('new-network').addEventListener('click', () => void newNetwork());
element('clear').addEventListener('click', () => { shownLabel = null; pad.clear(); });
element('test-digit').addEventListener('click', async () => {
  try {
    const { pixels, label } = await link.call('testImage', Math.floor(Math.random() * 1e9));
    shownLabel = label;
    pad.show(pixels);
  } catch (error) {
    element('prediction').textContent = (error as Error).message;
  }
});
element('noise').addEventListener('click', async () => {
  try {
    showNoise(await link.call('noise', { count: Number(element<HTMLSelectElement>('noise-count').value), seed: noiseSeed++ }));
  } catch (error) {
    element('noise-summary').textContent = (error as Error).message;
  }
});
element('shuffle').addEventListener('click', () => void toggleShuffle());
element('save').addEventListener('click', () => void save());
element<HTMLInputElement>('load').addEventListener('change', (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (file !== undefined) void load(file);
});
for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="source"]')) {
  radio.addEventListener('change', () => {
    element('idx-picker').hidden = radio.value !== 'idx';
    if (radio.value === 'shipped') void useShippedDigits().catch((error: Error) => showError(error.message));
  });
}
element<HTMLInputElement>('idx-files').addEventListener('change', (event) => {
  const files = (event.target as HTMLInputElement).files;
  if (files !== null && files.length > 0) void useIdxFiles(files);
});
watchFrames(() => training || shuffling, (ms) => void link.call('setRest', ms));
new ResizeObserver(() => { if (lastWeights !== null) drawWeightImages(element('weights'), lastWeights.weights, lastWeights.units); }).observe(element('weights').parentElement!);

try {
  await useShippedDigits();
  await newNetwork();
} catch (error) {
  showError((error as Error).message);
}
