#include "dense.h"

#include <algorithm>
#include <cstddef>

#include "matmul.h"

namespace mlpx {

void bias_add(float* z, const float* bias, int m, int n) {
  for (int i = 0; i < m; ++i) {
    float* row = z + static_cast<std::size_t>(i) * n;
    for (int j = 0; j < n; ++j) row[j] = row[j] + bias[j];
  }
}

void bias_grad(float* db, const float* dz, int m, int n) {
  // Column sums in float64 like the reference, a strip of columns at a time so the row loop
  // stays contiguous and vectorisable without a heap buffer.
  constexpr int kStrip = 64;
  for (int j0 = 0; j0 < n; j0 += kStrip) {
    const int width = std::min(kStrip, n - j0);
    double sums[kStrip] = {};
    for (int i = 0; i < m; ++i) {
      const float* row = dz + static_cast<std::size_t>(i) * n + j0;
      for (int j = 0; j < width; ++j) sums[j] += row[j];
    }
    for (int j = 0; j < width; ++j) db[j0 + j] = static_cast<float>(sums[j]);
  }
}

void dense_forward(float* z, Rows x, const float* w, const float* b, int m, int k, int n) {
  sgemm(false, false, m, n, k, x, w, z, b);
}

void dense_backward(float* dx, float* dw, float* db, const float* dz, Rows x, const float* w, int m, int k, int n,
                    float* dw_tile_squares) {
  sgemm(true, false, k, n, m, x, dz, dw, nullptr, dw_tile_squares);
  bias_grad(db, dz, m, n);
  if (dx != nullptr) sgemm(false, true, m, k, n, dz, w, dx, nullptr);
}

}  // namespace mlpx
