#include "napi_args.h"

#include <cmath>
#include <cstdio>
#include <string>

namespace mlpx {

namespace {

std::string describe(const Napi::Value& value) {
  if (value.IsNull()) return "null";
  if (value.IsUndefined()) return "undefined";
  if (value.IsTypedArray()) {
    static const char* const kinds[] = {"Int8Array",    "Uint8Array",   "Uint8ClampedArray", "Int16Array",
                                        "Uint16Array",  "Int32Array",   "Uint32Array",       "Float32Array",
                                        "Float64Array", "BigInt64Array", "BigUint64Array"};
    const Napi::TypedArray array = value.As<Napi::TypedArray>();
    const auto type = static_cast<std::size_t>(array.TypedArrayType());
    const std::string kind = type < sizeof(kinds) / sizeof(kinds[0]) ? kinds[type] : "TypedArray";
    return kind + "(" + std::to_string(array.ElementLength()) + ")";
  }
  if (value.IsNumber()) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.17g", value.As<Napi::Number>().DoubleValue());
    return std::string(text) + " (number)";
  }
  if (value.IsString()) return "a string";
  if (value.IsArray()) return "an Array";
  if (value.IsFunction()) return "a function";
  if (value.IsObject()) return "an object";
  return "a value of another type";
}

// The error classes, per environment (a worker thread loading the addon registers its own).
struct ErrorClasses {
  Napi::FunctionReference invalid_argument, busy, disposed, error;
};

Napi::FunctionReference* registered(Napi::Env env, ErrorKind kind) {
  ErrorClasses* classes = env.GetInstanceData<ErrorClasses>();
  if (classes == nullptr) return nullptr;
  switch (kind) {
    case ErrorKind::kInvalidArgument: return &classes->invalid_argument;
    case ErrorKind::kBusy: return &classes->busy;
    case ErrorKind::kDisposed: return &classes->disposed;
    case ErrorKind::kError: return &classes->error;
  }
  return nullptr;
}

Napi::Value SetErrorClasses(const Napi::CallbackInfo& info) {
  Args args(info, "setErrorClasses");
  if (info.Length() < 1 || !info[0].IsObject()) args.type_error(0, "classes", "an object of error classes");
  const Napi::Object object = info[0].As<Napi::Object>();
  auto take = [&](const char* name) {
    const Napi::Value value = object.Get(name);
    if (!value.IsFunction()) args.type_error(0, name, "a class");
    return Napi::Persistent(value.As<Napi::Function>());
  };
  ErrorClasses* classes = info.Env().GetInstanceData<ErrorClasses>();
  if (classes == nullptr) {
    classes = new ErrorClasses;
    info.Env().SetInstanceData<ErrorClasses>(classes);
  }
  classes->invalid_argument = take("InvalidArgumentError");
  classes->busy = take("BusyError");
  classes->disposed = take("DisposedError");
  classes->error = take("MlpxError");
  return info.Env().Undefined();
}

}  // namespace

Napi::Error make_error(Napi::Env env, ErrorKind kind, const std::string& message) {
  const std::string text = "native backend: " + message;
  Napi::FunctionReference* error_class = registered(env, kind);
  if (error_class == nullptr || error_class->IsEmpty()) {
    return kind == ErrorKind::kInvalidArgument ? Napi::TypeError::New(env, text) : Napi::Error::New(env, text);
  }
  return Napi::Error(env, error_class->New({Napi::String::New(env, text)}));
}

void throw_error(Napi::Env env, ErrorKind kind, const std::string& message) { throw make_error(env, kind, message); }

void register_errors(Napi::Env env, Napi::Object exports) {
  exports.Set("setErrorClasses", Napi::Function::New(env, SetErrorClasses, "setErrorClasses"));
}

void Args::type_error(std::size_t index, const char* name, const char* expected) const {
  const Napi::Value value = index < info_.Length() ? info_[index] : env().Undefined();
  throw_error(env(), ErrorKind::kInvalidArgument,
              std::string(function_) + ": expected " + expected + " for " + name + " but received " + describe(value));
}

void Args::range_error(const std::string& message) const {
  throw_error(env(), ErrorKind::kInvalidArgument, std::string(function_) + ": " + message);
}

Napi::TypedArray Args::typed(std::size_t index, const char* name, napi_typedarray_type type, const char* kind) const {
  if (index >= info_.Length() || !info_[index].IsTypedArray()) type_error(index, name, kind);
  Napi::TypedArray array = info_[index].As<Napi::TypedArray>();
  if (array.TypedArrayType() != type) type_error(index, name, kind);
  return array;
}

void Args::require_length(std::size_t, const char* name, std::size_t have, std::size_t need) const {
  if (have < need)
    range_error(std::string(name) + " has " + std::to_string(have) + " elements but the dimensions need " +
                std::to_string(need));
}

float* Args::f32(std::size_t index, const char* name, std::size_t need) const {
  Napi::Float32Array array = typed(index, name, napi_float32_array, "a Float32Array").As<Napi::Float32Array>();
  require_length(index, name, array.ElementLength(), need);
  return array.Data();
}

float* Args::f32_or_null(std::size_t index, const char* name, std::size_t need) const {
  if (index < info_.Length() && (info_[index].IsNull() || info_[index].IsUndefined())) return nullptr;
  Napi::Float32Array array =
      typed(index, name, napi_float32_array, "a Float32Array or null").As<Napi::Float32Array>();
  require_length(index, name, array.ElementLength(), need);
  return array.Data();
}

double* Args::f64(std::size_t index, const char* name, std::size_t need) const {
  Napi::Float64Array array = typed(index, name, napi_float64_array, "a Float64Array").As<Napi::Float64Array>();
  require_length(index, name, array.ElementLength(), need);
  return array.Data();
}

std::uint32_t* Args::u32(std::size_t index, const char* name, std::size_t* length) const {
  Napi::Uint32Array array = typed(index, name, napi_uint32_array, "a Uint32Array").As<Napi::Uint32Array>();
  *length = array.ElementLength();
  return array.Data();
}

std::int32_t* Args::i32(std::size_t index, const char* name, std::size_t* length) const {
  Napi::Int32Array array = typed(index, name, napi_int32_array, "an Int32Array").As<Napi::Int32Array>();
  *length = array.ElementLength();
  return array.Data();
}

int Args::dim(std::size_t index, const char* name) const {
  if (index >= info_.Length() || !info_[index].IsNumber()) type_error(index, name, "a positive integer");
  const double value = info_[index].As<Napi::Number>().DoubleValue();
  if (!(value >= 1 && value <= 2147483647.0) || std::floor(value) != value)
    range_error(std::string("expected an integer in [1, 2^31 - 1] for ") + name + " but received " +
                describe(info_[index]));
  return static_cast<int>(value);
}

int Args::id(std::size_t index, const char* name, int count) const {
  if (index >= info_.Length() || !info_[index].IsNumber()) type_error(index, name, "an integer id");
  const double value = info_[index].As<Napi::Number>().DoubleValue();
  if (!(value >= 0 && value < count) || std::floor(value) != value)
    range_error(std::string("expected an integer in [0, ") + std::to_string(count - 1) + "] for " + name +
                " but received " + describe(info_[index]));
  return static_cast<int>(value);
}

double Args::number(std::size_t index, const char* name) const {
  if (index >= info_.Length() || !info_[index].IsNumber()) type_error(index, name, "a number");
  return info_[index].As<Napi::Number>().DoubleValue();
}

bool Args::flag(std::size_t index, const char* name) const {
  if (index >= info_.Length() || info_[index].IsUndefined()) return false;
  if (!info_[index].IsBoolean()) type_error(index, name, "a boolean or undefined");
  return info_[index].As<Napi::Boolean>().Value();
}

Napi::Function Args::function_or_empty(std::size_t index, const char* name) const {
  if (index >= info_.Length() || info_[index].IsUndefined() || info_[index].IsNull()) return Napi::Function();
  if (!info_[index].IsFunction()) type_error(index, name, "a function or undefined");
  return info_[index].As<Napi::Function>();
}

}  // namespace mlpx
