// The single-threaded core of sgemm (native/matmul.cc): BLIS-style cache blocking and packing
// around one kernel path's microkernel, over any rectangle of whole micro-tiles of C. matmul.cc
// deals rectangles out to the thread pool; the inference path (native/inference.cc) runs its own
// row blocks through it with the weights packed once (pack_whole_b).
#pragma once

#include <cstddef>
#include <vector>

#include "aligned.h"
#include "gemm_ukernel.h"
#include "matmul.h"

namespace mlpx {

/** Per-thread buffers, big enough for every kernel path's blocking. */
struct GemmScratch {
  GemmScratch();
  AlignedFloats b;                    // a packed KC × NC block of B
  std::vector<const float*> k_rows;  // Aᵀ·B: the rows of A in the current K block
  AlignedFloats a_copy;               // GemmOperands::a_copy
};

/** Floats of room for one copied A micro-panel of any kernel path (GemmOperands::a_copy). */
std::size_t gemm_a_copy_floats();

struct GemmOperands {
  const GemmKernel* kernel;
  bool trans_a, trans_b;
  int m, n, k;
  Rows a;
  const float* b;
  float* c;
  const float* bias;
  float* tile_squares;
  /**
   * Where each KC × NC block of B comes from: packed into the scratch block by block (the
   * default); read in place (B not transposed); or a copy already packed whole by pack_whole_b
   * for this kernel path (b points at it, and gemm_block's j_begin is then a multiple of NC): the
   * inference path's weights, packed once and kept between calls.
   */
  enum class BSource { kPackPerBlock, kInPlace, kPackedWhole };
  BSource b_source = BSource::kPackPerBlock;
  /**
   * Room for one A micro-panel (gemm_a_copy_floats), or null to use the scratch's. Untransposed
   * rows of A that start in the same L1 set (a stride of a multiple of 4 KiB) are copied there
   * side by side before use, a micro-panel at a time; without room they are read in place.
   */
  float* a_copy = nullptr;
  /** K block: K split into equal blocks of at most kernel->kc (KC 392: 1000 → 334 + 334 + 332, not 392 + 392 + 216). */
  int kc;
  /**
   * The K blocks gemm_block sums, from k_begin (a multiple of kc) to k_end: C = their product
   * alone (no bias unless k_end = k). All of K unless a depth split (matmul.cc) says otherwise.
   */
  int k_begin = 0, k_end;

  GemmOperands(const GemmKernel& path, bool transpose_a, bool transpose_b, int rows, int columns, int depth,
               Rows a_rows, const float* b_data, float* c_data, const float* bias_data, float* squares)
      : kernel(&path), trans_a(transpose_a), trans_b(transpose_b), m(rows), n(columns), k(depth), a(a_rows), b(b_data),
        c(c_data), bias(bias_data), tile_squares(squares), kc(k_block(path, depth)), k_end(depth) {}

  static int k_block(const GemmKernel& path, int depth) {
    const int blocks = (depth + path.kc - 1) / path.kc;
    return (depth + blocks - 1) / blocks;
  }
};

/**
 * C[i_begin : i_end, j_begin : j_end] of the product. The bounds are multiples of the kernel's
 * mr (rows) and nr (columns), except an end that equals m or n. scratch may be null when B is
 * not packed per block (b_source) and A is not transposed.
 */
void gemm_block(const GemmOperands& g, int i_begin, int i_end, int j_begin, int j_end, GemmScratch* scratch);

/** Floats of a k × n B packed whole for `kernel` (pack_whole_b): n rounded up to whole micro-panels. */
std::size_t packed_b_floats(const GemmKernel& kernel, int k, int n);

/**
 * Packs all of B (k × n, row-major) the way gemm_block packs each of its KC × NC blocks, block
 * after block: column blocks of NC in turn, each its K blocks (GemmOperands::k_block) in turn.
 */
void pack_whole_b(const GemmKernel& kernel, const float* b, int k, int n, float* packed);

}  // namespace mlpx
