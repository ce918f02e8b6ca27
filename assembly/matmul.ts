// matmul family: the kernels of src/backend/kernels.ts on pointers into linear memory.
// The register-blocked microkernels live in gemm.ts; threads.ts splits big products across workers.
import { GEMM_NN, GEMM_NT, GEMM_TN } from './gemm';
import { gemm_parallel } from './threads';

/** c (m, n) = a (m, k) · b (k, n) */
export function matmul_nn(c: usize, a: usize, b: usize, m: i32, k: i32, n: i32): void {
  gemm_parallel(GEMM_NN, c, a, b, m, k, n);
}

/** c (m, n) = aᵀ · b, a is (k, m), b is (k, n) */
export function matmul_tn(c: usize, a: usize, b: usize, m: i32, k: i32, n: i32): void {
  gemm_parallel(GEMM_TN, c, a, b, m, k, n);
}

/** c (m, n) = a · bᵀ, a is (m, k), b is (n, k) */
export function matmul_nt(c: usize, a: usize, b: usize, m: i32, k: i32, n: i32): void {
  gemm_parallel(GEMM_NT, c, a, b, m, k, n);
}
