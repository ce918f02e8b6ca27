// The ONNX schema the library encodes with is protobufjs's compilation of the official onnx.proto
// committed beside it, unedited: regenerating it from the .proto gives the committed file.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { onnxSchemaModule, PROTO_PATH, SCHEMA_PATH } from '../../scripts/onnx-schema.mjs';

describe('ONNX schema', () => {
  it('src/interop/onnx-schema.ts is exactly what scripts/onnx-schema.mjs makes of onnx.proto', () => {
    const proto = readFileSync(PROTO_PATH, 'utf8');
    expect(proto).toContain('// SPDX-License-Identifier: Apache-2.0');
    expect(proto).toMatch(/^package onnx;$/m);
    expect(readFileSync(SCHEMA_PATH, 'utf8')).toBe(onnxSchemaModule(proto));
  });
});
