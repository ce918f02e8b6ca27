// The `Net` class exported to JS: one network's parameters, gradients, optimizer state and
// workspace for its lifetime, the fused step, and trainEpoch on a libuv worker thread.
#pragma once

#include <napi.h>

namespace mlpx {

void register_net(Napi::Env env, Napi::Object exports);

}  // namespace mlpx
