// Where a training step's time goes, for the profile build only (`node native/build.mjs --profile`
// defines MLPX_PROFILE=1; `npm run bench` builds it into build/profile/ and loads it beside the
// normal addon). Each kernel the step calls opens an MLPX_PHASE scope, which adds the wall time it
// covers on the calling thread to its phase; the thread pool adds the time the caller then waits
// for its workers to the same phase. In every other build MLPX_PHASE expands to nothing and the
// addon exports no profile functions, so the default hot path carries no instrumentation.
#pragma once

#if MLPX_PROFILE
#include <napi.h>

#include <chrono>
#endif

namespace mlpx {

/** The kernels of a training step, as phases; names in profile.cc. */
enum class Phase : int {
  kForwardGemm,
  kActivation,
  kLoss,
  kOutputDelta,
  kBackwardGemmWeights,
  kBiasGradient,
  kBackwardGemmInputs,
  kActivationBackward,
  kGradientNorm,
  kUpdate,
  kOutside,  // pool waits outside any phase scope
  kCount
};

#if MLPX_PROFILE

/** Adds the wall time from construction to destruction to `phase`. */
class PhaseScope {
 public:
  explicit PhaseScope(Phase phase);
  ~PhaseScope();
  PhaseScope(const PhaseScope&) = delete;
  PhaseScope& operator=(const PhaseScope&) = delete;

 private:
  Phase phase_;
  Phase outer_;  // the phase open before this one (kOutside at the step level)
  std::chrono::steady_clock::time_point start_;
};

/** The thread pool's caller waited this long for its workers (attributed to the open phase). */
void profile_add_wait(std::chrono::steady_clock::duration wait);

/** Exports profileRead() and profileReset() (native/addon.cc calls it in the profile build). */
void register_profile(Napi::Env env, Napi::Object exports);

#define MLPX_PROFILE_CAT2(a, b) a##b
#define MLPX_PROFILE_CAT(a, b) MLPX_PROFILE_CAT2(a, b)
#define MLPX_PHASE(name) const ::mlpx::PhaseScope MLPX_PROFILE_CAT(mlpx_phase_, __LINE__)(::mlpx::Phase::name)

#else

#define MLPX_PHASE(name) static_cast<void>(0)

#endif

}  // namespace mlpx
