// The saved-network format, version 3. Little-endian throughout:
//
//   offset 0   "MLPX" magic (4 bytes)
//          4   format version (uint32)
//          8   header length H in bytes (uint32)
//         12   header: UTF-8 JSON (architecture, init, seed, training state, array lengths, and
//              `data`: input standardisation, column names and class names)
//   12+H+pad   parameters (float32 × paramCount), the start padded to a multiple of 4
//              optimizer state (float32 × stateCount)
//        end   CRC-32 of every byte before it (uint32)
//
// Decoding checks everything before anything is allocated for the network: the declared array
// lengths against the bytes the file actually carries and against the parameter count of the
// declared architecture, every header field against what the library itself accepts, and every
// stored value for finiteness. A file that passes loads into a network that works.
//
// Version 3 added the training features: a hidden layer's `dropout` in the architecture, and the
// optimizer's nesterov, l2, l1, weightDecay, clipNorm and clipValue. Version 2 is version 3
// without them; version 1 is version 2 without `data`. Both still load (with no dropout or
// regularisation, and version 1 with no standardisation or names).
import { OPTIMIZER_STATE_PER_PARAM } from '../backend/kernels.js';
import { paramLayout } from '../backend/layout.js';
import { DataError, FormatError, invalidArgument, MlpxError } from '../util/errors.js';
import { crc32 } from '../util/crc32.js';
import { isCount, requireCount, requireOneOf } from '../util/validate.js';
import { INIT_NAMES, parseArchitecture, toNetSpec, type Architecture, type InitName } from './architecture.js';
import { optimizerOptions, resolveOptimizer, type OptimizerOptions, type ResolvedOptimizer } from './optimizers.js';
import type { TrainingState } from './network.js';
import { EMPTY_SCHEMA, requireDataSchema, schemaToJson, type DataSchema } from './data-schema.js';

const MAGIC = [0x4d, 0x4c, 0x50, 0x58]; // "MLPX"
export const FORMAT_VERSION = 3;
const READABLE_VERSIONS = [1, 2, 3];
/** What only version 3 files carry: dropout in a layer, the optimizer's regularisation and clipping. */
const VERSION_3_LAYER_KEYS = ['dropout'];
const VERSION_3_OPTIMIZER_KEYS = ['nesterov', 'l2', 'l1', 'weightDecay', 'clipNorm', 'clipValue'];

interface Header {
  architecture: Architecture;
  init: InitName | null;
  seed: number;
  step: number;
  epochsTrained: number;
  optimizer: OptimizerOptions | null;
  paramCount: number;
  stateCount: number;
  data: Record<string, unknown>;
}

export interface SavedNetwork {
  architecture: Architecture;
  init: InitName | undefined;
  seed: number;
  training: TrainingState;
  params: Float32Array;
  optimizerState: Float32Array;
  schema: DataSchema;
}

const align4 = (n: number): number => (n + 3) & ~3;

export function encodeNetwork(saved: SavedNetwork): Uint8Array {
  // a file holds finite values only (decoding refuses others), so refuse to write one that could not be loaded
  for (const [name, array] of [['parameter', saved.params], ['optimizer state value', saved.optimizerState]] as const) {
    const at = array.findIndex((v) => !Number.isFinite(v));
    if (at >= 0) throw new DataError(`cannot save a network whose ${name} ${at} is ${array[at]}`);
  }
  const header: Header = {
    architecture: saved.architecture, init: saved.init ?? null, seed: saved.seed,
    step: saved.training.step, epochsTrained: saved.training.epochsTrained,
    optimizer: saved.training.optimizer === null ? null : optimizerOptions(saved.training.optimizer),
    paramCount: saved.params.length, stateCount: saved.optimizerState.length,
    data: schemaToJson(saved.schema),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = align4(12 + json.length);
  const total = dataStart + 4 * (saved.params.length + saved.optimizerState.length) + 4;
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  view.setUint32(4, FORMAT_VERSION, true);
  view.setUint32(8, json.length, true);
  bytes.set(json, 12);
  let offset = dataStart;
  for (const array of [saved.params, saved.optimizerState]) {
    for (let i = 0; i < array.length; i++, offset += 4) view.setFloat32(offset, array[i]!, true);
  }
  view.setUint32(offset, crc32(bytes.subarray(0, offset)), true);
  return bytes;
}

export function decodeNetwork(bytes: Uint8Array, source: string): SavedNetwork {
  if (!(bytes instanceof Uint8Array)) throw invalidArgument('bytes', 'a Uint8Array or Buffer holding an mlpx model', bytes);
  const corrupt = (what: string) => new FormatError(`${source}: ${what}`);
  if (bytes.length < 16 || MAGIC.some((b, i) => bytes[i] !== b)) throw corrupt('not an mlpx model file (no MLPX magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (!READABLE_VERSIONS.includes(version)) throw corrupt(`model format version ${version} is not supported (this mlpx reads versions ${READABLE_VERSIONS.join(', ')})`);
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > bytes.length) throw corrupt(`truncated (header of ${headerLength} bytes, file of ${bytes.length})`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + headerLength)));
  } catch (error) {
    throw corrupt(`corrupt header (${(error as Error).message})`);
  }
  const { paramCount, stateCount } = arrayLengths(json, corrupt);
  const dataStart = align4(12 + headerLength);
  const expectedLength = dataStart + 4 * (paramCount + stateCount) + 4;
  if (bytes.length !== expectedLength) {
    throw corrupt(`${bytes.length < expectedLength ? 'truncated' : 'has trailing bytes'}: ${bytes.length} bytes, expected ${expectedLength}`);
  }
  const stored = view.getUint32(expectedLength - 4, true);
  if (crc32(bytes.subarray(0, expectedLength - 4)) !== stored) throw corrupt('checksum mismatch (the file is corrupt)');
  const header = validateHeader(json as Record<string, unknown>, version, source);
  const layoutCount = paramLayout(toNetSpec(header.architecture).sizes).count;
  if (paramCount !== layoutCount) {
    const { inputs, layers } = header.architecture;
    throw corrupt(`header declares ${paramCount} parameters but its architecture (${inputs} inputs, ${layers.length} layers) has ${layoutCount}`);
  }
  const statePerParam = stateCount / paramCount;
  const expectedState = header.optimizer !== null && 'params' in header.optimizer ? [OPTIMIZER_STATE_PER_PARAM[header.optimizer.params.kind]] : Object.values(OPTIMIZER_STATE_PER_PARAM);
  if (!expectedState.includes(statePerParam)) {
    throw corrupt(`${stateCount} optimizer state values do not fit ${paramCount} parameters and optimizer ${header.optimizer?.type ?? 'none'}`);
  }
  const read = (start: number, count: number, what: string): Float32Array => {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      out[i] = view.getFloat32(start + 4 * i, true);
      if (!Number.isFinite(out[i]!)) throw corrupt(`${what} ${i} is ${out[i]}`);
    }
    return out;
  };
  return {
    architecture: header.architecture,
    init: header.init,
    seed: header.seed,
    training: { step: header.step, epochsTrained: header.epochsTrained, optimizer: header.optimizer },
    params: read(dataStart, paramCount, 'parameter'),
    optimizerState: read(dataStart + 4 * paramCount, stateCount, 'optimizer state value'),
    schema: header.schema,
  };
}

function arrayLengths(json: unknown, corrupt: (what: string) => FormatError): { paramCount: number; stateCount: number } {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw corrupt('corrupt header (not a JSON object)');
  const { paramCount, stateCount } = json as Record<string, unknown>;
  if (!isCount(paramCount) || !isCount(stateCount)) throw corrupt('corrupt header (array lengths)');
  return { paramCount, stateCount };
}

const invalid = (name: string, expected: string, actual: unknown): never => {
  throw invalidArgument(name, expected, actual);
};

interface ValidHeader {
  architecture: Architecture;
  init: InitName | undefined;
  seed: number;
  step: number;
  epochsTrained: number;
  optimizer: ResolvedOptimizer | null;
  schema: DataSchema;
}

/** A field a file of this version cannot have (written by a version 3 writer, or crafted). */
function requireVersionFields(header: Record<string, unknown>, version: number): void {
  if (version >= 3) return;
  const layers = (header.architecture as { layers?: unknown } | null)?.layers;
  const layer = Array.isArray(layers) ? layers.find((l) => typeof l === 'object' && l !== null && VERSION_3_LAYER_KEYS.some((key) => key in l)) : undefined;
  const optimizer = header.optimizer;
  const key = layer !== undefined ? 'dropout'
    : typeof optimizer === 'object' && optimizer !== null ? VERSION_3_OPTIMIZER_KEYS.find((k) => k in optimizer) : undefined;
  if (key !== undefined) throw new FormatError(`'${key}' is a version 3 field, in a version ${version} file`);
}

/** Every field as the library itself would accept it from a user; a rejected one is a FormatError naming the file. */
function validateHeader(header: Record<string, unknown>, version: number, source: string): ValidHeader {
  try {
    requireVersionFields(header, version);
    const architecture = parseArchitecture(typeof header.architecture === 'object' && header.architecture !== null ? header.architecture
      : invalid('architecture', '{ inputs, layers, loss }', header.architecture));
    return {
      architecture,
      init: header.init === null ? undefined : requireOneOf(header.init, 'init', INIT_NAMES),
      seed: requireCount(header.seed, 'seed'),
      step: requireCount(header.step, 'step'),
      epochsTrained: requireCount(header.epochsTrained, 'epochsTrained'),
      optimizer: header.optimizer === null ? null : resolveOptimizer(header.optimizer ?? invalid('optimizer', 'null or { type, … }', header.optimizer)),
      // checks lengths against the architecture before any array is converted
      schema: version === 1 ? EMPTY_SCHEMA : requireDataSchema(header.data, EMPTY_SCHEMA, architecture, 'data'),
    };
  } catch (error) {
    if (!(error instanceof MlpxError)) throw error;
    throw new FormatError(`${source}: invalid header (${error.message})`);
  }
}
