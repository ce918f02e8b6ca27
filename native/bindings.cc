#include "bindings.h"

#include <cmath>
#include <cstdint>
#include <string>

#include "activation.h"
#include "dense.h"
#include "dropout.h"
#include "loss.h"
#include "matmul.h"
#include "napi_args.h"
#include "optim.h"

namespace mlpx {

namespace {

using Info = const Napi::CallbackInfo&;

// ---- matmul family ------------------------------------------------------------------------------

// c (m, n); a is (m, k) or (k, m) — the same element count either way; b likewise.
template <void (*Kernel)(float*, const float*, const float*, int, int, int)>
Napi::Value matmul(Info info, const char* name) {
  Args args(info, name);
  const int m = args.dim(3, "m"), k = args.dim(4, "k"), n = args.dim(5, "n");
  float* c = args.f32(0, "c", elements(m, n));
  const float* a = args.f32(1, "a", elements(m, k));
  const float* b = args.f32(2, "b", elements(k, n));
  Kernel(c, a, b, m, k, n);
  return info.Env().Undefined();
}

Napi::Value MatmulNN(Info info) { return matmul<matmul_nn>(info, "matmul_nn"); }
Napi::Value MatmulTN(Info info) { return matmul<matmul_tn>(info, "matmul_tn"); }
Napi::Value MatmulNT(Info info) { return matmul<matmul_nt>(info, "matmul_nt"); }

// ---- dense family -------------------------------------------------------------------------------

Napi::Value BiasAdd(Info info) {
  Args args(info, "bias_add");
  const int m = args.dim(2, "m"), n = args.dim(3, "n");
  bias_add(args.f32(0, "z", elements(m, n)), args.f32(1, "bias", n), m, n);
  return info.Env().Undefined();
}

Napi::Value BiasGrad(Info info) {
  Args args(info, "bias_grad");
  const int m = args.dim(2, "m"), n = args.dim(3, "n");
  bias_grad(args.f32(0, "db", n), args.f32(1, "dz", elements(m, n)), m, n);
  return info.Env().Undefined();
}

Napi::Value DenseForward(Info info) {
  Args args(info, "dense_forward");
  const int m = args.dim(4, "m"), k = args.dim(5, "k"), n = args.dim(6, "n");
  dense_forward(args.f32(0, "z", elements(m, n)), args.f32(1, "x", elements(m, k)), args.f32(2, "w", elements(k, n)),
                args.f32(3, "b", n), m, k, n);
  return info.Env().Undefined();
}

Napi::Value DenseBackward(Info info) {
  Args args(info, "dense_backward");
  const int m = args.dim(6, "m"), k = args.dim(7, "k"), n = args.dim(8, "n");
  float* dx = args.f32_or_null(0, "dx", elements(m, k));
  float* dw = args.f32(1, "dw", elements(k, n));
  float* db = args.f32(2, "db", n);
  const float* dz = args.f32(3, "dz", elements(m, n));
  const float* x = args.f32(4, "x", elements(m, k));
  const float* w = args.f32(5, "w", elements(k, n));
  dense_backward(dx, dw, db, dz, x, w, m, k, n);
  return info.Env().Undefined();
}

// ---- activation family --------------------------------------------------------------------------

Napi::Value ActivationForward(Info info) {
  Args args(info, "activation_forward");
  const int m = args.dim(2, "m"), n = args.dim(3, "n");
  const int act = args.id(4, "act", kActivationCount);
  activation_forward(args.f32(0, "a", elements(m, n)), args.f32(1, "z", elements(m, n)), m, n, act);
  return info.Env().Undefined();
}

Napi::Value ActivationBackward(Info info) {
  Args args(info, "activation_backward");
  const int m = args.dim(4, "m"), n = args.dim(5, "n");
  const int act = args.id(6, "act", kActivationCount);
  const std::size_t size = elements(m, n);
  activation_backward(args.f32(0, "dz", size), args.f32(1, "da", size), args.f32(2, "z", size),
                      args.f32(3, "a", size), m, n, act);
  return info.Env().Undefined();
}

// dropout's scalars from `first`: act (element-wise), rate in [0, 1), seed and step integers in
// [0, 2^53), layer in [0, 2^31)
DropoutMask dropout_args(const Args& args, std::size_t first, int* act) {
  *act = args.id(first, "act", kActivationCount);
  if (*act == kSoftmax) args.range_error("dropout needs an element-wise activation, not softmax");
  const double rate = args.number(first + 1, "rate");
  if (!(rate >= 0 && rate < 1)) args.range_error("rate must be in [0, 1)");
  double integers[2];
  const char* names[2] = {"seed", "step"};
  for (int i = 0; i < 2; ++i) {
    integers[i] = args.number(first + 2 + i, names[i]);
    if (!(integers[i] >= 0 && integers[i] < 9007199254740992.0) || integers[i] != std::floor(integers[i]))
      args.range_error(std::string(names[i]) + " must be an integer in [0, 2^53)");
  }
  const double layer = args.number(first + 4, "layer");
  if (!(layer >= 0 && layer < 2147483648.0) || layer != std::floor(layer)) args.range_error("layer must be an integer in [0, 2^31)");
  return dropout_mask(dropout_threshold(rate), static_cast<std::uint64_t>(integers[0]),
                      static_cast<std::uint64_t>(integers[1]), static_cast<int>(layer));
}

Napi::Value DropoutForward(Info info) {
  Args args(info, "dropout_forward");
  const int m = args.dim(2, "m"), n = args.dim(3, "n");
  int act = 0;
  const DropoutMask mask = dropout_args(args, 4, &act);
  dropout_forward(args.f32(0, "a", elements(m, n)), args.f32(1, "z", elements(m, n)), m, n, act, mask);
  return info.Env().Undefined();
}

Napi::Value DropoutBackward(Info info) {
  Args args(info, "dropout_backward");
  const int m = args.dim(3, "m"), n = args.dim(4, "n");
  int act = 0;
  const DropoutMask mask = dropout_args(args, 5, &act);
  const std::size_t size = elements(m, n);
  dropout_backward(args.f32(0, "dz", size), args.f32(1, "da", size), args.f32(2, "z", size), m, n, act, mask);
  return info.Env().Undefined();
}

// ---- loss family --------------------------------------------------------------------------------

Napi::Value LossForward(Info info) {
  Args args(info, "loss_forward");
  const int m = args.dim(3, "m"), n = args.dim(4, "n");
  const int loss = args.id(5, "loss", kLossCount);
  const std::size_t size = elements(m, n);
  return Napi::Number::New(info.Env(), loss_forward(args.f32(0, "p", size), args.f32(1, "y", size),
                                                    args.f32_or_null(2, "weights", static_cast<std::size_t>(m)), m, n,
                                                    loss));
}

Napi::Value LossBackward(Info info) {
  Args args(info, "loss_backward");
  const int m = args.dim(4, "m"), n = args.dim(5, "n");
  const int loss = args.id(6, "loss", kLossCount);
  const std::size_t size = elements(m, n);
  loss_backward(args.f32(0, "dp", size), args.f32(1, "p", size), args.f32(2, "y", size),
                args.f32_or_null(3, "weights", static_cast<std::size_t>(m)), m, n, loss);
  return info.Env().Undefined();
}

Napi::Value OutputDeltaFused(Info info) {
  Args args(info, "output_delta_fused");
  const int m = args.dim(4, "m"), n = args.dim(5, "n");
  const int act = args.id(6, "act", kActivationCount);
  const std::size_t size = elements(m, n);
  output_delta_fused(args.f32(0, "dz", size), args.f32(1, "p", size), args.f32(2, "y", size),
                     args.f32_or_null(3, "weights", static_cast<std::size_t>(m)), m, n, act);
  return info.Env().Undefined();
}

Napi::Value CountCorrect(Info info) {
  Args args(info, "count_correct");
  const int m = args.dim(2, "m"), n = args.dim(3, "n");
  const std::size_t size = elements(m, n);
  return Napi::Number::New(info.Env(), count_correct(args.f32(0, "p", size), args.f32(1, "y", size), m, n));
}

// ---- optim family -------------------------------------------------------------------------------

// The trailing gradScale, clipValue, l2, l1, weightDecay of every update, from `first`.
GradientTransform transform_args(const Args& args, std::size_t first) {
  auto f = [&](std::size_t i, const char* name) { return static_cast<float>(args.number(first + i, name)); };
  return {f(0, "gradScale"), f(1, "clipValue"), f(2, "l2"), f(3, "l1"), f(4, "weightDecay")};
}

Napi::Value SgdUpdate(Info info) {
  Args args(info, "sgd_update");
  const std::size_t count = static_cast<std::size_t>(args.dim(2, "count"));
  return Napi::Boolean::New(info.Env(), sgd_update(args.f32(0, "params", count), args.f32(1, "grads", count), count,
                                                    static_cast<float>(args.number(3, "lr")), transform_args(args, 4)));
}

Napi::Value MomentumUpdate(Info info) {
  Args args(info, "momentum_update");
  const std::size_t count = static_cast<std::size_t>(args.dim(3, "count"));
  return Napi::Boolean::New(
      info.Env(), momentum_update(args.f32(0, "params", count), args.f32(1, "grads", count), args.f32(2, "velocity", count),
                                  count, static_cast<float>(args.number(4, "lr")), static_cast<float>(args.number(5, "gamma")),
                                  args.number(6, "nesterov") != 0, transform_args(args, 7)));
}

Napi::Value RmspropUpdate(Info info) {
  Args args(info, "rmsprop_update");
  const std::size_t count = static_cast<std::size_t>(args.dim(3, "count"));
  return Napi::Boolean::New(
      info.Env(), rmsprop_update(args.f32(0, "params", count), args.f32(1, "grads", count), args.f32(2, "sq", count), count,
                                 static_cast<float>(args.number(4, "lr")), static_cast<float>(args.number(5, "beta")),
                                 static_cast<float>(args.number(6, "eps")), transform_args(args, 7)));
}

Napi::Value AdamUpdate(Info info) {
  Args args(info, "adam_update");
  const std::size_t count = static_cast<std::size_t>(args.dim(4, "count"));
  return Napi::Boolean::New(
      info.Env(), adam_update(args.f32(0, "params", count), args.f32(1, "grads", count), args.f32(2, "m", count),
                              args.f32(3, "v", count), count, static_cast<float>(args.number(5, "lr")),
                              static_cast<float>(args.number(6, "beta1")), static_cast<float>(args.number(7, "beta2")),
                              static_cast<float>(args.number(8, "eps")), args.number(9, "step"), transform_args(args, 10)));
}

Napi::Value SumSquares(Info info) {
  Args args(info, "sum_squares");
  const std::size_t count = static_cast<std::size_t>(args.dim(1, "count"));
  return Napi::Number::New(info.Env(), sum_squares(args.f32(0, "x", count), count));
}

Napi::Value WeightPenalty(Info info) {
  Args args(info, "weight_penalty");
  const std::size_t count = static_cast<std::size_t>(args.dim(1, "count"));
  return Napi::Number::New(info.Env(), weight_penalty(args.f32(0, "w", count), count, static_cast<float>(args.number(2, "l2")),
                                                      static_cast<float>(args.number(3, "l1"))));
}

}  // namespace

void register_kernels(Napi::Env env, Napi::Object exports) {
  struct Entry {
    const char* name;
    Napi::Value (*fn)(Info);
  };
  static const Entry kKernels[] = {
      {"matmul_nn", MatmulNN},
      {"matmul_tn", MatmulTN},
      {"matmul_nt", MatmulNT},
      {"bias_add", BiasAdd},
      {"bias_grad", BiasGrad},
      {"dense_forward", DenseForward},
      {"dense_backward", DenseBackward},
      {"activation_forward", ActivationForward},
      {"activation_backward", ActivationBackward},
      {"dropout_forward", DropoutForward},
      {"dropout_backward", DropoutBackward},
      {"loss_forward", LossForward},
      {"loss_backward", LossBackward},
      {"output_delta_fused", OutputDeltaFused},
      {"count_correct", CountCorrect},
      {"sgd_update", SgdUpdate},
      {"momentum_update", MomentumUpdate},
      {"rmsprop_update", RmspropUpdate},
      {"adam_update", AdamUpdate},
      {"sum_squares", SumSquares},
      {"weight_penalty", WeightPenalty},
  };
  for (const Entry& entry : kKernels) exports.Set(entry.name, Napi::Function::New(env, entry.fn, entry.name));
}

}  // namespace mlpx
