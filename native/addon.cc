// mlpx native addon entry point: registers the kernels, the Net class and the runtime controls.
// Everything else lives in one file per concern (see CMakeLists.txt).
#include <napi.h>

#include "bindings.h"
#include "matmul.h"
#include "napi_args.h"
#include "net_napi.h"

namespace {

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  mlpx::Args args(info, "setThreads");
  const int threads = args.dim(0, "threads");
  if (threads > 1024) args.range_error("threads must be at most 1024");
  mlpx::set_threads(threads);
  return info.Env().Undefined();
}

Napi::Value Threads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), mlpx::threads()); }

Napi::Value KernelPath(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), mlpx::kernel_path()); }

// setKernelPath('portable' | 'avx2-fma') → boolean: lets tests cover both GEMM paths on one machine.
Napi::Value SetKernelPath(const Napi::CallbackInfo& info) {
  mlpx::Args args(info, "setKernelPath");
  if (info.Length() < 1 || !info[0].IsString()) args.type_error(0, "path", "'portable' or 'avx2-fma'");
  return Napi::Boolean::New(info.Env(), mlpx::set_kernel_path(info[0].As<Napi::String>().Utf8Value().c_str()));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  mlpx::register_kernels(env, exports);
  mlpx::register_net(env, exports);
  mlpx::register_errors(env, exports);
  exports.Set("setThreads", Napi::Function::New(env, SetThreads, "setThreads"));
  exports.Set("threads", Napi::Function::New(env, Threads, "threads"));
  exports.Set("kernelPath", Napi::Function::New(env, KernelPath, "kernelPath"));
  exports.Set("setKernelPath", Napi::Function::New(env, SetKernelPath, "setKernelPath"));
  return exports;
}

}  // namespace

NODE_API_MODULE(mlpx, Init)
