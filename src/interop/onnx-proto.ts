// The ONNX message types, reflected by protobufjs from the official schema (onnx.proto of ONNX
// 1.12.0, IR version 8, as its libonnx-dev package ships it, unedited; compiled to JSON in
// onnx-schema.ts), and the few protobuf details both directions share.
import protobuf from 'protobufjs/light.js';
import { ONNX_SCHEMA } from './onnx-schema.js';

const root = protobuf.Root.fromJSON(ONNX_SCHEMA);
export const ModelProto = root.lookupType('onnx.ModelProto');

/** TensorProto.DataType values mlpx reads or writes. */
export const FLOAT = 1;
export const DOUBLE = 11;
/** AttributeProto.AttributeType values */
export const ATTRIBUTE = { FLOAT: 1, INT: 2, TENSOR: 4 } as const;

/** The ONNX opset mlpx writes: Softmax(axis = −1) over the last axis, the rest unchanged since. */
export const OPSET = 13;
/** IR version 7 is the one that goes with opset 13 (ONNX 1.8). */
export const IR_VERSION = 7;

/** int64 fields decode as Long objects (or numbers): a safe integer, or null when it is not one. */
export function int64(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'object' && value !== null && 'toNumber' in value ? (value as { toNumber(): number }).toNumber() : NaN;
  return Number.isSafeInteger(n) ? n : null;
}
