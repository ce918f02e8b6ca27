// Dense layer kernels: Z = X·W + b and its backward pass (src/backend/kernels.ts, dense family).
#pragma once

#include "matmul.h"

namespace mlpx {

/** z (m, n) += bias (n) on every row */
void bias_add(float* z, const float* bias, int m, int n);
/** db (n) = Σ_rows dz (m, n) */
void bias_grad(float* db, const float* dz, int m, int n);
/**
 * z (m, n) = x (m, k) · w (k, n) + b (n); the bias is added in the GEMM epilogue. x may be indexed
 * rows. `split`: how the GEMM's columns go to the pool (sgemm), which may also take `activate`.
 */
void dense_forward(float* z, Rows x, const float* w, const float* b, int m, int k, int n,
                   GemmSplit split = GemmSplit::kAuto, RowActivation* activate = nullptr);
/**
 * dw (k, n) = xᵀ·dz; db (n) = Σ_rows dz; dx (m, k) = dz·wᵀ unless dx is null. With
 * dw_tile_squares (sgemm_tiles(k, n) floats), also the sum of squares of each tile of dw, and
 * returns how many of those slots it wrote (sgemm). `dw_split`, `dx_split`: how the two GEMMs go
 * to the pool; a kRows split of dx takes `dx_rows` (sgemm's `activate`).
 */
std::size_t dense_backward(float* dx, float* dw, float* db, const float* dz, Rows x, const float* w, int m, int k, int n,
                           float* dw_tile_squares = nullptr, GemmSplit dw_split = GemmSplit::kAuto,
                           GemmSplit dx_split = GemmSplit::kAuto, RowActivation* dx_rows = nullptr);

}  // namespace mlpx
