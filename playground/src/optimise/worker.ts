// The optimisation page's worker: every cost, slope and step on the page is computed here by
// mlpx — x² fitted by gradient descent and by random search; a linear model y = w x + b on
// x = 0..9, y = sin x, whose cost mlpx evaluates over w (one parameter) and over (w, b) (two),
// with the steps its optimizers take from one start.
import { gradientCheck, Network, squaresData, type OptimizerOptions } from 'mlpx';
import { describeBackend } from '../shared/backend-info.js';
import { serveApi } from '../shared/rpc.js';
import { restBetweenRounds, restIfDue, setRest } from '../shared/worker-rest.js';
import {
  PROBE_X, SQUARES_CURVE_X,
  type ArmijoIteration, type OptimiseApi, type Path, type PathsConfig, type PathsResult, type SquaresConfig, type WorkerEvent,
} from './protocol.js';

// the one-parameter and two-parameter problems: x = 0..9, y = sin(x)
const LINE_X = Float32Array.from({ length: 10 }, (_, i) => i);
const LINE_Y = LINE_X.map(Math.sin);

/** y = w x + b as an mlpx network: one input, one linear unit; its parameters are [w, b]. */
const linearModel = () => Network.create({ inputs: 1, layers: [{ units: 1, activation: 'linear' }], loss: 'mse' });
let probe: Network | null = null;

/** mlpx's cost of the linear model at (w, b). */
function costAt(net: Network, w: number, b: number): number {
  net.setWeights(Float32Array.of(w, b));
  return net.evaluate(LINE_X, LINE_Y).loss;
}

let squaresJob: Promise<void> | null = null;
let stopSquares = false;

const emit = serveApi<WorkerEvent>({
  async backend() {
    probe ??= await linearModel();
    return describeBackend(probe);
  },
  async squares(config: SquaresConfig) {
    await haltSquares();
    stopSquares = false;
    squaresJob = runSquares(config).then(
      (result) => emit({ type: 'squares-done', result, reason: null }),
      (error: unknown) => emit({ type: 'squares-done', result: null, reason: error instanceof Error ? error.message : String(error) }),
    );
  },
  async stopSquares() {
    await haltSquares();
  },
  async oneParameter({ bias, start, lr, steps }: { bias: number; start: number; lr: number; steps: number }) {
    const net = (probe ??= await linearModel());
    const w = Float64Array.from({ length: 161 }, (_, i) => -1 + i / 80);
    const cost = new Float64Array(w.length);
    const slope = new Float64Array(w.length);
    w.forEach((wi, i) => {
      cost[i] = costAt(net, wi, bias);
      slope[i] = gradientCheck(net, LINE_X, LINE_Y).analytic[0]!;
    });
    // gradient descent on w alone: each step is one full-batch SGD update by mlpx, after which
    // b is put back (the update moves it too)
    const walker = await linearModel();
    walker.setWeights(Float32Array.of(start, bias));
    const trail: { w: number; cost: number; slope: number }[] = [];
    for (let k = 0; k <= steps; k++) {
      const here = walker.getWeights()[0]!;
      trail.push({ w: here, cost: walker.evaluate(LINE_X, LINE_Y).loss, slope: gradientCheck(walker, LINE_X, LINE_Y).analytic[0]! });
      if (k === steps || !Number.isFinite(here) || Math.abs(here) > 1e6) break;
      await walker.fit(LINE_X, LINE_Y, { epochs: 1, batchSize: LINE_X.length, shuffle: false, optimizer: { type: 'sgd', lr } });
      walker.setWeights(Float32Array.of(walker.getWeights()[0]!, bias));
    }
    return { w, cost, slope, steps: trail };
  },
  async surface({ wRange, bRange, side }: { wRange: [number, number]; bRange: [number, number]; side: number }) {
    const net = (probe ??= await linearModel());
    const cost = new Float64Array(side * side);
    for (let row = 0; row < side; row++) {
      const b = bRange[1] - ((row + 0.5) / side) * (bRange[1] - bRange[0]);
      for (let col = 0; col < side; col++) cost[row * side + col] = costAt(net, wRange[0] + ((col + 0.5) / side) * (wRange[1] - wRange[0]), b);
    }
    return { wRange, bRange, side, cost };
  },
  async paths(config: PathsConfig) {
    return optimizerPaths(config);
  },
  setRest(ms: number) {
    setRest(ms);
  },
} satisfies OptimiseApi);

async function haltSquares(): Promise<void> {
  stopSquares = true;
  await squaresJob;
  squaresJob = null;
}

/** x² on [−1, 1] by gradient descent and by random search, one epoch of each in turn. */
async function runSquares(config: SquaresConfig) {
  const data = squaresData(1000, 1);
  const layers = [...config.hidden.map((units) => ({ units, activation: config.activation })), { units: 1, activation: 'linear' as const }];
  const gd = await Network.create({ inputs: 1, layers, loss: 'mse', seed: 1 });
  const rs = await Network.create({ inputs: 1, layers, loss: 'mse', seed: 1 });
  const y = data.y as Float32Array;
  for (let epoch = 1; epoch <= config.epochs && !stopSquares; epoch++) {
    // one fit call per epoch (to draw between them): the cosine schedule is given this epoch's rate
    const rate = config.cosine ? config.lr * 0.5 * (1 + Math.cos((Math.PI * (epoch - 0.5)) / config.epochs)) : config.lr;
    await gd.fit(data.x, y, { epochs: 1, batchSize: config.batchSize, optimizer: { type: config.optimizer, lr: rate }, onBatchEnd: restIfDue });
    const history = await rs.fit(data.x, y, { epochs: 1, optimizer: { type: 'random', scale: config.scale, episodes: config.episodes } });
    const gdCurve = gd.predict(SQUARES_CURVE_X);
    const rsCurve = rs.predict(SQUARES_CURVE_X);
    emit({
      type: 'squares-epoch',
      report: { epoch, gdCost: gd.evaluate(data.x, y).loss, rsCost: rs.evaluate(data.x, y).loss, gdCurve, rsCurve, accepted: history.epochs[0]?.accepted ?? 0 },
    }, [gdCurve.buffer, rsCurve.buffer]);
    await restBetweenRounds();
  }
  const probes = Float32Array.from(PROBE_X);
  return { x: PROBE_X, gd: Array.from(gd.predict(probes)), rs: Array.from(rs.predict(probes)) };
}

/** The same start, full batch, `steps` updates of each optimizer; Armijo with each trial step. */
async function optimizerPaths(config: PathsConfig): Promise<PathsResult> {
  const rows = LINE_X.length;
  const evaluator = (probe ??= await linearModel());
  const run = async (name: Path['name'], optimizer: OptimizerOptions) => {
    const net = await linearModel();
    net.setWeights(Float32Array.from(config.start));
    const points: [number, number][] = [[config.start[0], config.start[1]]];
    const history = await net.fit(LINE_X, LINE_Y, {
      epochs: config.steps, batchSize: rows, shuffle: false, optimizer,
      onEpochEnd: () => {
        const [w, b] = net.getWeights();
        points.push([w!, b!]);
      },
    });
    const costs = points.map(([w, b]) => costAt(evaluator, w, b));
    return { path: { name, points, costs }, history };
  };
  const paths: Path[] = [];
  paths.push((await run('sgd', { type: 'sgd', lr: config.sgd.lr })).path);
  paths.push((await run('momentum', { type: 'momentum', lr: config.momentum.lr, momentum: config.momentum.momentum })).path);
  paths.push((await run('adam', { type: 'adam', lr: config.adam.lr })).path);
  const { sigma, alpha, initialStep } = config.armijo;
  const armijoRun = await run('armijo', { type: 'armijo', sigma, alpha, initialStep });
  paths.push(armijoRun.path);
  return { paths, armijo: armijoTrials(armijoRun.path, armijoRun.history.epochs, config.armijo, evaluator), converged: armijoRun.history.converged };
}

/**
 * Each Armijo iteration's trial steps. mlpx's record of an iteration gives the accepted step t,
 * the evaluations (the gradient, then one per trial) and ‖∇f‖; the step taken is x' = x − t ∇f,
 * so ∇f = (x − x') / t, and trial l was x − initialStep·α^l ∇f. Each trial's cost is mlpx's
 * evaluation there. An iteration that accepted no step (t = 0) moved nowhere: its trials are not drawn.
 */
function armijoTrials(
  path: Path, records: { stepSize?: number; evaluations?: number; gradientNorm?: number }[],
  options: PathsConfig['armijo'], evaluator: Network,
): ArmijoIteration[] {
  return records.map((record, k) => {
    const from = path.points[k]!;
    const to = path.points[k + 1]!;
    const t = record.stepSize ?? 0;
    const gradientNorm = record.gradientNorm ?? 0;
    const cost = path.costs[k]!;
    const iteration: ArmijoIteration = { from, cost, gradientNorm, trials: [], stepSize: t, bound: cost - options.sigma * t * gradientNorm ** 2 };
    if (t === 0) return iteration;
    const gradient = [(from[0] - to[0]) / t, (from[1] - to[1]) / t];
    const trials = (record.evaluations ?? 1) - 1;
    for (let l = 0; l < trials; l++) {
      const step = options.initialStep * options.alpha ** l;
      const point: [number, number] = [from[0] - step * gradient[0]!, from[1] - step * gradient[1]!];
      const accepted = l === trials - 1;
      iteration.trials.push({ t: step, point: accepted ? to : point, cost: accepted ? path.costs[k + 1]! : costAt(evaluator, point[0], point[1]), accepted });
    }
    return iteration;
  });
}
