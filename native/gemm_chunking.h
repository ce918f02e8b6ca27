// How sgemm (native/matmul.cc) deals the tiles along its split dimension out to the thread pool
// as chunks. When every chunk would re-pack the whole other operand (rows split), there is one
// chunk per thread. When chunks share no packing (columns split: each chunk packs only its own B
// columns, and A is always read in place) and there are enough tiles, they are guided instead:
// each takes a 1/(2·threads) share of the tiles still left, never under kGuidedMinTiles, so
// chunks shrink as the work runs out. A thread that runs slow (a busy neighbour on its core) then
// holds the others up by one small chunk, not by part of an equal half. Every chunk re-reads all
// of A, so small chunks are not free: 128×784·784×128 in chunks of 1–2 tiles ran 4% slower on one
// thread, hence the minimum and the tile threshold.
#pragma once

#include <algorithm>

namespace mlpx {

constexpr int kGuidedMinTiles = 2;
constexpr int kGuidedTilesPerThread = 8;

struct Chunking {
  int tiles;    // micro-tiles along the split dimension
  int threads;  // 1: one chunk
  bool guided;

  Chunking(int split_tiles, int pool_threads, bool shares_no_packing)
      : tiles(split_tiles),
        threads(pool_threads),
        guided(pool_threads > 1 && shares_no_packing && split_tiles >= kGuidedTilesPerThread * pool_threads) {}

  int count() const {
    if (!guided) return std::min(threads, tiles);
    int chunks = 0;
    for (int first = 0; first < tiles; first += size(first)) ++chunks;
    return chunks;
  }

  /** Tiles [*first, *last) of chunk `chunk`: a function of the plan alone, never of who runs it. */
  void span(int chunk, int* first, int* last) const {
    if (!guided) {
      const int chunks = count();
      *first = static_cast<int>(static_cast<long long>(tiles) * chunk / chunks);
      *last = static_cast<int>(static_cast<long long>(tiles) * (chunk + 1) / chunks);
      return;
    }
    int begin = 0;
    for (int c = 0; c < chunk; ++c) begin += size(begin);
    *first = begin;
    *last = begin + size(begin);
  }

 private:
  int size(int first) const {
    const int left = tiles - first;
    return std::min(left, std::max(kGuidedMinTiles, (left + 2 * threads - 1) / (2 * threads)));
  }
};

/**
 * [*begin, *end) of chunk `chunk` of a kColumns or kRows split (matmul.h) of `extent` columns or
 * rows into `chunks`, in whole micro-tiles of `tile` (the kernel's nr or mr): sgemm's spans.
 */
inline void owned_span(int extent, int tile, int chunk, int chunks, int* begin, int* end) {
  const Chunking chunking{(extent + tile - 1) / tile, chunks, false};
  chunking.span(chunk, begin, end);
  *begin = std::min(extent, *begin * tile);
  *end = std::min(extent, *end * tile);
}

}  // namespace mlpx
