// Building and taking apart mlpx model files byte by byte, to craft files that pass the magic,
// version, length and checksum checks and so reach the checks behind them.
import { crc32 } from '../../src/util/crc32.js';

export interface ModelParts {
  /** the parsed JSON header */
  header: Record<string, unknown>;
  /** parameters then optimizer state, as stored (little-endian float32) */
  payload: Uint8Array;
}

export function splitModel(bytes: Uint8Array): ModelParts {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as Record<string, unknown>;
  const dataStart = (12 + headerLength + 3) & ~3;
  return { header, payload: bytes.slice(dataStart, bytes.length - 4) };
}

/**
 * A well-formed file around any header text and payload: magic, version, the header's true
 * length, padding and a valid checksum. `headerLength` overrides the length field.
 */
export function buildModel(header: unknown, payload: Uint8Array, options: { version?: number; headerLength?: number } = {}): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const dataStart = (12 + json.length + 3) & ~3;
  const bytes = new Uint8Array(dataStart + payload.length + 4);
  const view = new DataView(bytes.buffer);
  bytes.set([0x4d, 0x4c, 0x50, 0x58]);
  view.setUint32(4, options.version ?? 1, true);
  view.setUint32(8, options.headerLength ?? json.length, true);
  bytes.set(json, 12);
  bytes.set(payload, dataStart);
  return withChecksum(bytes);
}

/** Recompute the trailing CRC-32 so only the deeper checks can reject the file. */
export function withChecksum(bytes: Uint8Array): Uint8Array {
  if (bytes.length >= 4) new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(bytes.length - 4, crc32(bytes.subarray(0, bytes.length - 4)), true);
  return bytes;
}

/** `count` little-endian float32s, all `value`. */
export function floats(count: number, value = 0.25): Uint8Array {
  return new Uint8Array(new Float32Array(count).fill(value).buffer);
}
