#include "fma_peak.h"

#include <atomic>
#include <chrono>
#include <system_error>
#include <thread>
#include <vector>

#include "gemm_ukernel.h"
#include "matmul.h"

namespace mlpx {

namespace {

// About 20 µs of chains between clock reads: the clock costs nothing next to them, and a thread
// overshoots the deadline by no more than that.
constexpr long kIterationsPerCheck = 10000;

using Clock = std::chrono::steady_clock;

}  // namespace

double fma_peak(int threads, double seconds) {
  const PeakChains chains = gemm_kernel().peak_chains;
  const auto length = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::atomic<int> waiting{threads};
  std::vector<double> flops(static_cast<std::size_t>(threads), 0.0);
  std::vector<Clock::time_point> ends(static_cast<std::size_t>(threads));
  Clock::time_point start;
  std::atomic<bool> go{false};
  std::atomic<bool> abandoned{false};  // a helper could not be started: the ones waiting return
  auto run = [&](int t) {
    if (waiting.fetch_sub(1) == 1) {  // the last to arrive starts everyone's clock
      start = Clock::now();
      go.store(true, std::memory_order_release);
    }
    while (!go.load(std::memory_order_acquire)) {
      if (abandoned.load(std::memory_order_acquire)) return;
      std::this_thread::yield();
    }
    const Clock::time_point deadline = start + length;
    double done = 0;
    while (Clock::now() < deadline) done += chains(kIterationsPerCheck);
    flops[t] = done;
    ends[t] = Clock::now();
  };
  std::vector<std::thread> helpers;
  helpers.reserve(static_cast<std::size_t>(threads - 1));  // no allocation between thread starts
  try {
    for (int t = 1; t < threads; ++t) helpers.emplace_back(run, t);
  } catch (...) {
    abandoned.store(true, std::memory_order_release);
    for (std::thread& helper : helpers) helper.join();
    throw;
  }
  run(0);
  for (std::thread& helper : helpers) helper.join();
  double total = 0;
  Clock::time_point last = start;
  for (int t = 0; t < threads; ++t) {
    total += flops[t];
    if (ends[t] > last) last = ends[t];
  }
  return total / std::chrono::duration<double>(last - start).count() / 1e9;
}

}  // namespace mlpx
