// The optimisation page: x² by gradient descent and random search, the one-parameter cost curve
// with gradient descent's steps, and the two-parameter loss surface with four optimizers' paths.
import '../shared/style.css';
import { lineChart } from '../shared/chart.js';
import { light, SERIES_COLORS } from '../shared/colors.js';
import { fitCanvas, paintGrid } from '../shared/heatmap.js';
import { watchFrames } from '../shared/frames.js';
import { element, numberInput, setRunning, showBackend, showError } from '../shared/page.js';
import { WorkerLink } from '../shared/rpc.js';
import { contourSegments, logLevels } from './contours.js';
import {
  SQUARES_CURVE_X,
  type ArmijoIteration, type OneParameterResult, type OptimiseApi, type PathsResult, type SquaresResult, type SurfaceResult, type WorkerEvent,
} from './protocol.js';

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const link = new WorkerLink<OptimiseApi, WorkerEvent>(worker, onEvent, (message) => showError(`The worker failed: ${message}`));

// ---- x² ----

const squares = { epoch: [] as number[], gd: [] as number[], rs: [] as number[] };
let squaresRunning = false;
const fitChart = lineChart(element('sq-fit-chart'), {
  xLabel: 'x', yLabel: 'prediction', height: 260,
  series: [{ label: 'x²', color: '#888', dash: [5, 4] }, { label: 'gradient descent', color: SERIES_COLORS[0] }, { label: 'random search', color: SERIES_COLORS[1] }],
});
const costChart = lineChart(element('sq-cost-chart'), {
  xLabel: 'epoch', yLabel: 'cost (mean squared error)', logY: true, height: 260,
  series: [{ label: 'gradient descent', color: SERIES_COLORS[0] }, { label: 'random search', color: SERIES_COLORS[1] }],
});
const target = Array.from(SQUARES_CURVE_X, (x) => x * x);
fitChart.set(SQUARES_CURVE_X, [target, [], []]);

function onEvent(event: WorkerEvent): void {
  if (event.type === 'squares-epoch') {
    const r = event.report;
    squares.epoch.push(r.epoch); squares.gd.push(r.gdCost); squares.rs.push(r.rsCost);
    fitChart.set(SQUARES_CURVE_X, [target, r.gdCurve, r.rsCurve]);
    costChart.set(squares.epoch, [squares.gd, squares.rs]);
    const summary = element('sq-summary');
    summary.textContent = `Epoch ${r.epoch}: cost ${r.gdCost.toExponential(2)} by gradient descent, ${r.rsCost.toExponential(2)} by random search (${r.accepted} of its guesses kept this epoch).`;
    Object.assign(summary.dataset, { epoch: String(r.epoch), gd: String(r.gdCost), rs: String(r.rsCost) });
  } else {
    setSquaresRunning(false);
    if (event.reason !== null) element('sq-summary').textContent = `Stopped: ${event.reason}`;
    if (event.result !== null) showProbes(event.result);
  }
}

function showProbes(result: SquaresResult): void {
  const table = element<HTMLTableElement>('sq-probes');
  const row = (name: string, values: number[]) => `<tr><th scope="row">${name}</th>${values.map((v) => `<td>${v.toFixed(4)}</td>`).join('')}</tr>`;
  table.innerHTML = `${table.querySelector('caption')!.outerHTML}<thead><tr><th scope="col">x</th>${result.x.map((x) => `<th scope="col">${x}</th>`).join('')}</tr></thead><tbody>` +
    row('x²', result.x.map((x) => x * x)) + row('gradient descent', result.gd) + row('random search', result.rs) + '</tbody>';
  table.hidden = false;
}

function setSquaresRunning(on: boolean): void {
  squaresRunning = on;
  setRunning('sq-run', on, { idle: 'Run', running: 'Stop' });
}

async function toggleSquares(): Promise<void> {
  if (squaresRunning) {
    await link.call('stopSquares');
    return;
  }
  try {
    const hidden = element<HTMLInputElement>('sq-hidden').value.split(',').map((u) => Number(u.trim()));
    if (!hidden.every((u) => Number.isInteger(u) && u >= 1 && u <= 1024)) throw new Error('Hidden units: whole numbers separated by commas, e.g. 16,16');
    const config = {
      hidden, activation: element<HTMLSelectElement>('sq-activation').value as 'tanh', epochs: Math.round(numberInput('sq-epochs', 1, 2000)),
      optimizer: element<HTMLSelectElement>('sq-optimizer').value as 'adam', lr: numberInput('sq-lr', 1e-7, 10), batchSize: Math.round(numberInput('sq-batch', 1, 1000)),
      cosine: element<HTMLInputElement>('sq-cosine').checked,
      scale: numberInput('sq-scale', 1e-7, 10), episodes: Math.round(numberInput('sq-episodes', 1, 1000)),
    };
    for (const series of Object.values(squares)) series.length = 0;
    element<HTMLTableElement>('sq-probes').hidden = true;
    setSquaresRunning(true);
    element('sq-summary').textContent = 'Training both…';
    await link.call('squares', config);
  } catch (error) {
    setSquaresRunning(false);
    element('sq-summary').textContent = (error as Error).message;
  }
}

// ---- one parameter ----

const oneChart = lineChart(element('one-chart'), {
  xLabel: 'w', yLabel: 'cost C(w)', y2Label: 'slope dC/dw', height: 280,
  series: [
    { label: 'cost', color: SERIES_COLORS[0], spanGaps: true },
    { label: 'slope', color: '#999', dash: [5, 4], spanGaps: true, secondAxis: true },
    { label: 'gradient descent steps', color: SERIES_COLORS[1], pointsOnly: true },
  ],
});

function showOneParameter(result: OneParameterResult): void {
  // one x axis for the grid and the steps: each series has values only at its own x
  const entries: { w: number; cost: number | null; slope: number | null; step: number | null }[] = [];
  result.w.forEach((w, i) => entries.push({ w, cost: result.cost[i]!, slope: result.slope[i]!, step: null }));
  for (const s of result.steps) if (Number.isFinite(s.w) && Math.abs(s.w) < 1e3) entries.push({ w: s.w, cost: null, slope: null, step: s.cost });
  entries.sort((a, b) => a.w - b.w);
  oneChart.set(entries.map((e) => e.w), [entries.map((e) => e.cost), entries.map((e) => e.slope), entries.map((e) => e.step)]);
  const table = element<HTMLTableElement>('one-steps-table');
  table.innerHTML = '<caption>Gradient descent\'s steps (all computed by mlpx)</caption><thead><tr><th scope="col">step</th><th scope="col">w</th><th scope="col">cost C(w)</th><th scope="col">slope dC/dw</th></tr></thead><tbody>' +
    result.steps.map((s, k) => `<tr><td>${k}</td><td>${s.w.toFixed(5)}</td><td>${s.cost.toPrecision(5)}</td><td>${s.slope.toPrecision(5)}</td></tr>`).join('') + '</tbody>';
}

async function runOneParameter(): Promise<void> {
  try {
    showOneParameter(await link.call('oneParameter', {
      bias: numberInput('one-bias', -100, 100), start: numberInput('one-start', -1, 1), lr: numberInput('one-lr', 0, 1), steps: Math.round(numberInput('one-steps', 1, 200)),
    }));
  } catch (error) {
    showError((error as Error).message);
  }
}

// ---- two parameters ----

const W_RANGE: [number, number] = [-0.5, 1];
const B_RANGE: [number, number] = [-1.5, 3];
const SIDE = 90;
const PATH_COLORS = { sgd: '#d62728', momentum: '#9467bd', adam: '#2ca02c', armijo: '#111111' } as const;
const PATH_NAMES = { sgd: 'SGD', momentum: 'momentum', adam: 'Adam', armijo: 'Armijo' } as const;
let surface: SurfaceResult | null = null;
let paths: PathsResult | null = null;
const pathCostChart = lineChart(element('s-cost-chart'), {
  xLabel: 'step', yLabel: 'cost', logY: true, height: 220,
  series: (['sgd', 'momentum', 'adam', 'armijo'] as const).map((name) => ({ label: PATH_NAMES[name], color: PATH_COLORS[name] })),
});
const lineSearchChart = lineChart(element('s-line-chart'), {
  xLabel: 'trial step t', yLabel: 'cost', logX: true, logY: true, height: 220,
  series: [
    { label: 'C(x − t∇C) at the trials', color: '#d62728', pointsOnly: true },
    { label: 'Armijo bound C(x) − σ t ‖∇C‖²', color: '#111', dash: [5, 4] },
  ],
});

const toCanvas = (size: number, w: number, b: number) => ({
  x: ((w - W_RANGE[0]) / (W_RANGE[1] - W_RANGE[0])) * size,
  y: ((B_RANGE[1] - b) / (B_RANGE[1] - B_RANGE[0])) * size,
});

function drawSurface(): void {
  const canvas = element<HTMLCanvasElement>('surface');
  const { width: size } = fitCanvas(canvas);
  const ctx = canvas.getContext('2d')!;
  ctx.clearRect(0, 0, size, size);
  if (surface === null) return;
  const { cost, side } = surface;
  const levels = logLevels(cost, 14);
  const low = Math.log(levels[0]!), high = Math.log(levels.at(-1)!);
  paintGrid(ctx, cost, { width: side, height: side }, { x: 0, y: 0, w: size, h: size }, light, (c) => (Math.log(c) - low) / (high - low));
  ctx.strokeStyle = 'rgba(40, 60, 90, 0.45)';
  ctx.lineWidth = 1;
  const cell = size / side;
  for (const level of levels) {
    const segments = contourSegments(cost, side, level);
    ctx.beginPath();
    for (let i = 0; i < segments.length; i += 4) {
      ctx.moveTo((segments[i]! + 0.5) * cell, (segments[i + 1]! + 0.5) * cell);
      ctx.lineTo((segments[i + 2]! + 0.5) * cell, (segments[i + 3]! + 0.5) * cell);
    }
    ctx.stroke();
  }
  drawAxes(ctx, size);
  if (paths === null) return;
  const selected = paths.armijo[selectedIteration()];
  if (selected !== undefined) drawTrials(ctx, size, selected);
  for (const path of paths.paths) {
    ctx.strokeStyle = PATH_COLORS[path.name];
    ctx.fillStyle = PATH_COLORS[path.name];
    ctx.lineWidth = 1.8;
    ctx.beginPath();
    path.points.forEach(([w, b], k) => {
      const p = toCanvas(size, w, b);
      if (k === 0) ctx.moveTo(p.x, p.y);
      else ctx.lineTo(p.x, p.y);
    });
    ctx.stroke();
    for (const [w, b] of path.points) {
      const p = toCanvas(size, w, b);
      ctx.fillRect(p.x - 1.5, p.y - 1.5, 3, 3);
    }
  }
  const start = paths.paths[0]!.points[0]!;
  const s = toCanvas(size, start[0], start[1]);
  ctx.strokeStyle = '#000';
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.arc(s.x, s.y, 6, 0, 2 * Math.PI);
  ctx.stroke();
}

/** The chosen Armijo iteration: its start ringed, the ray along −∇C, rejected trials as red rings. */
function drawTrials(ctx: CanvasRenderingContext2D, size: number, iteration: ArmijoIteration): void {
  const from = toCanvas(size, iteration.from[0], iteration.from[1]);
  ctx.strokeStyle = '#d62728';
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.arc(from.x, from.y, 5, 0, 2 * Math.PI);
  ctx.stroke();
  if (iteration.trials.length < 2) return;
  const far = toCanvas(size, iteration.trials[0]!.point[0], iteration.trials[0]!.point[1]);
  ctx.save();
  ctx.setLineDash([3, 3]);
  ctx.strokeStyle = 'rgba(214, 39, 40, 0.5)';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(from.x, from.y);
  ctx.lineTo(far.x, far.y);
  ctx.stroke();
  ctx.restore();
  ctx.strokeStyle = '#d62728';
  ctx.lineWidth = 1.5;
  for (const trial of iteration.trials) {
    if (trial.accepted) continue;
    const p = toCanvas(size, trial.point[0], trial.point[1]);
    ctx.beginPath();
    ctx.arc(p.x, p.y, 3.5, 0, 2 * Math.PI);
    ctx.stroke();
  }
}

function drawAxes(ctx: CanvasRenderingContext2D, size: number): void {
  ctx.fillStyle = '#333';
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'center';
  for (const w of [-0.5, 0, 0.5, 1]) ctx.fillText(`w ${w}`, Math.min(size - 18, Math.max(18, toCanvas(size, w, 0).x)), size - 4);
  ctx.textAlign = 'left';
  for (const b of [-1, 0, 1, 2, 3]) ctx.fillText(`b ${b}`, 3, Math.max(11, toCanvas(size, 0, b).y + 4));
}

function showPaths(result: PathsResult): void {
  paths = result;
  const longest = Math.max(...result.paths.map((p) => p.costs.length));
  const steps = Array.from({ length: longest }, (_, k) => k);
  pathCostChart.set(steps, result.paths.map((p) => steps.map((k) => p.costs[k] ?? null)));
  element('surface-legend').innerHTML = result.paths.map((p) =>
    `<span style="--swatch:${PATH_COLORS[p.name]}">${PATH_NAMES[p.name]}: cost ${p.costs.at(-1)!.toPrecision(4)} after ${p.costs.length - 1} steps</span>`).join('') +
    '<span style="--swatch:#d62728">the chosen Armijo iteration: its start, its ray along −∇C and its rejected trial steps (rings; the accepted one is the next point of the path)</span>';
  const armijoCosts = result.paths.find((p) => p.name === 'armijo')!.costs;
  element('surface-legend').dataset['armijoCosts'] = JSON.stringify(armijoCosts);
  element<HTMLInputElement>('s-iteration').max = String(result.armijo.length);
  renderArmijoTable(result.armijo, result.converged);
  showIteration();
}

function renderArmijoTable(iterations: ArmijoIteration[], converged: boolean): void {
  const rows = iterations.map((it, k) => {
    const trials = it.trials.map((t) => `t=${t.t.toPrecision(3)}: ${t.cost.toPrecision(4)}${t.accepted ? ' ✓' : ''}`).join('; ');
    return `<tr><td>${k + 1}</td><td>${it.cost.toPrecision(5)}</td><td>${it.gradientNorm.toPrecision(4)}</td><td style="text-align:left">${trials || 'no step satisfied the condition'}</td><td>${it.stepSize.toPrecision(3)}</td></tr>`;
  }).join('');
  element('armijo-table').innerHTML = `<caption>${iterations.length} iterations${converged ? ', stopped: ‖∇C‖ below the tolerance' : ''}</caption>` +
    '<thead><tr><th scope="col">iteration</th><th scope="col">cost before</th><th scope="col">‖∇C‖</th><th scope="col">trials: t and the cost there (✓ accepted)</th><th scope="col">step taken</th></tr></thead>' +
    `<tbody>${rows}</tbody>`;
}

/** The Armijo iteration chosen in the input, 0-based. */
function selectedIteration(): number {
  const count = paths?.armijo.length ?? 1;
  return Math.max(1, Math.min(count, Math.round(Number(element<HTMLInputElement>('s-iteration').value) || 1))) - 1;
}

function showIteration(): void {
  if (paths === null) return;
  const index = selectedIteration();
  drawSurface();
  const it = paths.armijo[index];
  if (it === undefined) return;
  const trials = [...it.trials].sort((a, b) => a.t - b.t);
  const sigma = numberInput('s-sigma', 0, 1);
  lineSearchChart.set(trials.map((t) => t.t), [trials.map((t) => t.cost), trials.map((t) => it.cost - sigma * t.t * it.gradientNorm ** 2)]);
  const accepted = it.trials.find((t) => t.accepted);
  element('s-iteration-summary').textContent = accepted === undefined
    ? `Iteration ${index + 1}: no trial lowered the cost enough; the weights stay.`
    : `Iteration ${index + 1}: from cost ${it.cost.toPrecision(5)}, ${it.trials.length} trial step(s); t = ${accepted.t.toPrecision(3)} accepted, cost ${accepted.cost.toPrecision(5)} ≤ bound ${it.bound.toPrecision(5)}.`;
}

async function runPaths(): Promise<void> {
  try {
    const result = await link.call('paths', {
      start: [numberInput('s-w', -100, 100), numberInput('s-b', -100, 100)], steps: Math.round(numberInput('s-steps', 1, 2000)),
      sgd: { lr: numberInput('s-sgd', 1e-9, 100) }, momentum: { lr: numberInput('s-momentum', 1e-9, 100), momentum: numberInput('s-gamma', 0, 0.999) },
      adam: { lr: numberInput('s-adam', 1e-9, 100) },
      armijo: { sigma: numberInput('s-sigma', 1e-9, 0.999), alpha: numberInput('s-alpha', 0.01, 0.99), initialStep: numberInput('s-t0', 1e-9, 1e6) },
    });
    showPaths(result);
  } catch (error) {
    showError((error as Error).message);
  }
}

// ---- wiring ----

watchFrames(() => squaresRunning, (ms) => void link.call('setRest', ms));
element('sq-run').addEventListener('click', () => void toggleSquares());
element('one-run').addEventListener('click', () => void runOneParameter());
element('s-run').addEventListener('click', () => void runPaths());
element('s-iteration').addEventListener('input', showIteration);
const surfaceCanvas = element<HTMLCanvasElement>('surface');
surfaceCanvas.addEventListener('click', (event) => {
  const rect = surfaceCanvas.getBoundingClientRect();
  element<HTMLInputElement>('s-w').value = (W_RANGE[0] + ((event.clientX - rect.left) / rect.width) * (W_RANGE[1] - W_RANGE[0])).toFixed(3);
  element<HTMLInputElement>('s-b').value = (B_RANGE[1] - ((event.clientY - rect.top) / rect.height) * (B_RANGE[1] - B_RANGE[0])).toFixed(3);
  void runPaths();
});
new ResizeObserver(drawSurface).observe(surfaceCanvas);

try {
  showBackend(await link.call('backend'));
  surface = await link.call('surface', { wRange: W_RANGE, bRange: B_RANGE, side: SIDE });
  drawSurface();
  await runOneParameter();
  await runPaths();
} catch (error) {
  showError((error as Error).message);
}
