#include "threadpool.h"

#include <chrono>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define MLPX_PAUSE() _mm_pause()
#else
#define MLPX_PAUSE() std::this_thread::yield()
#endif

namespace mlpx {

namespace {
// Workers spin this long after finishing a task before sleeping: a training step issues several
// GEMMs a few tens of microseconds apart, and a condition-variable wake-up costs about as much.
constexpr auto kSpin = std::chrono::microseconds(200);
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
  // after starting could miss a run() issued in between and leave run() waiting for it forever.
  const std::uint64_t start = generation_.load(std::memory_order_acquire);
  for (int i = 1; i < threads; ++i) workers_.emplace_back(&ThreadPool::worker_loop, this, i, start);
}

void ThreadPool::worker_loop(int index, std::uint64_t seen) {
  for (;;) {
    auto spin_until = std::chrono::steady_clock::now() + kSpin;
    int polls = 0;
    while (generation_.load(std::memory_order_acquire) == seen) {
      MLPX_PAUSE();
      if (++polls % 256 == 0 && std::chrono::steady_clock::now() > spin_until) {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
        break;
      }
    }
    Task task;
    void* context;
    int tasks;
    {
      // Read the generation with the fields it publishes, so a task is never run twice.
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return;
      seen = generation_.load(std::memory_order_acquire);
      task = task_;
      context = context_;
      tasks = tasks_;
    }
    if (index < tasks) {
      task(context, index);
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }
}

void ThreadPool::run(int tasks, Task task, void* context) {
  if (tasks > size()) tasks = size();
  if (tasks <= 1) {
    task(context, 0);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    task_ = task;
    context_ = context;
    tasks_ = tasks;
    pending_.store(tasks - 1, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  task(context, 0);
  // Tasks are equal slices, so the others finish about now; yield if a worker was descheduled
  // (more runnable threads than cores) instead of burning its core.
  for (int polls = 0; pending_.load(std::memory_order_acquire) != 0; ++polls) {
    if (polls < 4096) MLPX_PAUSE();
    else std::this_thread::yield();
  }
}

}  // namespace mlpx
