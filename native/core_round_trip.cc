#include "core_round_trip.h"

#include <atomic>
#include <chrono>
#include <thread>

#include "spin_pause.h"

namespace mlpx {

namespace {

// A spinning side yields this often, so that two threads on one core still alternate.
constexpr int kPollsPerYield = 256;

void wait_for(const std::atomic<int>& flag, int value) {
  for (int polls = 1; flag.load(std::memory_order_acquire) != value; ++polls) {
    if (polls % kPollsPerYield == 0) std::this_thread::yield();
    else spin_pause();
  }
}

}  // namespace

double core_round_trip(int round_trips) {
  alignas(64) std::atomic<int> flag{0};
  // round trip 0 is untimed: it waits for the thread to start
  std::thread echo([&] {
    for (int i = 0; i <= round_trips; ++i) {
      wait_for(flag, 2 * i + 1);
      flag.store(2 * i + 2, std::memory_order_release);
    }
  });
  std::chrono::steady_clock::time_point start;
  for (int i = 0; i <= round_trips; ++i) {
    if (i == 1) start = std::chrono::steady_clock::now();
    flag.store(2 * i + 1, std::memory_order_release);
    wait_for(flag, 2 * i + 2);
  }
  const auto end = std::chrono::steady_clock::now();
  echo.join();
  return std::chrono::duration<double, std::nano>(end - start).count() / round_trips;
}

}  // namespace mlpx
