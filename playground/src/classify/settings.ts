// The classification page's settings, and their form in the URL's fragment, so a configuration
// can be bookmarked or shared: #data=spirals&noise=10&features=x,y,sinx&layers=8:tanh,8:tanh&…
import type { ActivationName } from 'mlpx';
import { DATASETS, type DatasetName } from './datasets.js';
import { FEATURES, type FeatureId } from './features.js';
import type { LossChoice, OptimizerChoice } from './protocol.js';

export const HIDDEN_ACTIVATIONS: ActivationName[] = ['relu', 'leaky_relu', 'tanh', 'sigmoid', 'linear'];
export const MAX_LAYERS = 6;
export const MAX_UNITS = 16;

export interface Settings {
  dataset: DatasetName;
  /** 0 to 0.5 */
  noise: number;
  /** share of points used for training, 0.1 to 0.9 */
  ratio: number;
  count: number;
  dataSeed: number;
  features: FeatureId[];
  hidden: { units: number; activation: ActivationName }[];
  loss: LossChoice;
  modelSeed: number;
  optimizer: OptimizerChoice;
  lr: number;
  batchSize: number;
  pace: 'fast' | 'frame';
}

export const DEFAULTS: Settings = {
  dataset: 'xor', noise: 0, ratio: 0.5, count: 500, dataSeed: 1,
  features: ['x', 'y'], hidden: [{ units: 4, activation: 'tanh' }, { units: 2, activation: 'tanh' }],
  loss: 'cross_entropy', modelSeed: 1, optimizer: 'adam', lr: 0.03, batchSize: 10, pace: 'fast',
};

const LOSSES: LossChoice[] = ['cross_entropy', 'binary_cross_entropy', 'mse', 'half_sse', 'sse'];
const OPTIMIZERS: OptimizerChoice[] = ['sgd', 'momentum', 'rmsprop', 'adam', 'armijo'];

export function toFragment(s: Settings): string {
  const params = new URLSearchParams({
    data: s.dataset, noise: String(Math.round(s.noise * 100)), train: String(Math.round(s.ratio * 100)), points: String(s.count),
    dataSeed: String(s.dataSeed), features: s.features.join(','), layers: s.hidden.map((l) => `${l.units}:${l.activation}`).join(','),
    loss: s.loss, optimizer: s.optimizer, lr: String(s.lr), batch: String(s.batchSize), seed: String(s.modelSeed), pace: s.pace,
  });
  return `#${params.toString()}`;
}

/** Settings from a fragment; anything missing or invalid keeps its default. */
export function fromFragment(fragment: string): Settings {
  const params = new URLSearchParams(fragment.replace(/^#/, ''));
  const s: Settings = structuredClone(DEFAULTS);
  const number = (key: string, low: number, high: number): number | undefined => {
    const text = params.get(key);
    const value = text === null ? NaN : Number(text);
    return Number.isFinite(value) && value >= low && value <= high ? value : undefined;
  };
  const data = params.get('data');
  if (DATASETS.some((d) => d.name === data)) s.dataset = data as DatasetName;
  s.noise = (number('noise', 0, 50) ?? s.noise * 100) / 100;
  s.ratio = (number('train', 10, 90) ?? s.ratio * 100) / 100;
  s.count = Math.round(number('points', 10, 2000) ?? s.count);
  s.dataSeed = Math.round(number('dataSeed', 0, 2 ** 31) ?? s.dataSeed);
  const features = params.get('features')?.split(',').filter((f): f is FeatureId => FEATURES.some((known) => known.id === f));
  if (features !== undefined && features.length > 0) s.features = features;
  const layers = params.get('layers');
  if (layers !== null) {
    const parsed = layers === '' ? [] : layers.split(',').map((spec) => {
      const [units, activation] = spec.split(':');
      return { units: Number(units), activation: activation as ActivationName };
    });
    if (parsed.length <= MAX_LAYERS && parsed.every((l) => Number.isInteger(l.units) && l.units >= 1 && l.units <= MAX_UNITS && HIDDEN_ACTIVATIONS.includes(l.activation))) s.hidden = parsed;
  }
  const loss = params.get('loss');
  if (LOSSES.includes(loss as LossChoice)) s.loss = loss as LossChoice;
  const optimizer = params.get('optimizer');
  if (OPTIMIZERS.includes(optimizer as OptimizerChoice)) s.optimizer = optimizer as OptimizerChoice;
  s.lr = number('lr', 1e-6, 100) ?? s.lr;
  s.batchSize = Math.round(number('batch', 1, 1000) ?? s.batchSize);
  s.modelSeed = Math.round(number('seed', 0, 2 ** 31) ?? s.modelSeed);
  if (params.get('pace') === 'frame') s.pace = 'frame';
  return s;
}
