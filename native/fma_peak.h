// The arithmetic peak of the kernel path in use, measured: what the benchmark puts every native
// row beside, and the check that two threads really ran on two cores (the machine's two vCPUs
// are sometimes one core). Never called on the training or inference path.
#pragma once

namespace mlpx {

/**
 * GFLOP/s of `threads` fresh threads (not the GEMM pool) each running the kernel path's
 * independent multiply-add chains for `seconds`, summed over threads and divided by the wall time
 * from the common start to the last thread's end. Throws std::system_error, with every thread
 * it started joined, when the OS refuses one.
 */
double fma_peak(int threads, double seconds);

}  // namespace mlpx
