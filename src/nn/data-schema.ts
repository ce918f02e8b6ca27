// What a network knows about its data beyond the numbers: the standardisation of its inputs, the
// names of its input columns and target, and its class names. Saved with the model, so a model
// trained on a CSV predicts from the same CSV columns and answers with class names.
import { requireStandardization, type Standardization } from '../data/standardize.js';
import { InvalidArgumentError, invalidArgument } from '../util/errors.js';
import { isClassifier, type Architecture } from './architecture.js';

export interface DataSchema {
  readonly standardization: Standardization | null;
  /** input column names, in input order */
  readonly features: readonly string[] | null;
  /** the target column's name */
  readonly target: string | null;
  /** class i's name; as many as the classifier has classes (2 for one sigmoid output) */
  readonly classes: readonly string[] | null;
}

export type DataSchemaOptions = {
  standardization?: { mean: ArrayLike<number>; std: ArrayLike<number> } | null;
  features?: readonly string[] | null;
  target?: string | null;
  classes?: readonly string[] | null;
};

export const EMPTY_SCHEMA: DataSchema = { standardization: null, features: null, target: null, classes: null };

/** Classes a network with `outputs` output units tells apart: one sigmoid unit separates two. */
export const classCount = (outputs: number): number => (outputs === 1 ? 2 : outputs);

/**
 * `changes` applied to `base`, every given field validated against the architecture; the result
 * shares no arrays with the caller.
 */
export function requireDataSchema(changes: unknown, base: DataSchema, arch: Architecture, name = 'schema'): DataSchema {
  const inputs = arch.inputs;
  const outputs = arch.layers[arch.layers.length - 1]!.units;
  if (typeof changes !== 'object' || changes === null) throw invalidArgument(name, '{ standardization?, features?, target?, classes? }', changes);
  const given = changes as Record<string, unknown>;
  const unknown = Object.keys(given).filter((key) => !(key in EMPTY_SCHEMA));
  if (unknown.length > 0) throw new InvalidArgumentError(`${name}: unknown field ${unknown.map((k) => `'${k}'`).join(', ')} (expected standardization, features, target, classes)`);
  const pick = <T>(key: keyof DataSchema, check: (value: unknown) => T): T | null =>
    !(key in given) ? (base[key] as T | null) : given[key] === null ? null : check(given[key]);
  const features = pick('features', (v) => requireNames(v, `${name}.features`, inputs, 'input'));
  const target = pick('target', (v) => (typeof v === 'string' && v !== '' ? v : invalid(`${name}.target`, 'a non-empty string', v)));
  if (features !== null && target !== null && features.includes(target)) throw new InvalidArgumentError(`${name}.target: '${target}' is also an input column`);
  return {
    standardization: pick('standardization', (v) => requireStandardization(v, `${name}.standardization`, inputs)),
    features, target,
    classes: pick('classes', (v) => isClassifier(arch) ? requireNames(v, `${name}.classes`, classCount(outputs), 'class')
      : invalid(`${name}.classes`, 'null: class names need a classifier (softmax or sigmoid output, or a cross-entropy loss)', v)),
  };
}

const invalid = (name: string, expected: string, actual: unknown): never => {
  throw invalidArgument(name, expected, actual);
};

function requireNames(value: unknown, name: string, count: number, what: string): string[] {
  if (!Array.isArray(value) || value.length !== count) throw invalidArgument(name, `${count} ${what} names`, value);
  const seen = new Set<string>();
  value.forEach((item: unknown, i) => {
    if (typeof item !== 'string' || item === '') throw invalidArgument(`${name}[${i}]`, 'a non-empty string', item);
    if (seen.has(item)) throw new InvalidArgumentError(`${name}: '${item}' appears twice (names must be unique)`);
    seen.add(item);
  });
  return [...value] as string[];
}

/** The schema as JSON for the model file's header. */
export function schemaToJson(schema: DataSchema): Record<string, unknown> {
  const { standardization: s } = schema;
  return {
    standardization: s === null ? null : { mean: Array.from(s.mean), std: Array.from(s.std) },
    features: schema.features, target: schema.target, classes: schema.classes,
  };
}
