// The saved-network format, version 1. Little-endian throughout:
//
//   offset 0   "MLPX" magic (4 bytes)
//          4   format version (uint32)
//          8   header length H in bytes (uint32)
//         12   header: UTF-8 JSON (architecture, init, seed, training state, array lengths)
//   12+H+pad   parameters (float32 × paramCount), the start padded to a multiple of 4
//              optimizer state (float32 × stateCount)
//        end   CRC-32 of every byte before it (uint32)
import { FormatError } from '../util/errors.js';
import { crc32 } from '../util/crc32.js';
import { parseArchitecture, type Architecture, type InitName } from './architecture.js';
import { optimizerOptions, resolveOptimizer, type OptimizerOptions } from './optimizers.js';
import type { TrainingState } from './network.js';

const MAGIC = [0x4d, 0x4c, 0x50, 0x58]; // "MLPX"
export const FORMAT_VERSION = 1;

interface Header {
  architecture: Architecture;
  init: InitName | null;
  seed: number;
  step: number;
  epochsTrained: number;
  optimizer: OptimizerOptions | null;
  paramCount: number;
  stateCount: number;
}

export interface SavedNetwork {
  architecture: Architecture;
  init: InitName | undefined;
  seed: number;
  training: TrainingState;
  params: Float32Array;
  optimizerState: Float32Array;
}

const align4 = (n: number): number => (n + 3) & ~3;

export function encodeNetwork(saved: SavedNetwork): Uint8Array {
  const header: Header = {
    architecture: saved.architecture, init: saved.init ?? null, seed: saved.seed,
    step: saved.training.step, epochsTrained: saved.training.epochsTrained,
    optimizer: saved.training.optimizer === null ? null : optimizerOptions(saved.training.optimizer),
    paramCount: saved.params.length, stateCount: saved.optimizerState.length,
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
  if (!(bytes instanceof Uint8Array)) throw new FormatError(`${source}: expected bytes (Uint8Array/Buffer)`);
  if (bytes.length < 16 || MAGIC.some((b, i) => bytes[i] !== b)) throw new FormatError(`${source}: not an mlpx model file (no MLPX magic)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== FORMAT_VERSION) throw new FormatError(`${source}: model format version ${version} is not supported (this mlpx reads version ${FORMAT_VERSION})`);
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > bytes.length) throw new FormatError(`${source}: truncated (header of ${headerLength} bytes, file of ${bytes.length})`);
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + headerLength))) as Header;
  } catch (error) {
    throw new FormatError(`${source}: corrupt header (${(error as Error).message})`);
  }
  const { paramCount, stateCount } = header;
  if (!Number.isInteger(paramCount) || !Number.isInteger(stateCount) || paramCount < 0 || stateCount < 0) throw new FormatError(`${source}: corrupt header (array lengths)`);
  const dataStart = align4(12 + headerLength);
  const expectedLength = dataStart + 4 * (paramCount + stateCount) + 4;
  if (bytes.length !== expectedLength) {
    throw new FormatError(`${source}: ${bytes.length < expectedLength ? 'truncated' : 'has trailing bytes'}: ${bytes.length} bytes, expected ${expectedLength}`);
  }
  const stored = view.getUint32(expectedLength - 4, true);
  if (crc32(bytes.subarray(0, expectedLength - 4)) !== stored) throw new FormatError(`${source}: checksum mismatch (the file is corrupt)`);
  const read = (start: number, count: number): Float32Array => {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(start + 4 * i, true);
    return out;
  };
  let architecture: Architecture;
  try {
    architecture = parseArchitecture(header.architecture);
  } catch (error) {
    throw new FormatError(`${source}: invalid architecture in header (${(error as Error).message})`);
  }
  return {
    architecture,
    init: header.init ?? undefined,
    seed: header.seed,
    training: { step: header.step, epochsTrained: header.epochsTrained, optimizer: header.optimizer === null ? null : resolveOptimizer(header.optimizer) },
    params: read(dataStart, paramCount),
    optimizerState: read(dataStart + 4 * paramCount, stateCount),
  };
}
