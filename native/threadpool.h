// A persistent pool of worker threads for the GEMM. The caller of run() is worker 0, so a pool of
// size T owns T − 1 threads. Work is split statically by the caller (task i always gets the same
// slice), which keeps results independent of scheduling.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace mlpx {

class ThreadPool {
 public:
  using Task = void (*)(void* context, int index);

  ThreadPool() = default;
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  ~ThreadPool();

  /** Total threads including the caller (≥ 1). Not thread-safe against run(). */
  void resize(int threads);
  int size() const { return static_cast<int>(workers_.size()) + 1; }

  /** Runs task(context, i) for i in [0, tasks), tasks ≤ size(); the caller runs i = 0. Blocks. */
  void run(int tasks, Task task, void* context);

 private:
  void worker_loop(int index, std::uint64_t seen);
  void stop_all();

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  Task task_ = nullptr;
  void* context_ = nullptr;
  int tasks_ = 0;
  bool stopping_ = false;
};

}  // namespace mlpx
