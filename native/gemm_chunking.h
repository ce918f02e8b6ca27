// How sgemm (native/matmul.cc) deals the tiles along its split dimension out to the thread pool:
// one chunk per thread (at most one per tile), of nearly equal contiguous spans of whole tiles.
// Chunks write whole rows of C when split by rows; see sgemm for why rows.
#pragma once

#include <algorithm>

namespace mlpx {

struct Chunking {
  int tiles;    // micro-tiles along the split dimension
  int threads;  // 1: one chunk

  int count() const { return std::min(threads, tiles); }

  /** Tiles [*first, *last) of chunk `chunk`: a function of the plan alone, never of who runs it. */
  void span(int chunk, int* first, int* last) const {
    const int chunks = count();
    *first = static_cast<int>(static_cast<long long>(tiles) * chunk / chunks);
    *last = static_cast<int>(static_cast<long long>(tiles) * (chunk + 1) / chunks);
  }
};

/**
 * [*begin, *end) of chunk `chunk` of a kColumns or kRows split (matmul.h) of `extent` columns or
 * rows into `chunks`, in whole micro-tiles of `tile` (the kernel's nr or mr): sgemm's spans.
 */
inline void owned_span(int extent, int tile, int chunk, int chunks, int* begin, int* end) {
  const Chunking chunking{(extent + tile - 1) / tile, chunks};
  chunking.span(chunk, begin, end);
  *begin = std::min(extent, *begin * tile);
  *end = std::min(extent, *end * tile);
}

}  // namespace mlpx
