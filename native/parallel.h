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
 * parallel_tasks where every pool thread has a buffer of at least `floats` floats of its own,
 * thread_buffer(thread) inside a task. The buffers are kept between calls and grown here, on the
 * calling thread, before any task runs, so a failed allocation throws std::bad_alloc from this
 * call. (A thread_local buffer would be allocated on the pool's threads, where glibc ends the
 * process when it cannot allocate a dlopen'ed module's thread-local storage.)
 */
void parallel_tasks_with_buffers(int count, PoolTask task, void* context, std::size_t floats);
/** The buffer of pool thread `thread`, inside a task of parallel_tasks_with_buffers. */
float* thread_buffer(int thread);

/**
 * Runs task over [0, count) in contiguous ranges of a fixed length (whichever pool thread claims
 * each), or in one call on this thread when count is small.
 */
void parallel_ranges(std::size_t count, RangeTask task, void* context);
/** Whether parallel_ranges splits `count` elements across the pool (else it runs on the caller). */
bool ranges_split(std::size_t count);

/** parallel_ranges for a callable body(begin, end). */
template <typename Body>
void for_ranges(std::size_t count, Body& body) {
  parallel_ranges(
      count, [](void* context, std::size_t begin, std::size_t end) { (*static_cast<Body*>(context))(begin, end); },
      &body);
}

}  // namespace mlpx
