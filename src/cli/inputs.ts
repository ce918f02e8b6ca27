// The rows `mlpx predict` and `mlpx evaluate` run a saved model on: a CSV (its columns picked by
// the names the model was trained with), an MNIST-style folder's test split, or .npy arrays.
import { readCsvFile } from '../data/csv-file.js';
import { loadMnist } from '../data/idx-file.js';
import { readNpyFile } from '../data/npy-file.js';
import type { Network } from '../nn/network.js';
import { classCount } from '../nn/data-schema.js';
import { DataError, InvalidArgumentError } from '../util/errors.js';

export interface InputOptions {
  csv?: string;
  data?: string;
  npy?: string;
  /** .npy targets for --npy (evaluate) */
  targets?: string;
  /** the CSV's target column (evaluate; default: the one the model was trained on) */
  target?: string;
}

export interface Inputs {
  source: string;
  x: Float32Array;
  rows: number;
  /** targets when asked for: class indices or values */
  y: Float32Array | Int32Array | Uint8Array | null;
}

export async function readInputs(net: Network, options: InputOptions, withTargets: boolean): Promise<Inputs> {
  const given = (['csv', 'data', 'npy'] as const).filter((key) => options[key] !== undefined);
  if (given.length !== 1) throw new InvalidArgumentError(`give exactly one of --csv FILE, --data DIR, --npy FILE (got ${given.length === 0 ? 'none' : given.map((k) => `--${k}`).join(' and ')})`);
  if (options.targets !== undefined && options.npy === undefined) throw new InvalidArgumentError('--targets goes with --npy');
  if (options.target !== undefined && options.csv === undefined) throw new InvalidArgumentError('--target goes with --csv');
  const inputs = options.csv !== undefined ? await fromCsv(net, options.csv, options.target, withTargets)
    : options.data !== undefined ? await fromMnist(options.data, withTargets)
    : await fromNpy(net, options.npy!, options.targets, withTargets);
  if (inputs.x.length !== inputs.rows * net.inputs) {
    throw new DataError(`${inputs.source}: rows of ${inputs.x.length / inputs.rows} values, but the model takes ${net.inputs} inputs`);
  }
  return inputs;
}

async function fromCsv(net: Network, path: string, targetOption: string | undefined, withTargets: boolean): Promise<Inputs> {
  const schema = net.dataSchema;
  const target = withTargets ? targetOption ?? schema.target ?? undefined : undefined;
  if (withTargets && target === undefined) throw new InvalidArgumentError('the model does not name its target column: give --target COLUMN');
  const table = await readCsvFile(path, { target, features: schema.features ?? undefined, targetKind: net.isClassifier ? 'classes' : 'numbers' });
  if (table.features.length !== net.inputs) {
    throw new DataError(`${path}: ${table.features.length} feature columns but the model takes ${net.inputs} inputs${schema.features === null ? ' (it was not trained on named columns: give a CSV of exactly its inputs)' : ''}`);
  }
  const base = { source: path, x: table.x, rows: table.rows };
  if (table.y === null) return { ...base, y: null };
  if (!net.isClassifier) {
    if (net.outputs !== 1) throw new DataError(`${path}: the model has ${net.outputs} outputs; a CSV target column gives one`);
    return { ...base, y: table.y };
  }
  // the file's own class order (sorted names) → the model's class indices
  const known = schema.classes ?? Array.from({ length: classCount(net.outputs) }, (_, i) => String(i));
  const index = table.classes!.map((name) => {
    const at = known.indexOf(name);
    if (at < 0) throw new DataError(`${path}: class '${name}' in column '${target}' is not one of the model's classes (${known.join(', ')})`);
    return at;
  });
  const labels = table.y as Int32Array;
  for (let i = 0; i < labels.length; i++) labels[i] = index[labels[i]!]!;
  return { ...base, y: labels };
}

async function fromMnist(dir: string, withTargets: boolean): Promise<Inputs> {
  const { test } = await loadMnist(dir);
  return { source: `${dir} (t10k)`, x: test.x, rows: test.rows, y: withTargets ? test.labels : null };
}

async function fromNpy(net: Network, path: string, targetsPath: string | undefined, withTargets: boolean): Promise<Inputs> {
  if (withTargets && targetsPath === undefined) throw new InvalidArgumentError('--npy needs --targets FILE.npy to evaluate (class indices, or target values)');
  const array = await readNpyFile(path);
  const columns = array.shape.length === 2 ? array.shape[1]! : 1;
  if (columns !== net.inputs) throw new DataError(`${path}: shape (${array.shape.join(', ')}) gives ${columns} values per row but the model takes ${net.inputs} inputs`);
  const base = { source: path, x: array.data, rows: array.shape[0]! };
  if (!withTargets) return { ...base, y: null };
  const targets = await readNpyFile(targetsPath!);
  if (targets.shape[0] !== base.rows) throw new DataError(`${targetsPath}: ${targets.shape[0]} rows of targets for ${base.rows} rows of inputs`);
  if (net.isClassifier && targets.shape.length === 1) {
    const labels = new Int32Array(targets.data.length);
    targets.data.forEach((v, i) => {
      if (!Number.isInteger(v)) throw new DataError(`${targetsPath}: row ${i} is ${v}, not a class index`);
      labels[i] = v;
    });
    return { ...base, y: labels };
  }
  return { ...base, y: targets.data };
}
