// A persistent pool of worker threads for the GEMM. run() splits a job into a fixed number of
// chunks that the caller and the workers claim one at a time. What a chunk computes never
// depends on who runs it, so results are independent of scheduling; and a worker that is slow
// to wake (or descheduled on a busy machine) never holds up the caller: the caller simply takes
// the chunks nobody has claimed yet.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace mlpx {

class ThreadPool {
 public:
  using Task = void (*)(void* context, int chunk, int thread);

  ThreadPool() = default;
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  ~ThreadPool();

  /** Total threads including the caller (≥ 1). Not thread-safe against run(). */
  void resize(int threads);
  int size() const { return static_cast<int>(workers_.size()) + 1; }

  /**
   * Runs task(context, chunk, thread) for every chunk in [0, chunks) and returns when all are
   * done. `thread` (0 = the caller) identifies per-thread scratch memory. One run() at a time.
   * A chunk that throws (on any thread) ends no thread: the others still run, and once all are
   * done run() rethrows the first exception on the caller.
   * With `affine` (chunks ≤ kMaxAffineChunks), thread t runs chunk t when it is there to claim
   * it, then takes any chunk left: jobs that split the same data the same way then find each
   * chunk's data in the cache of the core that touched it last.
   */
  void run(int chunks, Task task, void* context, bool affine = false);

  static constexpr int kMaxAffineChunks = 32;

  /**
   * While set by a thread, run() called from that thread runs every chunk there, and
   * threads_taking_part() there is 1 (size() is unchanged): the training steps the split choice
   * keeps on the caller (split_choice.h). Jobs from other threads split as before, so a network
   * training beside one on a solo step neither runs its own steps solo nor times them as split.
   * Not thread-safe against run() (like resize).
   */
  void set_caller_only(bool on);
  /** The threads a job from this thread is split for: size(), or 1 while it set caller-only. */
  int threads_taking_part() const { return caller_only() ? 1 : size(); }
  /** Jobs run() has handed to the workers, ever. */
  std::uint32_t jobs_posted() const { return job_; }
  /** Jobs run() has kept on the caller because a worker was found preempted (below), ever. */
  std::uint64_t backed_off_jobs() const { return backed_off_jobs_; }

 private:
  void worker_loop(int index, std::uint64_t seen);
  void stop_all();
  /** Claims the next chunk of job `job`; false when that job has none left (or is over). */
  bool claim(std::uint32_t job, int chunks, int* chunk);
  /** Claims chunk `thread` of affine job `job` if unclaimed, else the lowest unclaimed one. */
  bool claim_affine(std::uint32_t job, int chunks, int thread, int* chunk);
  /** Whether the calling thread has set caller-only. */
  bool caller_only() const;
  void work(std::uint32_t job, int chunks, bool affine, Task task, void* context, int thread);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<std::uint64_t> generation_{0};
  // (job id << 32) | next unclaimed chunk, or for an affine job a bit mask of the claimed chunks:
  // the job id stops a late worker from claiming a chunk of a newer job with an older job's task
  // and context.
  std::atomic<std::uint64_t> claim_{0};
  std::atomic<int> finished_{0};
  std::exception_ptr error_;  // the first exception a chunk of the current job threw (under mutex_)
  std::atomic<bool> failed_{false};  // error_ is set: run() checks this, not the mutex, after each job
  std::uint32_t job_ = 0;
  Task task_ = nullptr;
  void* context_ = nullptr;
  int chunks_ = 0;
  bool affine_ = false;
  bool stopping_ = false;
  // The threads that have set caller-only (std::thread::id() in free slots): one per network
  // whose step runs solo at the moment, each on its own thread; a fixed array, so that setting it
  // cannot fail. A thread that finds no free slot splits as usual (same results).
  static constexpr int kMostCallerOnlyThreads = 8;
  std::thread::id caller_only_threads_[kMostCallerOnlyThreads] = {};
  std::uint64_t backed_off_jobs_ = 0;
  // Until then run() keeps jobs on the caller: a worker was found preempted (threadpool.cc).
  std::chrono::steady_clock::time_point solo_until_{};
  std::chrono::steady_clock::duration solo_backoff_{};
  std::chrono::steady_clock::time_point last_stall_{};  // when run() last found a worker preempted
};

}  // namespace mlpx
