// Prediction: the forward pass without the training workspace. Rows are run through every layer
// in blocks, each block on one thread with its own small buffers, so a large batch splits across
// the pool with no barrier between layers, and batch 1 allocates nothing and packs nothing.
#pragma once

#include "aligned.h"
#include "matmul.h"
#include "net.h"

namespace mlpx {

/**
 * out (rows × outputs) = the network's output for x (rows × inputs), parameters in the flat layout
 * (per layer W row-major, then b). The weights are read in place: nothing is packed or cached, so
 * there is nothing to go stale when the parameters change. Bit-identical to NetCore::forward on
 * the same kernel path, for any row count and thread count. A batch of one block of rows keeps its
 * hidden activations in caller_buffer, grown as needed; larger ones in the pool threads' buffers.
 * Throws std::bad_alloc, before computing anything, when a buffer cannot grow.
 */
/** Units of the widest hidden layer (0 without one): infer's buffers hold a block of rows of it. */
int widest_hidden_layer(const NetSpec& spec);

void infer(const NetSpec& spec, const float* params, const float* x, int rows, float* out, AlignedFloats& caller_buffer);

}  // namespace mlpx
