// setThreads, threads, kernelPath, kernelPaths, setKernelPath, fmaPeak and coreRoundTrip, exported to JS.
#pragma once

#include <napi.h>

namespace mlpx {

void register_runtime(Napi::Env env, Napi::Object exports);

}  // namespace mlpx
