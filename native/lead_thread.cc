#include "lead_thread.h"

#include <condition_variable>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>

namespace mlpx {

namespace {

// Never destroyed, its thread detached: at exit the process may still be inside an epoch on it,
// as it may be on a libuv thread, and joining would wait for the epoch.
class LeadThread {
 public:
  void run(void (*fn)(void*), void* context) {
    std::lock_guard<std::mutex> serial(serial_);  // one call at a time
    std::unique_lock<std::mutex> lock(mutex_);
    if (!started_ && !start()) {
      lock.unlock();
      return fn(context);  // no thread to be had: run here, as before there was a lead thread
    }
    fn_ = fn;
    context_ = context;
    error_ = nullptr;
    done_ = false;
    posted_.notify_one();
    finished_.wait(lock, [&] { return done_; });
    if (error_) std::rethrow_exception(error_);
  }

 private:
  bool start() {
    try {
      std::thread(&LeadThread::loop, this).detach();
    } catch (const std::system_error&) {
      return false;
    }
    started_ = true;
    return true;
  }

  void loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      posted_.wait(lock, [&] { return fn_ != nullptr; });
      void (*fn)(void*) = fn_;
      fn_ = nullptr;
      lock.unlock();
      std::exception_ptr error;
      try {
        fn(context_);
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      error_ = error;
      done_ = true;
      finished_.notify_one();
    }
  }

  std::mutex serial_;
  std::mutex mutex_;  // guards everything below
  std::condition_variable posted_;
  std::condition_variable finished_;
  bool started_ = false;
  void (*fn_)(void*) = nullptr;
  void* context_ = nullptr;
  std::exception_ptr error_;
  bool done_ = false;
};

}  // namespace

void run_on_lead_thread(void (*fn)(void*), void* context) {
  static LeadThread* const lead = new LeadThread();
  lead->run(fn, context);
}

}  // namespace mlpx
