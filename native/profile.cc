// The profile build's phase clocks and their JS interface: profileRead() and profileReset().
// Compiled only into the profile build (CMakeLists.txt, MLPX_PROFILE=ON).
#include "profile.h"

#if MLPX_PROFILE

#include <atomic>
#include <cstdint>

namespace mlpx {

namespace {

constexpr int kPhases = static_cast<int>(Phase::kCount);

// Names as the bench prints them; in Phase order.
constexpr const char* kPhaseNames[kPhases] = {
    "forward GEMM",     "activation",          "loss",          "output delta",     "backward GEMM dW",
    "bias gradient",    "backward GEMM dX",    "activation backward", "gradient norm", "optimizer update",
    "outside the kernels",
};

// Nanoseconds per phase. The training thread adds, the main thread reads between epochs.
std::atomic<std::int64_t> phase_ns[kPhases];
std::atomic<std::int64_t> wait_ns[kPhases];

thread_local Phase open_phase = Phase::kOutside;

std::int64_t nanoseconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

Napi::Value ProfileRead(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array phases = Napi::Array::New(env, kPhases);
  for (int p = 0; p < kPhases; ++p) {
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("phase", kPhaseNames[p]);
    entry.Set("seconds", static_cast<double>(phase_ns[p].load(std::memory_order_relaxed)) * 1e-9);
    entry.Set("waitSeconds", static_cast<double>(wait_ns[p].load(std::memory_order_relaxed)) * 1e-9);
    phases.Set(static_cast<std::uint32_t>(p), entry);
  }
  return phases;
}

Napi::Value ProfileReset(const Napi::CallbackInfo& info) {
  for (int p = 0; p < kPhases; ++p) {
    phase_ns[p].store(0, std::memory_order_relaxed);
    wait_ns[p].store(0, std::memory_order_relaxed);
  }
  return info.Env().Undefined();
}

}  // namespace

// A kernel called inside another's scope (none is, in a training step) would count in both.
PhaseScope::PhaseScope(Phase phase) : phase_(phase), outer_(open_phase), start_(std::chrono::steady_clock::now()) {
  open_phase = phase;
}

PhaseScope::~PhaseScope() {
  phase_ns[static_cast<int>(phase_)].fetch_add(nanoseconds(std::chrono::steady_clock::now() - start_),
                                               std::memory_order_relaxed);
  open_phase = outer_;
}

void profile_add_wait(std::chrono::steady_clock::duration wait) {
  wait_ns[static_cast<int>(open_phase)].fetch_add(nanoseconds(wait), std::memory_order_relaxed);
}

void register_profile(Napi::Env env, Napi::Object exports) {
  exports.Set("profileRead", Napi::Function::New(env, ProfileRead, "profileRead"));
  exports.Set("profileReset", Napi::Function::New(env, ProfileReset, "profileReset"));
}

}  // namespace mlpx

#endif
