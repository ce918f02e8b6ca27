// mlpx native addon entry point: registers the kernels, the Net class and the runtime controls.
// Everything else lives in one file per concern (see CMakeLists.txt).
#include <napi.h>

#include "bindings.h"
#include "napi_args.h"
#include "net_napi.h"
#include "profile.h"
#include "runtime_napi.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  mlpx::register_kernels(env, exports);
  mlpx::register_net(env, exports);
  mlpx::register_runtime(env, exports);
  mlpx::register_errors(env, exports);
#if MLPX_PROFILE
  mlpx::register_profile(env, exports);
#endif
  return exports;
}

}  // namespace

NODE_API_MODULE(mlpx, Init)
