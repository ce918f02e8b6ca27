// N-API wrappers of the kernels: one JS function per entry of KERNEL_NAMES
// (src/backend/kernels.ts), same names and argument order.
#pragma once

#include <napi.h>

namespace mlpx {

void register_kernels(Napi::Env env, Napi::Object exports);

}  // namespace mlpx
