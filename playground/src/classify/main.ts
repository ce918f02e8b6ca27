// The classification page: settings and controls, and drawing what the training worker sends.
import '../shared/style.css';
import { lineChart } from '../shared/chart.js';
import { CLASS_COLORS, diverging } from '../shared/colors.js';
import { fitCanvas, paintGrid } from '../shared/heatmap.js';
import { watchFrames } from '../shared/frames.js';
import { element, setRunning, showBackend, showError, showRate } from '../shared/page.js';
import { WorkerLink } from '../shared/rpc.js';
import { DATASETS, EXTENT, generate, split, type Points } from './datasets.js';
import { expand, FEATURES, gridPoints } from './features.js';
import { drawNetwork, networkHeight } from './network-view.js';
import type { ClassifyApi, DataConfig, Snapshot, WorkerEvent } from './protocol.js';
import { fromFragment, HIDDEN_ACTIVATIONS, MAX_LAYERS, MAX_UNITS, toFragment, type Settings } from './settings.js';

const GRID = 80;
const grid = gridPoints(GRID, EXTENT);
const settings: Settings = fromFragment(location.hash);
const custom = { xy: [] as number[], labels: [] as number[] };
let points: { train: Points; test: Points };
let latest: Snapshot | null = null;
let playing = false;
let drawPending = false;
const history = { epoch: [] as number[], train: [] as (number | null)[], test: [] as (number | null)[] };
let cursor = { x: 0, y: 0, visible: false };

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const link = new WorkerLink<ClassifyApi, WorkerEvent>(worker, onEvent, (message) => showError(`The training worker failed: ${message}`));
const chart = lineChart(element('loss-chart'), {
  xLabel: 'epoch', yLabel: 'loss', logY: true, height: 200,
  series: [{ label: 'training loss', color: '#0877bd' }, { label: 'test loss', color: '#f59322' }],
});

// ---- data and model ----

function makePoints(): { train: Points; test: Points } {
  if (settings.dataset === 'custom') {
    // every placed point trains; there is no test set to hold out
    const all = { xy: Float32Array.from(custom.xy), labels: Uint8Array.from(custom.labels), count: custom.labels.length };
    return { train: all, test: { xy: new Float32Array(0), labels: new Uint8Array(0), count: 0 } };
  }
  return split(generate(settings.dataset, settings.count, settings.noise, settings.dataSeed), settings.ratio, settings.dataSeed);
}

function dataConfig(): DataConfig {
  return { train: { xy: points.train.xy, labels: points.train.labels }, test: { xy: points.test.xy, labels: points.test.labels }, grid };
}

function trainingConfig() {
  return { optimizer: settings.optimizer, lr: settings.lr, batchSize: settings.batchSize, pace: settings.pace };
}

/** New network (architecture, loss, seed or data changed): history starts over. */
async function reconfigure(): Promise<void> {
  location.replace(toFragment(settings));
  points = makePoints();
  latest = null;
  history.epoch.length = history.train.length = history.test.length = 0;
  setMessage('');
  try {
    const report = await link.call('configure', { model: { features: settings.features, hidden: settings.hidden, loss: settings.loss, seed: settings.modelSeed }, data: dataConfig(), training: trainingConfig() });
    showBackend(report);
    if (playing) void link.call('play');
  } catch (error) {
    setPlaying(false);
    setMessage(`Could not build the network: ${(error as Error).message}`);
  }
}

async function updatePoints(): Promise<void> {
  points = makePoints();
  await link.call('setData', dataConfig());
}

function updateTraining(): void {
  location.replace(toFragment(settings));
  void link.call('setTraining', trainingConfig());
  element<HTMLInputElement>('batch').disabled = settings.optimizer === 'armijo';
  element<HTMLSelectElement>('lr').disabled = settings.optimizer === 'armijo';
}

// ---- events from the worker ----

function onEvent(event: WorkerEvent): void {
  if (event.type === 'stopped') {
    setPlaying(false);
    setMessage(event.reason === null ? '' : `Training stopped: ${event.reason}`);
    return;
  }
  latest = event.snapshot;
  const last = history.epoch.at(-1);
  if (last === undefined || latest.epoch > last) {
    history.epoch.push(latest.epoch);
    history.train.push(latest.trainLoss);
    history.test.push(latest.testLoss);
    if (history.epoch.length > 4000) for (const series of Object.values(history)) series.splice(0, series.length, ...series.filter((_, i) => i % 2 === 0));
  } else if (latest.epoch === 0) {
    history.epoch.splice(0, Infinity, 0);
    history.train.splice(0, Infinity, latest.trainLoss);
    history.test.splice(0, Infinity, latest.testLoss);
  }
  requestDraw();
}

function requestDraw(): void {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => {
    drawPending = false;
    draw();
    if (latest !== null) void link.call('ack');
  });
}

// ---- drawing ----

const percent = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)}%`);
const lossText = (v: number | null) => (v === null ? '–' : v.toPrecision(4));

function draw(): void {
  drawOutputMap();
  if (latest === null) return;
  element('epoch').textContent = latest.epoch.toLocaleString('en-US');
  element('train-loss').textContent = lossText(latest.trainLoss);
  element('test-loss').textContent = lossText(latest.testLoss);
  element('train-accuracy').textContent = percent(latest.trainAccuracy);
  element('test-accuracy').textContent = percent(latest.testAccuracy);
  Object.assign(element('test-accuracy').dataset, { value: String(latest.testAccuracy ?? '') });
  Object.assign(element('train-accuracy').dataset, { value: String(latest.trainAccuracy ?? '') });
  if (playing) showRate(latest.stepsPerSecond);
  element('armijo-step-box').hidden = latest.stepSize === undefined;
  if (latest.stepSize !== undefined) element('armijo-step').textContent = latest.stepSize === 0 ? 'none satisfied the condition' : latest.stepSize.toPrecision(3);
  chart.set(history.epoch, [history.train, history.test]);
  drawNetworkPicture(latest);
}

function drawNetworkPicture(snapshot: Snapshot): void {
  const canvas = element<HTMLCanvasElement>('network');
  const outputs = settings.loss === 'cross_entropy' ? 2 : 1;
  const sizes = [settings.features.length, ...settings.hidden.map((l) => l.units), outputs];
  canvas.style.height = `${networkHeight(sizes)}px`;
  const names = FEATURES.filter((f) => settings.features.includes(f.id)).map((f) => f.label);
  drawNetwork(canvas, {
    sizes, inputNames: names, gridSide: GRID, weights: snapshot.weights,
    activations: [...settings.hidden.map((l) => l.activation), outputs === 2 ? 'softmax' : 'sigmoid'],
    maps: [featureMaps, ...snapshot.hidden, snapshot.output],
  });
  canvas.setAttribute('aria-label', `The network: inputs ${names.join(', ')}; hidden layers ${settings.hidden.map((l) => `${l.units} ${l.activation}`).join(', ') || 'none'}; ${outputs} output unit${outputs > 1 ? 's' : ''}. ${snapshot.weights.length} parameters.`);
}

let featureMaps = expand(grid, settings.features);

const toCanvas = (size: number, x: number, y: number) => ({ px: ((x + EXTENT) / (2 * EXTENT)) * size, py: ((EXTENT - y) / (2 * EXTENT)) * size });

function drawOutputMap(): void {
  const canvas = element<HTMLCanvasElement>('output-map');
  const { width: size } = fitCanvas(canvas);
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#e8eaeb';
  ctx.fillRect(0, 0, size, size);
  if (latest !== null) {
    const outputs = settings.loss === 'cross_entropy' ? 2 : 1;
    const classesOnly = element<HTMLInputElement>('discretize').checked;
    paintGrid(ctx, latest.output, { width: GRID, height: GRID, offset: outputs - 1, stride: outputs }, { x: 0, y: 0, w: size, h: size }, diverging,
      classesOnly ? (p) => (p >= 0.5 ? 0.7 : -0.7) : (p) => 2 * p - 1, !classesOnly);
  }
  const dot = (set: Points, outline: string) => {
    for (let i = 0; i < set.count; i++) {
      const { px, py } = toCanvas(size, set.xy[2 * i]!, set.xy[2 * i + 1]!);
      ctx.beginPath();
      ctx.arc(px, py, 3.5, 0, 2 * Math.PI);
      ctx.fillStyle = CLASS_COLORS[set.labels[i]!]!;
      ctx.fill();
      ctx.strokeStyle = outline;
      ctx.lineWidth = 1;
      ctx.stroke();
    }
  };
  dot(points.train, '#fff');
  if (element<HTMLInputElement>('show-test').checked) dot(points.test, '#000');
  if (settings.dataset === 'custom' && cursor.visible) {
    const { px, py } = toCanvas(size, cursor.x, cursor.y);
    ctx.strokeStyle = '#000';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(px - 8, py); ctx.lineTo(px + 8, py); ctx.moveTo(px, py - 8); ctx.lineTo(px, py + 8);
    ctx.stroke();
  }
  // axes ticks: the plane is [−6, 6]²
  ctx.fillStyle = '#333';
  ctx.font = '10px system-ui, sans-serif';
  for (const v of [-EXTENT, 0, EXTENT]) {
    const { px } = toCanvas(size, v, 0);
    ctx.textAlign = v < 0 ? 'left' : v > 0 ? 'right' : 'center';
    ctx.fillText(String(v), px, size - 3);
  }
}

// ---- controls ----

function setPlaying(on: boolean): void {
  playing = on;
  setRunning('play', on, { idle: 'Train', running: 'Pause' });
  if (!on) element('rate').textContent = '';
}

function setMessage(text: string): void {
  element('training-message').textContent = text;
}

function buildDatasetChoices(): void {
  const box = element('datasets');
  for (const { name, label } of DATASETS) {
    const wrapper = document.createElement('label');
    const radio = Object.assign(document.createElement('input'), { type: 'radio', name: 'dataset', value: name, checked: settings.dataset === name });
    radio.addEventListener('change', () => {
      settings.dataset = name;
      element('custom-tools').hidden = name !== 'custom';
      void reconfigure();
    });
    wrapper.append(radio, ` ${label}`);
    box.append(wrapper);
  }
  element('custom-tools').hidden = settings.dataset !== 'custom';
}

function buildFeatureChoices(): void {
  const box = element('features');
  for (const feature of FEATURES) {
    const wrapper = document.createElement('label');
    const box_ = Object.assign(document.createElement('input'), { type: 'checkbox', value: feature.id, checked: settings.features.includes(feature.id) });
    box_.addEventListener('change', () => {
      const chosen = FEATURES.filter((f) => (f.id === feature.id ? box_.checked : settings.features.includes(f.id))).map((f) => f.id);
      if (chosen.length === 0) {
        box_.checked = true; // a network needs at least one input
        return;
      }
      settings.features = chosen;
      featureMaps = expand(grid, settings.features);
      void reconfigure();
    });
    wrapper.append(box_, ` ${feature.label}`);
    box.append(wrapper);
  }
}

function buildLayerRows(): void {
  const box = element('layers');
  box.replaceChildren();
  settings.hidden.forEach((layer, l) => {
    const row = document.createElement('div');
    row.className = 'layer-row';
    row.setAttribute('role', 'group');
    row.setAttribute('aria-label', `Hidden layer ${l + 1}`);
    const units = Object.assign(document.createElement('input'), { type: 'number', min: '1', max: String(MAX_UNITS), value: String(layer.units), id: `units-${l}` });
    units.addEventListener('change', () => {
      const value = Math.round(Number(units.value));
      if (!(value >= 1 && value <= MAX_UNITS)) {
        units.value = String(layer.units);
        return;
      }
      layer.units = value;
      void reconfigure();
    });
    const unitsLabel = Object.assign(document.createElement('label'), { htmlFor: units.id, textContent: `Layer ${l + 1}: units` });
    const activation = document.createElement('select');
    activation.id = `activation-${l}`;
    for (const name of HIDDEN_ACTIVATIONS) activation.append(new Option(name, name, false, name === layer.activation));
    activation.addEventListener('change', () => {
      layer.activation = activation.value as typeof layer.activation;
      void reconfigure();
    });
    const activationLabel = Object.assign(document.createElement('label'), { htmlFor: activation.id, textContent: 'activation' });
    const remove = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Remove' });
    remove.setAttribute('aria-label', `Remove hidden layer ${l + 1}`);
    remove.addEventListener('click', () => {
      settings.hidden.splice(l, 1);
      buildLayerRows();
      void reconfigure();
    });
    row.append(unitsLabel, units, activationLabel, activation, remove);
    box.append(row);
  });
  element<HTMLButtonElement>('add-layer').disabled = settings.hidden.length >= MAX_LAYERS;
}

function bindRange(id: string, read: (value: number) => void, show: (value: number) => string, initial: number, apply: () => void): void {
  const input = element<HTMLInputElement>(id);
  const out = element(`${id}-out`);
  input.value = String(initial);
  out.textContent = show(initial);
  input.addEventListener('input', () => { out.textContent = show(Number(input.value)); });
  input.addEventListener('change', () => {
    read(Number(input.value));
    apply();
  });
}

function addPoint(x: number, y: number, otherClass: boolean): void {
  const chosen = Number((document.querySelector('input[name="paint"]:checked') as HTMLInputElement).value);
  custom.xy.push(x, y);
  custom.labels.push(otherClass ? 1 - chosen : chosen);
  void updatePoints().then(requestDraw);
}

function bindControls(): void {
  element('play').addEventListener('click', () => {
    setPlaying(!playing);
    setMessage('');
    void link.call(playing ? 'play' : 'pause');
  });
  element('step').addEventListener('click', () => {
    setPlaying(false);
    setMessage('');
    void link.call('step');
  });
  element('reset').addEventListener('click', () => {
    settings.modelSeed++;
    void reconfigure();
  });
  element('regenerate').addEventListener('click', () => {
    settings.dataSeed++;
    void reconfigure();
  });
  element('add-layer').addEventListener('click', () => {
    settings.hidden.push({ units: 4, activation: settings.hidden.at(-1)?.activation ?? 'tanh' });
    buildLayerRows();
    void reconfigure();
  });
  const optimizer = element<HTMLSelectElement>('optimizer');
  optimizer.value = settings.optimizer;
  optimizer.addEventListener('change', () => { settings.optimizer = optimizer.value as Settings['optimizer']; updateTraining(); });
  const lr = element<HTMLSelectElement>('lr');
  if (![...lr.options].some((o) => Number(o.value) === settings.lr)) lr.append(new Option(String(settings.lr)));
  lr.value = [...lr.options].find((o) => Number(o.value) === settings.lr)!.value;
  lr.addEventListener('change', () => { settings.lr = Number(lr.value); updateTraining(); });
  const pace = element<HTMLSelectElement>('pace');
  pace.value = settings.pace;
  pace.addEventListener('change', () => { settings.pace = pace.value as Settings['pace']; updateTraining(); });
  const loss = element<HTMLSelectElement>('loss');
  loss.value = settings.loss;
  loss.addEventListener('change', () => { settings.loss = loss.value as Settings['loss']; void reconfigure(); });
  bindRange('batch', (v) => { settings.batchSize = v; }, String, settings.batchSize, updateTraining);
  bindRange('ratio', (v) => { settings.ratio = v / 100; }, (v) => `${v}%`, Math.round(settings.ratio * 100), () => void reconfigure());
  bindRange('noise', (v) => { settings.noise = v / 100; }, String, Math.round(settings.noise * 100), () => void reconfigure());
  bindRange('count', (v) => { settings.count = v; }, String, settings.count, () => void reconfigure());
  for (const id of ['show-test', 'discretize']) element(id).addEventListener('change', requestDraw);
  element('clear-points').addEventListener('click', () => {
    custom.xy.length = custom.labels.length = 0;
    void updatePoints().then(requestDraw);
  });

  const map = element<HTMLCanvasElement>('output-map');
  map.addEventListener('click', (event) => {
    if (settings.dataset !== 'custom') return;
    const rect = map.getBoundingClientRect();
    const x = ((event.clientX - rect.left) / rect.width) * 2 * EXTENT - EXTENT;
    const y = EXTENT - ((event.clientY - rect.top) / rect.height) * 2 * EXTENT;
    addPoint(x, y, event.shiftKey);
  });
  map.addEventListener('focus', () => { cursor.visible = true; requestDraw(); });
  map.addEventListener('blur', () => { cursor.visible = false; requestDraw(); });
  map.addEventListener('keydown', (event) => {
    if (settings.dataset !== 'custom') return;
    const moves: Record<string, [number, number]> = { ArrowLeft: [-0.25, 0], ArrowRight: [0.25, 0], ArrowUp: [0, 0.25], ArrowDown: [0, -0.25] };
    const move = moves[event.key];
    if (move !== undefined) {
      cursor = { x: Math.max(-EXTENT, Math.min(EXTENT, cursor.x + move[0])), y: Math.max(-EXTENT, Math.min(EXTENT, cursor.y + move[1])), visible: true };
      event.preventDefault();
      requestDraw();
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      addPoint(cursor.x, cursor.y, event.shiftKey);
    }
  });
  new ResizeObserver(requestDraw).observe(map);
}

watchFrames(() => playing, (ms) => void link.call('setRest', ms));
buildDatasetChoices();
buildFeatureChoices();
buildLayerRows();
bindControls();
updateTraining();
void reconfigure();
