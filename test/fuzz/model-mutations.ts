// Seeded mutations of real model files: bit flips (with and without a repaired checksum),
// truncations, extensions, edited header values and text, non-finite or extreme stored values,
// consistent reshapes, and headers declaring huge networks over a small payload.
import { Network } from '../../src/index.js';
import { spiralsData } from '../../src/data/generators.js';
import type { OptimizerOptions } from '../../src/nn/optimizers.js';
import type { Random } from '../../src/util/prng.js';
import { buildModel, floats, splitModel, withChecksum } from './model-files.js';

export interface FuzzCase {
  /** the mutation, for reports */
  kind: string;
  bytes: Uint8Array;
}

/** Small trained networks, one per optimizer (and one untrained), as saved files. */
export async function baseModels(): Promise<Uint8Array[]> {
  const data = spiralsData(20, 3);
  const shapes: [NetworkShape, OptimizerOptions | undefined][] = [
    [{ inputs: 2, layers: [{ units: 6, activation: 'tanh' }, { units: 2, activation: 'softmax' }], loss: 'cross_entropy' }, 'adam'],
    [{ inputs: 2, layers: [{ units: 5, activation: 'relu' }, { units: 3, activation: 'sigmoid' }, { units: 2, activation: 'softmax' }], loss: 'cross_entropy' }, 'sgd'],
    [{ inputs: 2, layers: [{ units: 4, activation: 'leaky_relu' }, { units: 2, activation: 'linear' }], loss: 'mse' }, 'momentum'],
    [{ inputs: 2, layers: [{ units: 2, activation: 'sigmoid' }], loss: 'binary_cross_entropy' }, 'rmsprop'],
    [{ inputs: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 2, activation: 'softmax' }], loss: 'cross_entropy' }, 'armijo'],
    [{ inputs: 2, layers: [{ units: 3, activation: 'relu' }, { units: 2, activation: 'linear' }], loss: 'half_sse' }, { type: 'random', episodes: 2 }],
    [{ inputs: 2, layers: [{ units: 7, activation: 'relu' }, { units: 2, activation: 'softmax' }], loss: 'cross_entropy', init: 'uniform', seed: 99 }, undefined],
  ];
  const files: Uint8Array[] = [];
  for (const [shape, optimizer] of shapes) {
    const net = await Network.create({ ...shape, backend: 'js' });
    if (optimizer !== undefined) await net.fit(data.x, shape.loss === 'cross_entropy' ? data.y : oneHot(data.y as Uint8Array), { epochs: 2, batchSize: 8, optimizer });
    files.push(net.toBuffer());
  }
  return files;
}

type NetworkShape = Parameters<typeof Network.create>[0];

function oneHot(labels: Uint8Array): Float32Array {
  const out = new Float32Array(labels.length * 2);
  labels.forEach((label, i) => (out[2 * i + label] = 1));
  return out;
}

const INTERESTING: unknown[] = [
  -1, 0, 1, 2, 3, 0.5, -0.0, 1e-320, 1e9, 1e300, -1e300, 2 ** 31, 2 ** 32 + 4, 2 ** 53, 2 ** 53 + 2,
  null, true, false, '', 'relu', 'softmax', 'adam', 'random', 'armijo', 'he', 'mse', [], {}, [1, 2], { units: 1 },
];

const pick = <T>(random: Random, items: readonly T[]): T => items[random.int(items.length)]!;

function flipBits(random: Random, bytes: Uint8Array, flips: number, from = 0): Uint8Array {
  const out = bytes.slice();
  for (let i = 0; i < flips; i++) out[from + random.int(out.length - from)]! ^= 1 << random.int(8);
  return out;
}

/** Every place in a JSON value: [parent, key] pairs. */
function slots(value: unknown, into: [Record<string | number, unknown>, string | number][] = []): [Record<string | number, unknown>, string | number][] {
  if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value)) {
      into.push([value as Record<string, unknown>, Array.isArray(value) ? Number(key) : key]);
      slots((value as Record<string, unknown>)[key], into);
    }
  }
  return into;
}

/** An architecture with `layers` copies of a `units`-unit layer, and the counts it implies. */
function declared(layers: number, units: number, inputs: number) {
  const sizes = [inputs, ...Array<number>(layers).fill(units), 2];
  let count = 0;
  for (let l = 1; l < sizes.length; l++) count += sizes[l - 1]! * sizes[l]! + sizes[l]!;
  return {
    architecture: { inputs, layers: [...Array.from({ length: layers }, () => ({ units, activation: 'relu' })), { units: 2, activation: 'softmax' }], loss: 'cross_entropy' },
    paramCount: count,
  };
}

const STATE_PER_PARAM: Record<string, number> = { adam: 2, momentum: 1, rmsprop: 1 };

type Mutation = (random: Random, base: Uint8Array) => Uint8Array;

const MUTATIONS: Record<string, Mutation> = {
  'bit flips': (random, base) => flipBits(random, base, 1 + random.int(8)),
  'bit flips, checksum repaired': (random, base) => withChecksum(flipBits(random, base, 1 + random.int(4))),
  'payload bit flips, checksum repaired': (random, base) => {
    const headerEnd = (12 + new DataView(base.buffer, base.byteOffset).getUint32(8, true) + 3) & ~3;
    return withChecksum(flipBits(random, base, 1 + random.int(6), Math.min(headerEnd, base.length - 4)));
  },
  truncated: (random, base) => base.slice(0, random.int(base.length)),
  extended: (random, base) => Uint8Array.from([...base, ...Array.from({ length: 1 + random.int(64) }, () => random.int(256))]),
  'extended, checksum repaired': (random, base) => withChecksum(Uint8Array.from([...base, ...Array.from({ length: 4 * (1 + random.int(8)) }, () => random.int(256))])),
  'header value replaced': (random, base) => {
    const { header, payload } = splitModel(base);
    const places = slots(header);
    for (let edits = 1 + random.int(3); edits > 0; edits--) {
      const [parent, key] = pick(random, places);
      parent[key] = structuredClone(pick(random, INTERESTING));
    }
    return buildModel(header, payload);
  },
  'header field removed': (random, base) => {
    const { header, payload } = splitModel(base);
    const [parent, key] = pick(random, slots(header));
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
    return buildModel(header, payload);
  },
  'header text edited': (random, base) => {
    const { header, payload } = splitModel(base);
    const text = [...JSON.stringify(header)];
    for (let edits = 1 + random.int(4); edits > 0; edits--) {
      const at = random.int(text.length);
      const choice = random.int(3);
      if (choice === 0) text.splice(at, 1);
      else if (choice === 1) text.splice(at, 0, pick(random, [...'{}[]",:0123456789-.eE ntfu\\', '\u0000', '\u00e9', '\ud800']));
      else text[at] = pick(random, [...'09-"x]}']);
    }
    return buildModel(text.join(''), payload);
  },
  'stored values made extreme': (random, base) => {
    const { header, payload } = splitModel(base);
    const values = new Float32Array(payload.slice().buffer);
    for (let edits = 1 + random.int(3); edits > 0; edits--) values[random.int(values.length)] = pick(random, [Number.NaN, Infinity, -Infinity, 3.4e38, -3.4e38, 1e-45, -0]);
    return buildModel(header, new Uint8Array(values.buffer));
  },
  'reshaped consistently': (random, base) => {
    const { header } = splitModel(base);
    const inputs = 1 + random.int(5);
    const layers = 1 + random.int(3);
    const { architecture, paramCount } = declared(layers, 1 + random.int(6), inputs);
    const stateCount = (STATE_PER_PARAM[(header.optimizer as { type?: string } | null)?.type ?? ''] ?? 0) * paramCount;
    return buildModel({ ...header, architecture, paramCount, stateCount }, floats(paramCount + stateCount, random.uniform(-1, 1)));
  },
  'huge network declared': (random, base) => {
    const { header, payload } = splitModel(base);
    const huge = declared(1 + random.int(500), pick(random, [1000, 4096, 65536, 2 ** 31, 2 ** 32 + 4]), pick(random, [2, 784, 2 ** 31]));
    // either the counts the architecture implies, or the counts the payload really holds
    const counts = random.int(2) === 0 ? { paramCount: huge.paramCount, stateCount: 0 } : { paramCount: header.paramCount, stateCount: header.stateCount };
    return buildModel({ ...header, architecture: huge.architecture, ...counts }, payload);
  },
  'length field changed': (random, base) => {
    const out = base.slice();
    new DataView(out.buffer).setUint32(pick(random, [4, 8]), pick(random, [0, 1, 2, 11, 12, 0x7fffffff, 0xffffffff, random.nextUint32(), base.length]), true);
    return withChecksum(out);
  },
  'magic or version changed': (random, base) => {
    const out = base.slice();
    out[random.int(8)]! ^= 1 << random.int(8);
    return withChecksum(out);
  },
};

export const MUTATION_NAMES = Object.keys(MUTATIONS);

/** `count` cases, cycling through the mutations so each is represented. */
export function* modelCases(random: Random, bases: readonly Uint8Array[], count: number): Generator<FuzzCase> {
  for (let i = 0; i < count; i++) {
    const kind = MUTATION_NAMES[i % MUTATION_NAMES.length]!;
    yield { kind, bytes: MUTATIONS[kind]!(random, pick(random, bases)) };
  }
}
