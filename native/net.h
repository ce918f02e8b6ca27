// One network's fused steps in C++ (FUSED_STEP_NAMES in src/backend/kernels.ts): the same phases
// as ComposedEngine (src/backend/composed.ts) and assembly/step.ts, under the same names, over
// memory the caller attaches (net_napi.cc owns it). Nothing here allocates after construction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "elementwise.h"
#include "matmul.h"
#include "optim.h"
#include "split_choice.h"

namespace mlpx {

/** Slots of a stats array (float64); must match STAT_* in src/backend/engine.ts. */
constexpr int kStatLoss = 0;
constexpr int kStatCorrect = 1;
constexpr int kStatGradNorm2 = 2;
constexpr int kStatStatus = 3;
constexpr int kStatsPerBatch = 4;

/** What net_train_step reports; must match STEP_* in src/backend/engine.ts. */
enum StepStatus : int { kStepOk = 0, kStepLossNonFinite = 1, kStepGradientNonFinite = 2, kStepUpdateNonFinite = 3 };
/** The largest ‖g‖² a step applies (GRAD_NORM2_LIMIT in src/backend/engine.ts): float32's largest value. */
constexpr double kGradNorm2Limit = static_cast<double>(std::numeric_limits<float>::max());

/** Most parameters a network may have (counts travel as 32-bit integers); MAX_PARAMETERS in layout.ts. */
constexpr std::size_t kMaxParameters = (std::size_t{1} << 31) - 1;

struct NetSpec {
  std::vector<int> sizes;        // inputs, then units per layer
  std::vector<int> activations;  // one per layer
  int loss = 0;
  std::vector<std::uint32_t> dropout;  // per layer: units below this threshold are dropped (0: no dropout)
  std::uint64_t seed = 0;              // of the dropout masks
  int layers() const { return static_cast<int>(activations.size()); }
  int inputs() const { return sizes.front(); }
  int outputs() const { return sizes.back(); }
};

/** OptimizerParams (src/backend/kernels.ts): the optimizer's constants and the gradient transform's. */
struct OptParams {
  int kind;
  float lr, beta1, beta2, eps;
  bool nesterov;
  float l2, l1, weight_decay;
  double clip_norm;  // 0: none
  float clip_value;  // 0: none
};

/** Positions in the packed Float64Array form of OptimizerParams (OPTIMIZER_FIELDS in kernels.ts). */
enum OptField : int {
  kOptKind, kOptLr, kOptBeta1, kOptBeta2, kOptEps, kOptNesterov, kOptL2, kOptL1, kOptWeightDecay, kOptClipNorm,
  kOptClipValue, kOptFields
};

/** A bound data set: x and y rows (and row weights), read through an epoch's order; rates per batch. */
struct BatchSource {
  const float* x;
  const float* y;
  const float* weights;  // null: every row weighs 1
  const std::uint32_t* order;
  std::size_t order_length;
  int batch_size;
  const float* rates;  // the learning rate of each batch of the epoch; null: opt.lr
};

/**
 * Floats of K-block products (reserve_depth_partials) a network of these sizes makes room for when
 * it reserves batches of `rows` rows, on the kernel path in use: every K block but the first of a
 * split forward GEMM, for its largest layer, at most kMostDepthPartialFloats. The buffer is the
 * process's, outside the workspace, so the memory check counts it separately
 * (src/backend/native/index.ts).
 */
std::size_t depth_partials_floats(const std::vector<int>& sizes, int rows);

/** The targets of a training batch: y (rows × outputs) and each row's weight (null: 1). */
struct Targets {
  const float* y;
  const float* weights;
};

/** The clip-by-norm factor min(1, clip_norm / ‖g‖) as a float (clipScale in src/backend/engine.ts). */
float clip_scale(double clip_norm, double grad_norm2);

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
  /**
   * Whether a training step of up to `rows` rows may hand work to the thread pool: a layer split
   * for the whole step, a GEMM or an element-wise pass large enough to split.
   */
  bool steps_use_pool(int rows) const;
  /** Whether the split choice runs the next training step of `rows` rows on the caller alone. */
  bool next_step_on_caller(int rows) const {
    return (rows == choice_rows_ && choice_uses_pool_ && choice_.solo()) || shorter_step_on_caller(rows);
  }
  /**
   * Whether it runs the steps of `rows` rows on the calling thread alone but for its trials (for
   * an epoch's batch size: not shorter_step_on_caller, as a run of a shorter size gets its own
   * choice).
   */
  bool steps_stay_on_caller(int rows) const {
    return rows == choice_rows_ && choice_uses_pool_ && choice_.staying_solo();
  }
  /** Tests: the choice told a step's time (NetCore::ChosenStep's), after starting over with `restart`. */
  void observe_split_choice(double ms, bool restart) {
    if (restart) choice_.reset();
    choice_.observe(ms);
  }
  /**
   * Whether a step of fewer rows than the choice is about (an epoch's last batch) runs on the
   * caller alone: it does while the steps of the full batch stay there, since a shorter step has
   * less work to split. Such a step is not timed.
   */
  bool shorter_step_on_caller(int rows) const {
    return rows < choice_rows_ && choice_uses_pool_ && choice_.staying_solo();
  }

  /**
   * Output (capacity × outputs buffer) of the forward pass of rows ≤ capacity rows of x; with
   * dropout_step, the dropout layers drop with the masks of that update number (training). With
   * targets, it may also start the backward pass for them (output_layer_rows), which net_backward
   * then continues.
   */
  const float* net_forward(Rows x, int rows, const double* dropout_step = nullptr, const Targets* targets = nullptr);
  /** Loss (rows weighted by `weights`, null: 1) and correct rows of `output` (net_forward's) against y. */
  void net_loss(const float* output, const float* y, const float* weights, int rows, double* stats) const;
  /** Gradients after net_forward on the same rows with the same dropout_step; ‖g‖² into stats. */
  void net_backward(Rows x, const float* y, const float* weights, int rows, double* stats,
                    const double* dropout_step = nullptr);
  /**
   * One update of opt.kind (the state must be sized for it) with learning rate lr and clip-by-norm
   * factor grad_scale: each layer's weights with l2, l1 and decay, its biases without. False if it
   * wrote a non-finite value.
   */
  bool optimizer_update(const OptParams& opt, float lr, double step, float grad_scale);
  /**
   * net_forward (dropping), net_loss plus the weight penalty, net_backward, then optimizer_update
   * unless the loss is non-finite or ‖g‖² beyond kGradNorm2Limit; the StepStatus into stats.
   */
  void net_train_step(Rows x, const float* y, const float* weights, int rows, const OptParams& opt, float lr,
                      double step, double* stats);
  /**
   * Batches [first, first + count) of an epoch: batch i reads rows order[i·batch_size …) of the
   * source in place (the last batch may be short; targets and weights are gathered), runs
   * net_train_step with update number first_step + i − first and the batch's rate, and writes its
   * stats at stats + kStatsPerBatch·(i − first). Stops after a batch whose status is not kStepOk.
   * Returns the number of batches run.
   */
  int net_train_batches(const BatchSource& source, int first, int count, const OptParams& opt, double first_step,
                        double* stats);

 private:
  class ChosenStep;
  /** net_train_step's phases, which the split choice runs split or on the caller (ChosenStep). */
  void train_step(Rows x, const float* y, const float* weights, int rows, const OptParams& opt, float lr, double step,
                  double* stats);
  struct Layer {
    int inputs, units;
    std::size_t weight_offset, bias_offset;
    std::size_t tile_squares_offset;  // into tile_squares_: this layer's dW tile sums
    std::size_t tile_squares_written = 0;  // of them, by net_backward's GEMM (its kernel path's grid)
    // chunks of net_forward's split of this layer over the pool (1: none), which net_backward and
    // optimizer_update follow: by K blocks forward, by rows of W for dW and the update
    int split_chunks = 1;  // 1 too when the step is split by rows of the batch (batch_rows_split_)
    float* z = nullptr;
    float* a = nullptr;
  };

  /**
   * RowActivation::rows_done of the last hidden layer when it is split and the output layer is
   * not: rows [first, last) of the output layer's forward pass and, with targets, of its δz (into
   * its z, which nothing reads once a = act(z) under a fused output delta) and the hidden layer's
   * δz (into delta_z_, via δa in delta_a_). Each core runs them on the rows it has just summed and
   * activated, in its cache, instead of the caller running them on the whole batch alone.
   */
  static void output_layer_rows(void* net, int first, int last, int thread, const ElementwiseLoops& loops);
  /**
   * RowActivation::rows_done of the output layer when a step is split by rows of the batch: rows
   * [first, last) of its δz, into delta_z_, under a fused output delta.
   */
  static void output_delta_rows(void* net, int first, int last, int thread, const ElementwiseLoops& loops);
  /** Rows [first, last) of the output layer's fused δz (its a must be current) into dz. */
  void output_delta_into(float* dz, int first, int last, const ElementwiseLoops& loops) const;
  /** The layer below a layer split by rows of the batch: its δa, turned into δz in place. */
  struct HiddenDeltaRows {
    float* delta;
    const float* a;
    int units;
    int act;
  };
  /**
   * RowActivation::rows_done of a layer's input-gradient GEMM split by rows of the batch: rows
   * [first, last) of the layer below's δz, from its δa (the GEMM's rows) and its activations.
   */
  static void hidden_delta_rows(void* below, int first, int last, int thread, const ElementwiseLoops& loops);
  /**
   * Whether a step of `rows` rows splits every layer by rows of the batch (net_forward,
   * net_backward): all layers one K block and tall.
   */
  bool splits_batch_rows(int rows) const;
  double gradient_norm2() const;
  /** optimizer_update split as the layers' split rows of W: `chunks` pool tasks, task c on thread c. */
  bool update_owned(int chunks, float* state1);
  /** ½ l2 ‖W‖² + l1 ‖W‖₁ over every layer's weights */
  double weight_penalty_sum(const OptParams& opt) const;
  /** dropout_step's mask of layer l */
  DropoutMask mask(int l, double dropout_step) const;

  NetSpec spec_;
  std::vector<Layer> layers_;
  // each layer's weights then its biases, updated with weight_step_ and bias_step_ (filled per update)
  std::vector<UpdateSegment> segments_;
  UpdateStep weight_step_{}, bias_step_{};
  std::vector<float> tile_squares_;  // Σg² per dW micro-tile, written by the backward GEMMs
  std::size_t param_count_ = 0;
  int widest_ = 0;
  bool fused_output_delta_ = false;
  // output_layer_rows' and output_delta_rows' inputs, set by net_forward before the split GEMM
  Targets row_targets_{};  // y null: the output layer's forward pass only
  int batch_rows_ = 0;
  // The δz net_forward computed for row_targets_ (for batch_rows_ rows): kOutputAndHidden, the
  // output layer's in its z and the last hidden layer's in delta_z_ (output_layer_rows);
  // kOutput, the output layer's in delta_z_ (output_delta_rows)
  enum class DeltasDone { kNone, kOutput, kOutputAndHidden };
  DeltasDone deltas_done_ = DeltasDone::kNone;
  float* params_ = nullptr;
  float* grads_ = nullptr;
  float* state_ = nullptr;
  // net_forward's row_block_gradients (any thread count) and splits_batch_rows, which
  // net_backward and gradient_norm2 follow
  bool row_block_gradients_ = false;
  bool batch_rows_split_ = false;
  float* delta_a_ = nullptr;
  float* delta_z_ = nullptr;
  float* batch_y_ = nullptr;
  float* batch_weights_ = nullptr;
  int capacity_ = 0;
  // whether steps split across the pool or run on the caller alone (split_choice.h), for steps of
  // choice_rows_ rows (0: no step yet); a step of another size runs untimed, split unless
  // shorter_step_on_caller, and the choice starts over for its size if the next step has that
  // size too
  SplitChoice choice_;
  int choice_rows_ = 0;
  int pending_rows_ = 0;
  bool choice_uses_pool_ = false;  // steps of choice_rows_ rows use the pool (steps_use_pool)
};

}  // namespace mlpx
