#include "threadpool.h"

#include <algorithm>
#include <chrono>

#include "profile.h"
#include "spin_pause.h"

namespace mlpx {

namespace {
// Workers spin this long after a job before sleeping: a training step issues several GEMMs a
// few tens of microseconds apart, and a condition-variable wake-up costs about as much.
constexpr auto kSpin = std::chrono::microseconds(200);
// Polls a worker spins with the pause hint alone before it also yields to the scheduler: 19 µs
// on the development machine's Zen 5 (the hint's length differs between CPUs). Yielding from the
// first poll, a worker took 3-4 µs to start each job of a 784-128-10 batch-32 step on two cores
// (its own timers), and the step ran 4% slower.
constexpr int kPausesBeforeYield = 1024;

// When the caller, done with its own chunks, waits longer than it worked (plus this slack) for a
// worker's, that worker was not running: preempted by another process, on a host with fewer free
// cores than threads. A claimed chunk cannot be taken back, so the caller would wait out the
// scheduler's time slice (milliseconds) again and again. Instead the pool runs jobs on the
// caller alone for a while, then tries the workers again: for kSoloFactor times as long as that
// job took, or the back-off, which doubles with every stall in a row (from kSoloMin up to
// kSoloMax) and halves with every job the workers finish in time. Measured at batch 32 on a
// loaded host: 2 threads ran at 0.61x one thread without this.
// A stall kIsolatedStall or longer after the last one is taken for a one-off (another thread
// that ran for a time slice, a kernel thread) and keeps jobs on the caller for the back-off
// alone: on the development machine a worker lost its vCPU for ~2 ms two or three times a second
// with nothing else of ours running, and at kSoloFactor times each stall 784-128-10 ran 5-17%
// of its batch-32 steps solo.
// A busy neighbour stalls the workers again within that time, and the factor then applies.
// The slack tells a preempted worker (a time slice: milliseconds) from one that is merely late
// (tens of microseconds: woken late, a cache miss, an interrupt), which does not call for running
// solo: with 20 µs, 128×784·784×128 on two free cores ran at 1.28x one thread; with 200 µs at 1.53x
// (bench/ab/ab.ts gemm --peak-gate 1.7), and 2-thread training beside a busy process was unchanged.
constexpr auto kWaitSlack = std::chrono::microseconds(200);
constexpr int kSoloFactor = 20;
constexpr auto kSoloMin = std::chrono::milliseconds(2);
constexpr auto kSoloMax = std::chrono::milliseconds(500);
constexpr auto kIsolatedStall = std::chrono::milliseconds(100);
}  // namespace

ThreadPool::~ThreadPool() { stop_all(); }

void ThreadPool::stop_all() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  for (auto& worker : workers_) worker.join();
  workers_.clear();
  stopping_ = false;
}

void ThreadPool::resize(int threads) {
  if (threads < 1) threads = 1;
  if (threads == size()) return;
  stop_all();
  // Each worker starts from the current generation, read here: a worker that read it itself
  // after starting could treat an already-finished job as new (harmless with claims, but this
  // keeps the invariant simple: a worker wakes once per published job).
  const std::uint64_t start = generation_.load(std::memory_order_acquire);
  for (int i = 1; i < threads; ++i) workers_.emplace_back(&ThreadPool::worker_loop, this, i, start);
}

void ThreadPool::set_caller_only(bool on) {
  const std::thread::id self = std::this_thread::get_id();
  const std::thread::id wanted = on ? std::thread::id() : self;
  if (on && caller_only()) return;
  for (std::thread::id& slot : caller_only_threads_) {
    if (slot == wanted) {
      slot = on ? self : std::thread::id();
      return;
    }
  }
}

bool ThreadPool::caller_only() const {
  const std::thread::id self = std::this_thread::get_id();
  for (const std::thread::id& slot : caller_only_threads_)
    if (slot == self) return true;
  return false;
}

bool ThreadPool::claim(std::uint32_t job, int chunks, int* chunk) {
  std::uint64_t current = claim_.load(std::memory_order_acquire);
  for (;;) {
    if (static_cast<std::uint32_t>(current >> 32) != job) return false;
    const auto next = static_cast<std::uint32_t>(current);
    if (next >= static_cast<std::uint32_t>(chunks)) return false;
    if (claim_.compare_exchange_weak(current, current + 1, std::memory_order_acq_rel)) {
      *chunk = static_cast<int>(next);
      return true;
    }
  }
}

bool ThreadPool::claim_affine(std::uint32_t job, int chunks, int thread, int* chunk) {
  std::uint64_t current = claim_.load(std::memory_order_acquire);
  for (;;) {
    if (static_cast<std::uint32_t>(current >> 32) != job) return false;
    const auto claimed = static_cast<std::uint32_t>(current);
    int next = thread;
    if (next >= chunks || (claimed >> next & 1u) != 0) {
      next = 0;
      while (next < chunks && (claimed >> next & 1u) != 0) ++next;
      if (next == chunks) return false;
    }
    if (claim_.compare_exchange_weak(current, current | (std::uint64_t{1} << next), std::memory_order_acq_rel)) {
      *chunk = next;
      return true;
    }
  }
}

void ThreadPool::work(std::uint32_t job, int chunks, bool affine, Task task, void* context, int thread) {
  int chunk;
  while (affine ? claim_affine(job, chunks, thread, &chunk) : claim(job, chunks, &chunk)) {
    // Caught here, not left to end the thread (std::terminate): run() rethrows it on the caller
    // once every chunk is done, so no chunk still reads the caller's context after it returns.
    try {
      task(context, chunk, thread);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
      failed_.store(true, std::memory_order_relaxed);  // published by finished_ below
    }
    finished_.fetch_add(1, std::memory_order_acq_rel);
  }
}

void ThreadPool::worker_loop(int index, std::uint64_t seen) {
  for (;;) {
    auto spin_until = std::chrono::steady_clock::now() + kSpin;
    int polls = 0;
    while (generation_.load(std::memory_order_acquire) == seen) {
      // After the first kPausesBeforeYield polls, every 32nd yields: when this worker shares a core
      // with the caller or another process (more runnable threads than cores), they get the core
      // back soon instead of after the spin. Not from the start: the jobs of a training step come
      // a few microseconds apart, and a job posted during a yield (a system call, ~1 µs or more)
      // waited for it to return.
      if (++polls > kPausesBeforeYield && polls % 32 == 0) std::this_thread::yield();
      else spin_pause();
      if (polls % 256 == 0 && std::chrono::steady_clock::now() > spin_until) {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
        break;
      }
    }
    std::uint32_t job;
    Task task;
    void* context;
    int chunks;
    bool affine;
    {
      // Read the generation together with the job it publishes.
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return;
      seen = generation_.load(std::memory_order_acquire);
      job = job_;
      task = task_;
      context = context_;
      chunks = chunks_;
      affine = affine_;
    }
    work(job, chunks, affine, task, context, index);
  }
}

void ThreadPool::run(int chunks, Task task, void* context, bool affine) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  const bool solo_step = !workers_.empty() && chunks > 1 && caller_only();
  if (workers_.empty() || chunks <= 1 || solo_step || start < solo_until_) {
    if (!workers_.empty() && chunks > 1 && !solo_step) ++backed_off_jobs_;
    for (int chunk = 0; chunk < chunks; ++chunk) task(context, chunk, 0);
    return;
  }
  std::uint32_t job;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job = ++job_;
    task_ = task;
    context_ = context;
    chunks_ = chunks;
    affine_ = affine && chunks <= kMaxAffineChunks;
    finished_.store(0, std::memory_order_relaxed);
    claim_.store(static_cast<std::uint64_t>(job) << 32, std::memory_order_release);
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  work(job, chunks, affine_, task, context, 0);
  // Only chunks already claimed by a running worker remain. Spin first (they are equal slices,
  // so usually nearly done); yield only if a worker seems descheduled (more runnable threads
  // than cores), so as not to burn the core it may need.
  const Clock::time_point worked = Clock::now();
  const auto spin_until = worked + kSpin;
  bool waited = false;
  for (int polls = 0; finished_.load(std::memory_order_acquire) != chunks; ++polls) {
    waited = true;
    if (polls % 256 != 0 || Clock::now() < spin_until) spin_pause();
    else std::this_thread::yield();
  }
  const Clock::time_point end = waited ? Clock::now() : worked;
#if MLPX_PROFILE
  profile_add_wait(end - worked);
#endif
  if (failed_.load(std::memory_order_relaxed)) {
    std::exception_ptr error;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      error = std::move(error_);
      error_ = nullptr;
      failed_.store(false, std::memory_order_relaxed);
    }
    std::rethrow_exception(error);
  }
  if (end - worked <= (worked - start) + kWaitSlack) {
    solo_backoff_ /= 2;
    return;
  }
  solo_backoff_ = std::min<Clock::duration>(std::max<Clock::duration>(2 * solo_backoff_, kSoloMin), kSoloMax);
  const bool isolated = end - last_stall_ >= kIsolatedStall;
  last_stall_ = end;
  const Clock::duration factor_solo = kSoloFactor * (end - start);
  solo_until_ = end + (isolated ? solo_backoff_ : std::max<Clock::duration>(factor_solo, solo_backoff_));
}

}  // namespace mlpx
