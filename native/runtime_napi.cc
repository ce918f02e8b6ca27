// The addon's runtime controls: thread count, kernel path (which microkernel and element-wise
// loops run), and the probes the benchmark puts every native row beside: the FMA peak and the
// round trip between two cores.
#include "runtime_napi.h"

#include <new>
#include <string>
#include <system_error>

#include "core_round_trip.h"
#include "fma_peak.h"
#include "matmul.h"
#include "napi_args.h"
#include "split_choice.h"

namespace mlpx {

namespace {

// start(), which starts threads: when the OS refuses one (std::system_error) or the memory for
// it (std::bad_alloc, e.g. from std::thread's own state), an Error naming `function`, not std::terminate.
template <typename Start>
auto starting_threads(Napi::Env env, const char* function, Start start) -> decltype(start()) {
  try {
    return start();
  } catch (const std::system_error& error) {
    throw_error(env, ErrorKind::kError, std::string(function) + ": could not start a thread: " + error.what());
  } catch (const std::bad_alloc&) {
    throw_error(env, ErrorKind::kError, std::string(function) + ": could not start a thread: out of memory");
  }
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  Args args(info, "setThreads");
  const int threads = args.dim(0, "threads");
  if (threads > 1024) args.range_error("threads must be at most 1024");
  starting_threads(info.Env(), "setThreads", [&] { set_threads(threads); });  // the pool keeps those it started
  return info.Env().Undefined();
}

Napi::Value Threads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), threads()); }

Napi::Value KernelPath(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), kernel_path()); }

Napi::Value KernelPaths(const Napi::CallbackInfo& info) {
  const std::vector<const char*> paths = kernel_paths();
  Napi::Array array = Napi::Array::New(info.Env(), paths.size());
  for (std::size_t i = 0; i < paths.size(); ++i) array.Set(static_cast<std::uint32_t>(i), paths[i]);
  return array;
}

// setKernelPath('avx512' | 'avx2' | 'portable') → boolean: false when this CPU cannot run it.
Napi::Value SetKernelPath(const Napi::CallbackInfo& info) {
  Args args(info, "setKernelPath");
  if (info.Length() < 1 || !info[0].IsString()) args.type_error(0, "path", "'avx512', 'avx2' or 'portable'");
  return Napi::Boolean::New(info.Env(), set_kernel_path(info[0].As<Napi::String>().Utf8Value().c_str()));
}

// fmaPeak(threads, seconds) → GFLOP/s of the kernel path in use; blocks for `seconds`.
Napi::Value FmaPeak(const Napi::CallbackInfo& info) {
  Args args(info, "fmaPeak");
  const int threads = args.dim(0, "threads");
  if (threads > 1024) args.range_error("threads must be at most 1024");
  const double seconds = args.number(1, "seconds");
  if (!(seconds > 0 && seconds <= 10)) args.range_error("seconds must be in (0, 10]");
  return Napi::Number::New(info.Env(), starting_threads(info.Env(), "fmaPeak", [&] { return fma_peak(threads, seconds); }));
}

// coreRoundTrip(roundTrips) → mean nanoseconds per round trip of a flag between two threads.
Napi::Value CoreRoundTrip(const Napi::CallbackInfo& info) {
  Args args(info, "coreRoundTrip");
  const int round_trips = args.dim(0, "roundTrips");
  if (round_trips > 1000000) args.range_error("roundTrips must be at most 1000000");
  return Napi::Number::New(info.Env(), starting_threads(info.Env(), "coreRoundTrip", [&] { return core_round_trip(round_trips); }));
}

// splitChoiceWays(steps, times) → Uint8Array: the way the split choice (split_choice.h) runs each
// of `steps` steps from its start (1: on the caller alone), told times[2i] ms for step i run
// split and times[2i + 1] ms run on the caller. Made-up times, for tests of the rule.
Napi::Value SplitChoiceWays(const Napi::CallbackInfo& info) {
  Args args(info, "splitChoiceWays");
  const int steps = args.dim(0, "steps");
  if (steps > 1000000) args.range_error("steps must be at most 1000000");
  const double* times = args.f64(1, "times", 2 * static_cast<std::size_t>(steps));
  Napi::Uint8Array ways = Napi::Uint8Array::New(info.Env(), static_cast<std::size_t>(steps));
  SplitChoice choice;
  for (int i = 0; i < steps; ++i) {
    const bool solo = choice.solo();
    ways[static_cast<std::size_t>(i)] = solo ? 1 : 0;
    choice.observe(times[2 * static_cast<std::size_t>(i) + (solo ? 1 : 0)]);
  }
  return ways;
}

// poolJobsPosted() → the jobs the thread pool has handed to its workers, ever (tests: whether
// training steps ran split).
Napi::Value PoolJobsPosted(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(pool_jobs_posted()));
}

// poolBackedOffJobs() → the jobs the thread pool has kept on the caller because a worker was
// found preempted, ever (benchmarks: whether a round's threads had their cores).
Napi::Value PoolBackedOffJobs(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(pool_backed_off_jobs()));
}

}  // namespace

void register_runtime(Napi::Env env, Napi::Object exports) {
  exports.Set("setThreads", Napi::Function::New(env, SetThreads, "setThreads"));
  exports.Set("threads", Napi::Function::New(env, Threads, "threads"));
  exports.Set("kernelPath", Napi::Function::New(env, KernelPath, "kernelPath"));
  exports.Set("kernelPaths", Napi::Function::New(env, KernelPaths, "kernelPaths"));
  exports.Set("setKernelPath", Napi::Function::New(env, SetKernelPath, "setKernelPath"));
  exports.Set("fmaPeak", Napi::Function::New(env, FmaPeak, "fmaPeak"));
  exports.Set("coreRoundTrip", Napi::Function::New(env, CoreRoundTrip, "coreRoundTrip"));
  exports.Set("splitChoiceWays", Napi::Function::New(env, SplitChoiceWays, "splitChoiceWays"));
  exports.Set("poolJobsPosted", Napi::Function::New(env, PoolJobsPosted, "poolJobsPosted"));
  exports.Set("poolBackedOffJobs", Napi::Function::New(env, PoolBackedOffJobs, "poolBackedOffJobs"));
}

}  // namespace mlpx
