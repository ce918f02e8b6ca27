// Messages between the optimisation page and its worker.

export interface SquaresConfig {
  hidden: number[];
  activation: 'tanh' | 'relu' | 'sigmoid' | 'leaky_relu';
  epochs: number;
  optimizer: 'sgd' | 'momentum' | 'rmsprop' | 'adam';
  lr: number;
  batchSize: number;
  /** anneal the learning rate by ½(1 + cos(π (epoch − ½) / epochs)) */
  cosine: boolean;
  /** random search: perturbation scale and guesses per epoch */
  scale: number;
  episodes: number;
}

export interface SquaresEpoch {
  epoch: number;
  /** cost over all samples after the epoch, as mlpx evaluates it */
  gdCost: number;
  rsCost: number;
  /** predictions at SQUARES_CURVE_X */
  gdCurve: Float32Array;
  rsCurve: Float32Array;
  /** random search: guesses kept this epoch */
  accepted: number;
}

/** Predictions at four probe points (x = 0.1, 0.5, −1, 0.01), after training. */
export interface SquaresResult {
  x: number[];
  gd: number[];
  rs: number[];
}

export interface OneParameterResult {
  /** w on a grid, the cost at each (b fixed) and its derivative by backpropagation */
  w: Float64Array;
  cost: Float64Array;
  slope: Float64Array;
  /** gradient descent's steps: where each starts, its cost and slope there */
  steps: { w: number; cost: number; slope: number }[];
}

export interface SurfaceResult {
  wRange: [number, number];
  bRange: [number, number];
  side: number;
  /** cost at side × side points, row 0 at the largest b */
  cost: Float64Array;
}

export interface PathsConfig {
  start: [number, number];
  steps: number;
  sgd: { lr: number };
  momentum: { lr: number; momentum: number };
  adam: { lr: number };
  armijo: { sigma: number; alpha: number; initialStep: number };
}

export interface Path {
  name: 'sgd' | 'momentum' | 'adam' | 'armijo';
  /** (w, b) after 0, 1, 2, … steps */
  points: [number, number][];
  /** cost at each point */
  costs: number[];
}

/** One Armijo iteration: every trial step t = initialStep·α^l along −∇f, with its cost. */
export interface ArmijoIteration {
  from: [number, number];
  cost: number;
  gradientNorm: number;
  trials: { t: number; point: [number, number]; cost: number; accepted: boolean }[];
  /** the accepted step (0: none satisfied the condition) */
  stepSize: number;
  /** the Armijo bound the accepted trial met: f(x) − σ t ‖∇f‖² */
  bound: number;
}

export interface PathsResult {
  paths: Path[];
  armijo: ArmijoIteration[];
  converged: boolean;
}

export type WorkerEvent =
  | { type: 'squares-epoch'; report: SquaresEpoch }
  | { type: 'squares-done'; result: SquaresResult | null; reason: string | null };

export interface OptimiseApi {
  [method: string]: (arg: never) => unknown;
  backend(): Promise<import('../shared/backend-info.js').BackendReport>;
  /** start x² regression by gradient descent and random search ('squares-epoch' events, then 'squares-done') */
  squares(config: SquaresConfig): Promise<void>;
  stopSquares(): Promise<void>;
  oneParameter(arg: { bias: number; start: number; lr: number; steps: number }): Promise<OneParameterResult>;
  surface(arg: { wRange: [number, number]; bRange: [number, number]; side: number }): Promise<SurfaceResult>;
  paths(config: PathsConfig): Promise<PathsResult>;
  /** rest this long after every ~25 ms of training (the page's frames run late; see shared/frames.ts) */
  setRest(ms: number): void;
}

/** Where the fitted curves are drawn: 201 points on [−1, 1]. */
export const SQUARES_CURVE_X = Float32Array.from({ length: 201 }, (_, i) => -1 + i / 100);
/** Probe points for x², and a plain gradient-descent baseline's answers there (≈ 0.03, 0.23, 0.03, 0.03). */
export const PROBE_X = [0.1, 0.5, -1, 0.01];
