#include "dense.h"

#include <cstddef>

#include "elementwise.h"
#include "matmul.h"
#include "parallel.h"
#include "profile.h"

namespace mlpx {

void bias_add(float* z, const float* bias, int m, int n) {
  for (int i = 0; i < m; ++i) {
    float* row = z + static_cast<std::size_t>(i) * n;
    for (int j = 0; j < n; ++j) row[j] = row[j] + bias[j];
  }
}

void bias_grad(float* db, const float* dz, int m, int n) {
  const ElementwiseLoops& loops = elementwise_loops();
  auto body = [&](std::size_t begin, std::size_t end) { loops.bias_grad(db, dz, m, n, begin, end); };
  for_ranges(static_cast<std::size_t>(n), body);
}

void dense_forward(float* z, Rows x, const float* w, const float* b, int m, int k, int n, GemmSplit split,
                   RowActivation* activate) {
  MLPX_PHASE(kForwardGemm);
  sgemm(false, false, m, n, k, x, w, z, b, nullptr, split, activate);
}

std::size_t dense_backward(float* dx, float* dw, float* db, const float* dz, Rows x, const float* w, int m, int k, int n,
                           float* dw_tile_squares, GemmSplit dw_split, GemmSplit dx_split, RowActivation* dx_rows) {
  std::size_t tiles;
  {
    MLPX_PHASE(kBackwardGemmWeights);
    tiles = sgemm(true, false, k, n, m, x, dz, dw, nullptr, dw_tile_squares, dw_split);
  }
  {
    MLPX_PHASE(kBiasGradient);
    bias_grad(db, dz, m, n);
  }
  MLPX_PHASE(kBackwardGemmInputs);
  if (dx != nullptr) sgemm(false, true, m, k, n, dz, w, dx, nullptr, nullptr, dx_split, dx_rows);
  return tiles;
}

}  // namespace mlpx
