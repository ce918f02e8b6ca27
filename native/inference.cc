#include "inference.h"

#include <algorithm>
#include <cstddef>
#include <vector>

#include "activation.h"
#include "elementwise.h"
#include "gemm_driver.h"
#include "matmul.h"
#include "parallel.h"

namespace mlpx {

namespace {

// Rows per block: a few micro-panels, so a block's activations stay in L1/L2 between layers. The
// more panels, the fewer times each block re-reads the weights, but the fewer blocks to balance
// across threads: a block has the most panels of these that still makes kBlocksPerThread blocks per
// thread. 784-128-10 at batch 1024 ran 1.012x faster on one thread with 8 panels than with 4, and
// 0.968x on two (10.7 blocks).
constexpr int kMostPanelsPerBlock = 8;
constexpr int kFewestPanelsPerBlock = 4;
constexpr int kBlocksPerThread = 8;

int block_rows(int rows, int mr) {
  const int pool_threads = threads();
  int panels = kMostPanelsPerBlock;
  while (panels > kFewestPanelsPerBlock && rows < kBlocksPerThread * pool_threads * panels * mr) panels /= 2;
  return panels * mr;
}

// Layers narrower than one micro-panel are read in place: their rows lie side by side, so there
// is nothing for packing to gather, and padded to a whole panel a one-output layer's copy would
// take 16–32 times its weights.
bool packs_layer(const GemmKernel& kernel, int units) { return units >= kernel.nr; }

struct Inference {
  const NetSpec& spec;
  const GemmKernel& kernel;
  const ElementwiseLoops& loops;
  const float* params;
  const float* packed_weights;
  const float* x;
  int rows;
  float* out;
  int block_rows;
  std::size_t half_buffer;  // floats of one hidden layer's block: each thread's buffer holds two
  // ... then room for a copied A micro-panel (GemmOperands::a_copy)
  std::size_t buffer_floats() const { return 2 * half_buffer + gemm_a_copy_floats(); }
};

// Rows [first, first + count) through every layer. Hidden layers go to the two halves of the
// thread's buffer in turn; the last layer writes straight into out. The bias is added in the GEMM
// epilogue and the activation applied in place, as NetCore::forward (dense_forward, then
// activation_forward) does.
void run_block(const Inference& job, int first, int count, float* buffer) {
  const NetSpec& spec = job.spec;
  const int layers = spec.layers();
  Rows input(job.x + static_cast<std::size_t>(first) * spec.inputs());
  std::size_t offset = 0;
  const float* packed = job.packed_weights;
  for (int l = 0; l < layers; ++l) {
    const int inputs = spec.sizes[l], units = spec.sizes[l + 1];
    const float* w = job.params + offset;
    const float* bias = w + static_cast<std::size_t>(inputs) * units;
    offset += (static_cast<std::size_t>(inputs) + 1) * units;
    float* output = job.out + static_cast<std::size_t>(first) * units;
    if (l + 1 < layers) output = buffer + (l % 2) * job.half_buffer;
    const bool packed_layer = packs_layer(job.kernel, units);
    GemmOperands g(job.kernel, false, false, count, units, inputs, input, packed_layer ? packed : w, output, bias, nullptr);
    g.b_source = packed_layer ? GemmOperands::BSource::kPackedWhole : GemmOperands::BSource::kInPlace;
    g.a_copy = buffer + 2 * job.half_buffer;
    gemm_block(g, 0, count, 0, units, nullptr);
    activation_forward_serial(output, output, count, units, spec.activations[l], job.loops);
    input = Rows(output);
    if (packed_layer) packed += packed_b_floats(job.kernel, inputs, units);
  }
}

void block_task(void* context, int block, int thread) {
  const Inference& job = *static_cast<const Inference*>(context);
  const int first = block * job.block_rows;
  run_block(job, first, std::min(job.block_rows, job.rows - first), thread_buffer(thread));
}

}  // namespace

int widest_hidden_layer(const NetSpec& spec) {
  int widest = 0;
  for (int l = 1; l < spec.layers(); ++l) widest = std::max(widest, spec.sizes[l]);
  return widest;
}

std::size_t packed_weights_floats(const std::vector<int>& sizes, const GemmKernel& kernel) {
  std::size_t floats = 0;
  for (std::size_t l = 0; l + 1 < sizes.size(); ++l)
    if (packs_layer(kernel, sizes[l + 1])) floats += packed_b_floats(kernel, sizes[l], sizes[l + 1]);
  return floats;
}

void pack_weights(const NetSpec& spec, const float* params, const GemmKernel& kernel, float* packed) {
  for (int l = 0; l < spec.layers(); ++l) {
    const int inputs = spec.sizes[l], units = spec.sizes[l + 1];
    if (packs_layer(kernel, units)) {
      pack_whole_b(kernel, params, inputs, units, packed);
      packed += packed_b_floats(kernel, inputs, units);
    }
    params += (static_cast<std::size_t>(inputs) + 1) * units;
  }
}

void infer(const NetSpec& spec, const float* params, const float* packed_weights, const GemmKernel& kernel,
           const float* x, int rows, float* out, AlignedFloats& caller_buffer) {
  Inference job{spec, kernel, elementwise_loops(), params, packed_weights, x, rows, out, block_rows(rows, kernel.mr), 0};
  job.half_buffer = static_cast<std::size_t>(std::min(job.block_rows, rows)) * widest_hidden_layer(spec);
  const int blocks = (rows + job.block_rows - 1) / job.block_rows;
  if (blocks > 1) return parallel_tasks_with_buffers(blocks, block_task, &job, job.buffer_floats());
  // one block: on this thread, without the pool's lock (a GEMM of another network's training may hold it)
  if (caller_buffer.size() < job.buffer_floats()) caller_buffer = AlignedFloats(job.buffer_floats());
  run_block(job, 0, rows, caller_buffer.data());
}

}  // namespace mlpx
