// Element-wise work on the GEMM's thread pool (native/matmul.cc owns the pool). Each element is
// computed the same way whichever thread runs it, so results do not depend on the thread count.
#pragma once

#include <cstddef>

namespace mlpx {

using RangeTask = void (*)(void* context, std::size_t begin, std::size_t end);
/** One of `count` tasks; `thread` (0 = the caller) is the pool thread running it. */
using PoolTask = void (*)(void* context, int task, int thread);

/**
 * Runs task(context, i, thread) for i in [0, count) on the pool; returns when all are done.
 * With `affine`, task i runs on pool thread i when that thread is free (ThreadPool::run).
 */
void parallel_tasks(int count, PoolTask task, void* context, bool affine = false);

/**
 * Runs task over [0, count) in contiguous ranges of a fixed length (whichever pool thread claims
 * each), or in one call on this thread when count is small.
 */
void parallel_ranges(std::size_t count, RangeTask task, void* context);

/** parallel_ranges for a callable body(begin, end). */
template <typename Body>
void for_ranges(std::size_t count, Body& body) {
  parallel_ranges(
      count, [](void* context, std::size_t begin, std::size_t end) { (*static_cast<Body*>(context))(begin, end); },
      &body);
}

}  // namespace mlpx
