// Prediction: the forward pass without the training workspace. Rows are run through every layer
// in blocks, each block on one thread with its own small buffers, so a large batch splits across
// the pool with no barrier between layers, and batch 1 allocates nothing. The weights are packed
// for the GEMM once and reused until the parameters change.
#pragma once

#include <cstddef>
#include <vector>

#include "aligned.h"
#include "gemm_ukernel.h"
#include "matmul.h"
#include "net.h"

namespace mlpx {

/** Units of the widest hidden layer (0 without one): infer's buffers hold a block of rows of it. */
int widest_hidden_layer(const NetSpec& spec);

/** Floats of the layers' weights packed for `kernel` (pack_weights), for these layer sizes. */
std::size_t packed_weights_floats(const std::vector<int>& sizes, const GemmKernel& kernel);

/**
 * Packs the layers' W (params in the flat layout: per layer W row-major, then b) for `kernel`'s
 * GEMM, layer after layer, into `packed` (packed_weights_floats of room): every layer at least one
 * micro-panel wide; narrower ones, and the biases, infer reads from params.
 */
void pack_weights(const NetSpec& spec, const float* params, const GemmKernel& kernel, float* packed);

/**
 * out (rows × outputs) = the network's output for x (rows × inputs). packed_weights: pack_weights
 * of these params for this kernel; the caller packs again whenever either changes. Bit-identical
 * to NetCore::forward on the same kernel path, for any row count and thread count (a packed B
 * gives the microkernel the same values in the same order as B read in place). A batch of one
 * block of rows keeps its hidden activations in caller_buffer, grown as needed; larger ones in
 * the pool threads' buffers. Throws std::bad_alloc, before computing anything, when a buffer
 * cannot grow.
 */
void infer(const NetSpec& spec, const float* params, const float* packed_weights, const GemmKernel& kernel,
           const float* x, int rows, float* out, AlignedFloats& caller_buffer);

}  // namespace mlpx
