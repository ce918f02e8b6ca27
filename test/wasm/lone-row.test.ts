// A GEMM of one row (a batch of one: predict, per-sample training) reads B in place instead of
// packing it (assembly/gemm.ts gemm_row_in_place). It must give each element the bits the packed
// microkernels give the same row among others: the same multiply-adds, in the same order, K block
// by K block; in every kernel build, for A read directly and transposed, with K in one block and
// in several, and every column tail (widths that are not multiples of 4, 8 or 16).
import { describe, expect, it } from 'vitest';
import { Random } from '../../src/util/prng.js';
import { randomArray } from '../helpers/random.js';
import { WASM_BUILDS } from '../helpers/backends.js';
import { wasmBackend } from './backend.js';

const ROWS = 5;
const DEPTHS = [1, 7, 196, 257, 784]; // 257 and 784: more than one K block (KC 256)
const WIDTHS = [1, 2, 3, 4, 5, 8, 13, 16, 17, 31, 33, 128, 130];

describe.each(WASM_BUILDS)('wasm %s: a lone row of a GEMM', (kernels) => {
  it.each(DEPTHS)('has the bits of the same row in a taller GEMM (k = %i)', async (k) => {
    const { kernels: kernel } = await wasmBackend(kernels);
    const random = new Random(k);
    for (const n of WIDTHS) {
      const b = randomArray(random, k * n);
      const a = randomArray(random, ROWS * k); // ROWS × k
      const at = new Float32Array(k * ROWS); // its transpose, k × ROWS
      for (let i = 0; i < ROWS; i++) for (let p = 0; p < k; p++) at[p * ROWS + i] = a[i * k + p]!;
      const tall = new Float32Array(ROWS * n);
      const tallT = new Float32Array(ROWS * n);
      kernel.matmul_nn(tall, a, b, ROWS, k, n);
      kernel.matmul_tn(tallT, at, b, ROWS, k, n);
      expect(tallT).toEqual(tall);
      for (const row of [0, ROWS - 1]) {
        const lone = new Float32Array(n);
        kernel.matmul_nn(lone, a.subarray(row * k, (row + 1) * k), b, 1, k, n);
        expect(lone, `nn row ${row}, n = ${n}`).toEqual(tall.subarray(row * n, (row + 1) * n));
        const column = Float32Array.from({ length: k }, (_, p) => at[p * ROWS + row]!);
        kernel.matmul_tn(lone.fill(0), column, b, 1, k, n);
        expect(lone, `tn row ${row}, n = ${n}`).toEqual(tall.subarray(row * n, (row + 1) * n));
      }
    }
  });
});
