// SGEMM for the three layouts the network needs, without materialising transposes.
// Kernel-contract entry points (same names and argument order as src/backend/kernels.ts) plus
// sgemm(), which dense.cc uses to fuse the bias add into the GEMM epilogue.
#pragma once

namespace mlpx {

/** c (m, n) = a (m, k) · b (k, n) */
void matmul_nn(float* c, const float* a, const float* b, int m, int k, int n);
/** c (m, n) = aᵀ · b, a is (k, m), b is (k, n) */
void matmul_tn(float* c, const float* a, const float* b, int m, int k, int n);
/** c (m, n) = a · bᵀ, a is (m, k), b is (n, k) */
void matmul_nt(float* c, const float* a, const float* b, int m, int k, int n);

/**
 * c (m, n) = op(a) · op(b) [+ bias (n) on every row]. op(a) is (m, k): a is (m, k), or (k, m)
 * when trans_a. op(b) is (k, n): b is (k, n), or (n, k) when trans_b. Overwrites c.
 * Each c element is summed in the same order for any thread count.
 */
void sgemm(bool trans_a, bool trans_b, int m, int n, int k, const float* a, const float* b, float* c,
           const float* bias);

/** 'avx2-fma' or 'portable': the microkernel in use, chosen at load time from the CPU's features. */
const char* kernel_path();
/** Switch to 'portable' or (when the CPU has it) 'avx2-fma'; false if that is not possible. Tests use it. */
bool set_kernel_path(const char* path);

/** Threads used by sgemm (≥ 1); resizes the persistent pool and its packing buffers. */
void set_threads(int threads);
int threads();

}  // namespace mlpx
