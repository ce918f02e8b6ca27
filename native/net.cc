#include "net.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <utility>

#include "activation.h"
#include "dense.h"
#include "gemm_chunking.h"
#include "gemm_ukernel.h"
#include "loss.h"
#include "optim.h"
#include "parallel.h"
#include "profile.h"

namespace mlpx {

namespace {

// A layer is split over the pool's threads for the whole step, one chunk per thread: its forward
// GEMM by K blocks (GemmSplit::kDepth), its weight-gradient GEMM and its update by rows of W
// (GemmSplit::kRows). Each core then reads and writes only (about) its own rows of W, dW and the
// optimizer state, in its own cache, from one step to the next; the forward pass's products of
// the K blocks are added up in K order, so the bits are those of one thread. Not by columns of W:
// a column slice of a row-major W interleaves with the other core's in every row, and a loop of
// two threads writing alternate halves of each row of a 784×128 W and dW ran 15x slower than one
// thread (the hardware prefetchers fetch the neighbour's lines), where halves of the rows ran
// 1.65x faster.
// Since each core touches only its half of W, the split pays from a single row once the layer
// has this many multiply-adds: with the layer split against without, both on two threads of one
// die (bench/ab/ab.ts train --peak-gate 1.8), 784-128-10 trained 1.66x faster at batch 1
// (sigmoid), 1.67x at batch 4 and 1.63x at batch 8, 512-128-10 (65,536) 1.27x at batch 1; on two
// dies 1.02x at batch 1, where the split choice keeps most steps on the caller. Under that
// minimum, 512-64-10 and 400-64-10 at batch 1 trained at 0.99x and 0.95x split.
constexpr double kDepthSplitMinMacs = 1 << 16;
// A layer of one K block has its forward GEMM split by columns instead (kDepth falls back to
// kColumns), which reads every row of W on every core: taking those lines back cost the update
// ~20 µs a step of 784-128-10, and 128-128-10 at batch 4 trained at 0.94x split against not split.
// Such a layer is split from this many rows and multiply-adds (~1.2 µs on one AVX-512 core; below
// it, a pool round trip, ~0.3 µs while the workers spin, costs about as much as a thread saves).
constexpr int kColumnSplitMinRows = 16;
constexpr double kColumnSplitMinMacs = 1 << 18;

// A network whose every layer is one K block, with at least kTallRowsPerWidth rows per input and
// per unit, splits its steps by rows of the batch instead (net_forward, net_backward): each core
// computes every layer's forward GEMM and activation on its own rows, and in the backward pass
// their input gradient and the derivative of the activation below, so its rows of the activations
// and of δ stay in its cache from one layer to the next. The weight gradients sum over every row
// (split as below); the bias gradients, the loss and the update run on the caller. Split by rows
// of W instead, as wider layers are, 2-32-32-2 at batch 1000 (Adam; the 2-D playground's network)
// moved most of a step's activations and δ between the cores, and its split steps took 1.13x as
// long as the caller's alone. Split by rows of the batch, two threads train it 1.21-1.34x faster
// than one, and 20-64-64-10 at batch 512 1.49x (1.39x faster than split by rows of W); with their
// weight gradients split by rows of W, 128-128-10 at batch 512 trained 1.08x and 64-256-256-10 at
// batch 1024 1.06x faster than with every layer split by rows of W. With 2 rows per input and
// unit instead of 4, 128-128-10 at batch 256 trained 1.05x faster, 64-256-256-10 at batch 512
// 0.97x. From kRowSplitMinMacs in the whole step's forward GEMMs: 2-32-32-2 at batch 256 (2^18.2)
// trained 1.06x faster on two threads than on one.
// (The wasm backend splits a tall GEMM by rows from the same 4 rows per column,
// TALL_ROWS_PER_COLUMN in assembly/threads.ts, deciding per GEMM rather than per network.)
constexpr int kTallRowsPerWidth = 4;
constexpr double kRowSplitMinMacs = 1 << 18;

// In a tall network of narrow layers, where a core's rows of the activations and of δ outweigh
// the weights, the weight-gradient GEMMs split by rows of the batch too: by K blocks of rows
// (GemmSplit::kDepth), each core summing its own rows. Their tile sums are then not the ones one
// thread computes, so such a network's ‖g‖² is summed from the gradients on every thread count.
// Against dW split by rows of W, on two threads: 2-32-32-2 at batch 1000 (three K blocks, one
// core summing two) 1.07-1.20x (two A/Bs), 20-64-64-10 at batch 512 1.09x, 128-128-10 at batch
// 512 1.10x. Split so too, 64-256-256-10 at batch 1024 trained 0.85x as fast: its 256×256 weights
// weigh more than the rows of three K blocks dealt out two to one (and summing its ‖g‖² from the
// gradients cost 3.6% on one thread).
constexpr double kRowBlockMostWeights = 1 << 14;

/**
 * Whether the network of `sizes` is tall at `rows` rows (on kernel K blocks of `kc`): every layer
 * one K block, at least kTallRowsPerWidth rows per input and unit, kRowSplitMinMacs in all. Its
 * steps split by rows of the batch on two threads or more.
 */
bool tall_network(const std::vector<int>& sizes, int rows, int kc) {
  double macs = 0;
  for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
    if (sizes[l] > kc || rows < kTallRowsPerWidth * std::max(sizes[l], sizes[l + 1])) return false;
    macs += static_cast<double>(rows) * sizes[l] * sizes[l + 1];
  }
  return macs >= kRowSplitMinMacs;
}

/**
 * Whether the network is tall and its layers narrow (at most kRowBlockMostWeights weights each):
 * then its weight gradients may split by K blocks of the batch's rows, and its ‖g‖² is summed
 * from the gradients, on any thread count.
 */
bool row_block_gradients(const std::vector<int>& sizes, int rows, int kc) {
  for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
    if (static_cast<double>(sizes[l]) * sizes[l + 1] > kRowBlockMostWeights) return false;
  }
  return tall_network(sizes, rows, kc);
}

/** Whether a step of `rows` rows splits a layer over the pool for the whole step (net_forward). */
bool owned_split(int rows, int inputs, int units) {
  const double macs = static_cast<double>(rows) * inputs * units;
  if (inputs > gemm_kernel().kc) return macs >= kDepthSplitMinMacs;  // two K blocks or more
  return rows >= kColumnSplitMinRows && macs >= kColumnSplitMinMacs;
}

}  // namespace

std::size_t depth_partials_floats(const std::vector<int>& sizes, int rows) {
  const int kc = gemm_kernel().kc;
  std::size_t partials = 0;
  if (row_block_gradients(sizes, rows, kc)) {
    // the weight gradients' K blocks of rows (net_backward)
    const std::size_t row_blocks = (static_cast<std::size_t>(rows) + kc - 1) / kc;
    for (std::size_t l = 0; l + 1 < sizes.size(); ++l)
      partials = std::max(partials, (row_blocks - 1) * static_cast<std::size_t>(sizes[l]) * sizes[l + 1]);
  }
  for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
    const std::size_t blocks = (static_cast<std::size_t>(sizes[l]) + kc - 1) / kc;
    // capped before the product with rows, which could otherwise pass 2^64
    const std::size_t per_row = std::min((blocks - 1) * static_cast<std::size_t>(sizes[l + 1]), kMostDepthPartialFloats);
    partials = std::max(partials, per_row * static_cast<std::size_t>(rows));
  }
  return std::min(partials, kMostDepthPartialFloats);
}

float clip_scale(double clip_norm, double grad_norm2) {
  const double norm = std::sqrt(grad_norm2);
  return clip_norm > 0 && norm > clip_norm ? static_cast<float>(clip_norm / norm) : 1.0f;
}

NetCore::NetCore(NetSpec spec) : spec_(std::move(spec)) {
  std::size_t offset = 0, tiles = 0;
  for (int l = 0; l < spec_.layers(); ++l) {
    const int inputs = spec_.sizes[l], units = spec_.sizes[l + 1];
    const std::size_t weights = static_cast<std::size_t>(inputs) * units;
    layers_.push_back({inputs, units, offset, offset + weights, tiles});
    segments_.push_back({offset, offset + weights, &weight_step_});
    segments_.push_back({offset + weights, offset + weights + units, &bias_step_});
    offset += weights + units;
    tiles += sgemm_tiles(inputs, units);
  }
  tile_squares_.resize(tiles);
  param_count_ = offset;
  widest_ = *std::max_element(spec_.sizes.begin(), spec_.sizes.end());
  // Mirrors usesFusedOutputDelta in src/backend/layout.ts.
  const int last = spec_.activations.back();
  fused_output_delta_ =
      (last == kSoftmax && spec_.loss == kCrossEntropy) || (last == kSigmoid && spec_.loss == kBinaryCrossEntropy);
}

std::size_t NetCore::workspace_floats(int rows) const {
  std::size_t per_row = 2 * static_cast<std::size_t>(widest_) + spec_.outputs() + 1;
  for (const Layer& layer : layers_) per_row += 2 * static_cast<std::size_t>(layer.units);
  return per_row * static_cast<std::size_t>(rows);
}

void NetCore::attach_workspace(float* workspace, int rows) {
  float* next = workspace;
  auto take = [&](int width) {
    float* block = next;
    next += static_cast<std::size_t>(width) * rows;
    return block;
  };
  for (Layer& layer : layers_) {
    layer.z = take(layer.units);
    layer.a = take(layer.units);
  }
  delta_a_ = take(widest_);
  delta_z_ = take(widest_);
  batch_y_ = take(spec_.outputs());
  batch_weights_ = take(1);
  capacity_ = rows;
  // Room for a split forward GEMM's kept-apart K-block products on any number of threads
  // (net_forward, GemmSplit::kDepth).
  reserve_depth_partials(depth_partials_floats(spec_.sizes, rows));
}

DropoutMask NetCore::mask(int l, double dropout_step) const {
  return dropout_mask(spec_.dropout[l], spec_.seed, static_cast<std::uint64_t>(dropout_step), l);
}

bool NetCore::splits_batch_rows(int rows) const {
  return tall_network(spec_.sizes, rows, gemm_kernel().kc) && owned_chunks(GemmSplit::kRows, rows) >= 2;
}

bool NetCore::steps_use_pool(int rows) const {
  if (ranges_split(param_count_) || splits_batch_rows(rows)) return true;
  for (const Layer& layer : layers_) {
    if (owned_split(rows, layer.inputs, layer.units) || gemm_worth_splitting(rows, layer.units, layer.inputs) ||
        ranges_split(static_cast<std::size_t>(rows) * layer.units))
      return true;
  }
  return false;
}

const float* NetCore::net_forward(Rows x, int rows, const double* dropout_step, const Targets* targets) {
  const int L = spec_.layers();
  const int kc = gemm_kernel().kc;
  row_block_gradients_ = row_block_gradients(spec_.sizes, rows, kc);
  batch_rows_split_ = splits_batch_rows(rows);
  for (Layer& layer : layers_) {
    const bool owned = !batch_rows_split_ && owned_split(rows, layer.inputs, layer.units);
    layer.split_chunks = owned ? owned_chunks(GemmSplit::kRows, layer.inputs) : 1;
  }
  deltas_done_ = DeltasDone::kNone;
  for (int l = 0; l < L; ++l) {
    Layer& layer = layers_[l];
    const Rows input = l == 0 ? x : Rows(layers_[l - 1].a);
    const bool dropping = dropout_step != nullptr && spec_.dropout[l] != 0;
    RowActivation activate{layer.a, spec_.activations[l]};
    // the output layer follows on the cores that activated this split layer's rows (output_layer_rows)
    // (the output layer never drops: the Net constructor refuses that)
    const bool output_follows = l == L - 2 && layer.split_chunks > 1 && !dropping && layers_[L - 1].split_chunks == 1;
    if (output_follows) {
      // its backward too when its δz is the fused one and this layer's derivative is element-wise
      const bool deltas = targets != nullptr && fused_output_delta_ && spec_.activations[l] != kSoftmax;
      row_targets_ = deltas ? *targets : Targets{nullptr, nullptr};
      batch_rows_ = rows;
      activate.rows_done = output_layer_rows;
      activate.context = this;
    }
    // split by rows of the batch, the output layer's δz too, on the cores that computed its rows
    const bool output_delta = batch_rows_split_ && l == L - 1 && targets != nullptr && fused_output_delta_;
    if (output_delta) {
      row_targets_ = *targets;
      batch_rows_ = rows;
      activate.rows_done = output_delta_rows;
      activate.context = this;
    }
    const GemmSplit split = batch_rows_split_       ? GemmSplit::kRows
                            : layer.split_chunks > 1 ? GemmSplit::kDepth
                                                     : GemmSplit::kAuto;
    dense_forward(layer.z, input, params_ + layer.weight_offset, params_ + layer.bias_offset, rows, layer.inputs,
                  layer.units, split, dropping ? nullptr : &activate);
    if (dropping) {
      dropout_forward(layer.a, layer.z, rows, layer.units, spec_.activations[l], mask(l, *dropout_step));
    } else if (!activate.applied) {
      activation_forward(layer.a, layer.z, rows, layer.units, spec_.activations[l]);
    }
    if (output_delta && activate.applied) deltas_done_ = DeltasDone::kOutput;
    if (output_follows && activate.applied) {
      if (row_targets_.y != nullptr) deltas_done_ = DeltasDone::kOutputAndHidden;
      break;
    }
  }
  return layers_.back().a;
}

void NetCore::output_layer_rows(void* context, int first, int last, int thread, const ElementwiseLoops& loops) {
  NetCore& net = *static_cast<NetCore*>(context);
  const int L = net.spec_.layers();
  const Layer& hidden = net.layers_[L - 2];
  const Layer& output = net.layers_[L - 1];
  const int rows = last - first, n = output.units, k = output.inputs;
  const std::size_t begin = static_cast<std::size_t>(first) * n, end = static_cast<std::size_t>(last) * n;
  const float* w = net.params_ + output.weight_offset;
  // the same kernels, per row, as dense_forward and activation_forward on the whole batch
  sgemm_on_thread(thread, false, false, rows, n, k, Rows(hidden.a + static_cast<std::size_t>(first) * k), w,
                  output.z + begin, net.params_ + output.bias_offset);
  const int act = net.spec_.activations[L - 1];
  if (act == kSoftmax) {
    loops.softmax_rows(output.a, output.z, first, last, n);
  } else {
    loops.activation_forward(output.a, output.z, begin, end, act);
  }
  if (net.row_targets_.y == nullptr) return;
  // then what net_backward would start with: the output layer's δz (into its z), the hidden
  // layer's δa = δz·Wᵀ and its δz
  float* output_dz = output.z;
  net.output_delta_into(output_dz, first, last, loops);
  const std::size_t hidden_begin = static_cast<std::size_t>(first) * k, hidden_end = static_cast<std::size_t>(last) * k;
  sgemm_on_thread(thread, false, true, rows, k, n, Rows(output_dz + begin), w, net.delta_a_ + hidden_begin, nullptr);
  loops.activation_backward(net.delta_z_, net.delta_a_, hidden.a, hidden_begin, hidden_end, net.spec_.activations[L - 2]);
}

void NetCore::output_delta_rows(void* context, int first, int last, int, const ElementwiseLoops& loops) {
  const NetCore& net = *static_cast<const NetCore*>(context);
  net.output_delta_into(net.delta_z_, first, last, loops);
}

void NetCore::output_delta_into(float* dz, int first, int last, const ElementwiseLoops& loops) const {
  const Layer& output = layers_.back();
  const std::size_t n = static_cast<std::size_t>(output.units);
  loops.output_delta_fused(dz, output.a, row_targets_.y, row_targets_.weights, n * first, n * last, n,
                           static_cast<float>(batch_rows_), spec_.activations.back() == kSoftmax);
}

void NetCore::net_loss(const float* output, const float* y, const float* weights, int rows, double* stats) const {
  stats[kStatLoss] = loss_forward(output, y, weights, rows, spec_.outputs(), spec_.loss);
  stats[kStatCorrect] = count_correct(output, y, rows, spec_.outputs());
}

void NetCore::net_backward(Rows x, const float* y, const float* weights, int rows, double* stats,
                           const double* dropout_step) {
  const int L = spec_.layers();
  const int kc = gemm_kernel().kc;
  Layer& last = layers_[L - 1];
  int l = L - 1;
  const bool same_targets = rows == batch_rows_ && y == row_targets_.y && weights == row_targets_.weights;
  const DeltasDone done = same_targets ? deltas_done_ : DeltasDone::kNone;
  deltas_done_ = DeltasDone::kNone;
  if (done == DeltasDone::kOutputAndHidden) {
    // net_forward's split left the output layer's δz in its z and the last hidden layer's in delta_z_
    last.tile_squares_written =
        dense_backward(nullptr, grads_ + last.weight_offset, grads_ + last.bias_offset, last.z, Rows(layers_[L - 2].a),
                       params_ + last.weight_offset, rows, last.inputs, last.units,
                       tile_squares_.data() + last.tile_squares_offset, GemmSplit::kAuto);
    l = L - 2;
  } else if (done == DeltasDone::kNone && fused_output_delta_) {
    output_delta_fused(delta_z_, last.a, y, weights, rows, last.units, spec_.activations[L - 1]);
  } else if (done == DeltasDone::kNone) {
    loss_backward(delta_a_, last.a, y, weights, rows, last.units, spec_.loss);
    activation_backward(delta_z_, delta_a_, last.z, last.a, rows, last.units, spec_.activations[L - 1]);
  }  // kOutput: the output layer's δz is in delta_z_ (output_delta_rows)
  // Split by rows of the batch, each core turns its rows of δa into δz in place, so δz of layer
  // l − 1 is written where δa is, while the other core may still read its rows of layer l's δz.
  // Otherwise δa goes to delta_a_, δz to delta_z_.
  float* dz = delta_z_;
  float* da = delta_a_;
  for (; l >= 0; --l) {
    Layer& layer = layers_[l];
    const Rows input = l == 0 ? x : Rows(layers_[l - 1].a);
    const bool dropping = l > 0 && dropout_step != nullptr && spec_.dropout[l - 1] != 0;
    const int act = l > 0 ? spec_.activations[l - 1] : kLinear;
    HiddenDeltaRows below{da, l > 0 ? layers_[l - 1].a : nullptr, layer.inputs, act};
    RowActivation derivative{nullptr, act, hidden_delta_rows, &below};
    // dW sums over every row of the batch: split by rows of the batch, by its K blocks where the
    // layers are narrow (row_block_gradients) and the batch is two K blocks or more, else by rows
    // of W, each core then reading half of the other's rows (2-32-32-2 at batch 1000: 0.94x the
    // step time of dW on the caller alone). Not kDepth's own fallback for one K block, a split by
    // columns of dW: a narrow layer's dW has one or two column tiles.
    const bool row_blocks = batch_rows_split_ && row_block_gradients_ && rows > kc;
    const GemmSplit dw_split = row_blocks                                    ? GemmSplit::kDepth
                               : layer.split_chunks > 1 || batch_rows_split_ ? GemmSplit::kRows
                                                                            : GemmSplit::kAuto;
    // dx's columns are w's rows: a layer split by rows of w splits dx by the same columns, so each
    // core reads only its own rows of w
    const GemmSplit dx_split = batch_rows_split_       ? GemmSplit::kRows
                               : layer.split_chunks > 1 ? GemmSplit::kColumns
                                                        : GemmSplit::kAuto;
    layer.tile_squares_written =
        dense_backward(l == 0 ? nullptr : da, grads_ + layer.weight_offset, grads_ + layer.bias_offset, dz, input,
                       params_ + layer.weight_offset, rows, layer.inputs, layer.units,
                       row_block_gradients_ ? nullptr : tile_squares_.data() + layer.tile_squares_offset, dw_split,
                       dx_split,
                       batch_rows_split_ && !dropping && act != kSoftmax ? &derivative : nullptr);
    if (l == 0) break;
    float* below_dz = batch_rows_split_ ? da : dz;
    const Layer& under = layers_[l - 1];
    if (dropping) {
      dropout_backward(below_dz, da, under.z, rows, layer.inputs, act, mask(l - 1, *dropout_step));
    } else if (!derivative.applied) {
      activation_backward(below_dz, da, under.z, under.a, rows, layer.inputs, act);
    }
    if (batch_rows_split_) std::swap(dz, da);
  }
  stats[kStatGradNorm2] = gradient_norm2();
}

void NetCore::hidden_delta_rows(void* context, int first, int last, int, const ElementwiseLoops& loops) {
  const HiddenDeltaRows& below = *static_cast<const HiddenDeltaRows*>(context);
  const std::size_t n = static_cast<std::size_t>(below.units);
  loops.activation_backward(below.delta, below.delta, below.a, n * first, n * last, below.act);
}

// ‖g‖² from the tile sums the backward GEMMs left, plus the biases: no pass over the weight
// gradients (which, for wide layers, no longer sit in cache). A fixed order, so the same for any
// thread count. The tile sums are float, so a gradient above ~1e19 overflows them although its
// float64 norm (what the reference computes) is finite: then recount every gradient in float64,
// so native stops training exactly when the reference would. A network whose weight gradients
// may be summed by K blocks of rows (row_block_gradients) gets no tile sums: it always counts
// every gradient so.
double NetCore::gradient_norm2() const {
  MLPX_PHASE(kGradientNorm);
  if (row_block_gradients_) return sum_squares(grads_, param_count_);
  double sum = 0;
  for (const Layer& layer : layers_) {
    const float* squares = tile_squares_.data() + layer.tile_squares_offset;
    for (std::size_t i = 0; i < layer.tile_squares_written; ++i) sum += squares[i];
  }
  for (const Layer& layer : layers_) sum += sum_squares(grads_ + layer.bias_offset, layer.units);
  if (!std::isfinite(sum)) sum = sum_squares(grads_, param_count_);
  return sum;
}

double NetCore::weight_penalty_sum(const OptParams& opt) const {
  if (opt.l2 == 0.0f && opt.l1 == 0.0f) return 0;
  double sum = 0;
  for (const Layer& layer : layers_)
    sum += weight_penalty(params_ + layer.weight_offset, layer.bias_offset - layer.weight_offset, opt.l2, opt.l1);
  return sum;
}

bool NetCore::optimizer_update(const OptParams& opt, float lr, double step, float grad_scale) {
  const GradientTransform weights{grad_scale, opt.clip_value, opt.l2, opt.l1, opt.weight_decay};
  const GradientTransform biases{grad_scale, opt.clip_value, 0.0f, 0.0f, 0.0f};
  weight_step_ = update_step(opt.kind, lr, opt.beta1, opt.beta2, opt.eps, opt.nesterov, step, weights);
  bias_step_ = update_step(opt.kind, lr, opt.beta1, opt.beta2, opt.eps, opt.nesterov, step, biases);
  float* second = opt.kind == kAdam ? state_ + param_count_ : nullptr;
  int chunks = 1;
  for (const Layer& layer : layers_) chunks = std::max(chunks, layer.split_chunks);
  if (chunks > 1) return update_owned(chunks, second);
  return update_segments(params_, grads_, state_, second, param_count_, segments_.data(), segments_.size());
}

// Task c updates chunk c of each split layer's weights (its rows of W) on the thread whose GEMM
// wrote that chunk's dW. Task 0, on the calling thread, also updates the biases and every layer
// that was not split: the calling thread computed their gradients and ran their forward pass, so
// their lines are in its cache, and another core would fetch each one from there.
bool NetCore::update_owned(int chunks, float* state1) {
  MLPX_PHASE(kUpdate);
  struct Context {
    NetCore* net;
    float* state1;
    int chunks;
    const ElementwiseLoops* loops;
    int mr;  // the GEMMs' micro-tile height, which the split rows follow
    std::atomic<bool> finite{true};
  } context{this, state1, chunks, &elementwise_loops(), gemm_kernel().mr};
  auto task = [](void* opaque, int chunk, int) {
    Context& c = *static_cast<Context*>(opaque);
    const NetCore& net = *c.net;
    std::uint32_t bad = 0;
    auto update = [&](std::size_t begin, std::size_t end, const UpdateStep& step) {
      if (begin < end) bad |= c.loops->update(net.params_, net.grads_, net.state_, c.state1, begin, end, step);
    };
    for (const Layer& layer : net.layers_) {
      if (layer.split_chunks > 1) {
        if (chunk < layer.split_chunks) {
          int first, last;
          owned_span(layer.inputs, c.mr, chunk, layer.split_chunks, &first, &last);
          const std::size_t row = layer.units;
          update(layer.weight_offset + first * row, layer.weight_offset + last * row, net.weight_step_);
        }
      } else if (chunk == 0) {
        update(layer.weight_offset, layer.bias_offset, net.weight_step_);
      }
      if (chunk == 0) update(layer.bias_offset, layer.bias_offset + layer.units, net.bias_step_);
    }
    if (bad != 0) c.finite.store(false, std::memory_order_relaxed);
  };
  parallel_tasks(chunks, task, &context, true);
  return context.finite.load(std::memory_order_relaxed);
}

// One training step under the split choice: on two or more threads, a step of the batch size the
// choice is about runs split or on the caller alone as it says (set_caller_only), and finish()
// tells it the step's time, unless the pool kept some of the step's jobs on the caller after
// finding a worker preempted (then the step ran neither way). Steps that never use the pool, and
// shorter steps (NetCore::shorter_step_on_caller), are not timed. The destructor lets the pool
// split again however the step ends.
class NetCore::ChosenStep {
 public:
  using Clock = std::chrono::steady_clock;

  ChosenStep(NetCore& net, int rows) : net_(net) {
    if (threads() < 2) return;
    bool known = rows == net.choice_rows_;
    // the first size is taken at once, so that an epoch of one full batch and a shorter one gets
    // a choice; later, a size must come twice in a row, so that an epoch's last batch does not
    // start the choice over
    if (!known && (rows == net.pending_rows_ || net.choice_rows_ == 0)) {
      net.choice_rows_ = rows;
      net.choice_uses_pool_ = net.steps_use_pool(rows);
      net.choice_.reset();
      known = true;
    }
    net.pending_rows_ = rows;
    if (!known && net.shorter_step_on_caller(rows)) {
      solo_ = true;
      set_caller_only(true);
    }
    if (!known || !net.choice_uses_pool_) return;
    timed_ = true;
    solo_ = net.choice_.solo();
    if (solo_) set_caller_only(true);
    backed_off_ = pool_backed_off_jobs();
    start_ = Clock::now();
  }
  ChosenStep(const ChosenStep&) = delete;
  ChosenStep& operator=(const ChosenStep&) = delete;
  ~ChosenStep() {
    if (solo_) set_caller_only(false);
  }

  void finish() {
    if (!timed_) return;
    const auto ms = std::chrono::duration<double, std::milli>(Clock::now() - start_).count();
    if (pool_backed_off_jobs() == backed_off_) net_.choice_.observe(ms);
  }

 private:
  NetCore& net_;
  bool timed_ = false;
  bool solo_ = false;
  std::uint64_t backed_off_ = 0;
  Clock::time_point start_{};
};

void NetCore::net_train_step(Rows x, const float* y, const float* weights, int rows, const OptParams& opt, float lr,
                             double step, double* stats) {
  KernelSession session;
  ChosenStep chosen(*this, rows);
  train_step(x, y, weights, rows, opt, lr, step, stats);
  chosen.finish();
}

void NetCore::train_step(Rows x, const float* y, const float* weights, int rows, const OptParams& opt, float lr,
                         double step, double* stats) {
  const Targets targets{y, weights};
  net_loss(net_forward(x, rows, &step, &targets), y, weights, rows, stats);
  stats[kStatLoss] += weight_penalty_sum(opt);
  net_backward(x, y, weights, rows, stats, &step);
  const double grad_norm2 = stats[kStatGradNorm2];
  const StepStatus status = !std::isfinite(stats[kStatLoss])        ? kStepLossNonFinite
                            : !(grad_norm2 <= kGradNorm2Limit)       ? kStepGradientNonFinite
                            : optimizer_update(opt, lr, step, clip_scale(opt.clip_norm, grad_norm2)) ? kStepOk
                                                                                                     : kStepUpdateNonFinite;
  stats[kStatStatus] = status;
}

int NetCore::net_train_batches(const BatchSource& source, int first, int count, const OptParams& opt,
                               double first_step, double* stats) {
  const std::size_t outputs = spec_.outputs();
  const bool weighted = source.weights != nullptr;
  for (int i = 0; i < count; ++i) {
    const int batch = first + i;
    const std::size_t start = static_cast<std::size_t>(batch) * source.batch_size;
    const int rows = static_cast<int>(std::min<std::size_t>(source.batch_size, source.order_length - start));
    const std::uint32_t* batch_rows = source.order + start;
    KernelSession session;
    ChosenStep chosen(*this, rows);
    // each row's targets and weight in one pass over the order (its x row is read in place)
    for (int r = 0; r < rows; ++r) {
      std::memcpy(batch_y_ + r * outputs, source.y + batch_rows[r] * outputs, outputs * sizeof(float));
      if (weighted) batch_weights_[r] = source.weights[batch_rows[r]];
    }
    const float lr = source.rates != nullptr ? source.rates[batch] : opt.lr;
    double* batch_stats = stats + static_cast<std::size_t>(i) * kStatsPerBatch;
    train_step(Rows(source.x, batch_rows), batch_y_, weighted ? batch_weights_ : nullptr, rows, opt, lr,
               first_step + i, batch_stats);
    chosen.finish();
    if (batch_stats[kStatStatus] != kStepOk) return i + 1;
  }
  return count;
}

}  // namespace mlpx
