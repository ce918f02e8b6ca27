// One network's fused training step in C++: the same sequence of kernels as ComposedEngine
// (src/backend/composed.ts), over memory the caller attaches (net_napi.cc keeps it in JS
// ArrayBuffers so views handed to JS stay valid). Nothing here allocates after construction.
#pragma once

#include <cstddef>
#include <vector>

#include "matmul.h"

namespace mlpx {

/** Offsets into a stats array; must match STAT_* in src/backend/engine.ts. */
constexpr int kStatLoss = 0;
constexpr int kStatCorrect = 1;
constexpr int kStatGradNorm2 = 2;
constexpr int kStatsPerBatch = 3;

struct NetSpec {
  std::vector<int> sizes;        // inputs, then units per layer
  std::vector<int> activations;  // one per layer
  int loss = 0;
  int layers() const { return static_cast<int>(activations.size()); }
  int inputs() const { return sizes.front(); }
  int outputs() const { return sizes.back(); }
};

struct OptParams {
  int kind;
  float lr, beta1, beta2, eps;
};

class NetCore {
 public:
  explicit NetCore(NetSpec spec);

  const NetSpec& spec() const { return spec_; }
  std::size_t param_count() const { return param_count_; }
  /** Floats of workspace needed for batches of `rows` rows. */
  std::size_t workspace_floats(int rows) const;

  void attach_params(float* params, float* grads) { params_ = params, grads_ = grads; }
  void attach_state(float* state) { state_ = state; }
  /** `workspace` holds workspace_floats(rows) floats. */
  void attach_workspace(float* workspace, int rows);
  int capacity() const { return capacity_; }

  /** Output (capacity × outputs buffer) of the forward pass of rows ≤ capacity rows of x. */
  const float* forward(Rows x, int rows);
  void evaluate(Rows x, const float* y, int rows, double* stats);
  void gradient(Rows x, const float* y, int rows, double* stats);
  /** gradient(), then the update unless loss or ‖g‖² is non-finite. State must be sized for opt.kind. */
  void train_step(Rows x, const float* y, int rows, const OptParams& opt, double step, double* stats);

  /** Staging buffer (capacity rows) that trainEpoch gathers shuffled targets into; inputs are read in place. */
  float* batch_y() const { return batch_y_; }

 private:
  struct Layer {
    int inputs, units;
    std::size_t weight_offset, bias_offset;
    std::size_t tile_squares_offset;  // into tile_squares_: this layer's dW tile sums
    float* z = nullptr;
    float* a = nullptr;
  };

  void update(const OptParams& opt, double step);
  double gradient_norm2() const;

  NetSpec spec_;
  std::vector<Layer> layers_;
  std::vector<float> tile_squares_;  // Σg² per dW micro-tile, written by the backward GEMMs
  std::size_t param_count_ = 0;
  int widest_ = 0;
  bool fused_output_delta_ = false;
  float* params_ = nullptr;
  float* grads_ = nullptr;
  float* state_ = nullptr;
  float* delta_a_ = nullptr;
  float* delta_z_ = nullptr;
  float* batch_y_ = nullptr;
  int capacity_ = 0;
};

}  // namespace mlpx
