// Argument unwrapping and errors for the N-API layer. The TypeScript side validates values once
// (src/util/validate.ts); here we re-check only what could make C++ read or write out of bounds:
// typed-array kinds, lengths, dimensions and enum ids. Never aborts. Errors are mlpx's own
// classes (InvalidArgumentError, BusyError, …), which JS hands over once with setErrorClasses.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace mlpx {

/** The MlpxError subclasses the addon throws. */
enum class ErrorKind { kInvalidArgument, kBusy, kDisposed, kError };

/** An error of `kind`: the class registered for it, or a plain TypeError/Error before registration. */
Napi::Error make_error(Napi::Env env, ErrorKind kind, const std::string& message);
[[noreturn]] void throw_error(Napi::Env env, ErrorKind kind, const std::string& message);
/** Adds setErrorClasses({ InvalidArgumentError, BusyError, DisposedError, MlpxError }) to the exports. */
void register_errors(Napi::Env env, Napi::Object exports);

class Args {
 public:
  Args(const Napi::CallbackInfo& info, const char* function) : info_(info), function_(function) {}

  Napi::Env env() const { return info_.Env(); }
  std::size_t count() const { return info_.Length(); }
  /** The raw argument (after it has been checked through one of the accessors below). */
  Napi::Value at(std::size_t index) const { return info_[index]; }

  /** A Float32Array argument with at least `need` elements. */
  float* f32(std::size_t index, const char* name, std::size_t need) const;
  /** Like f32, but null (or undefined) gives nullptr. */
  float* f32_or_null(std::size_t index, const char* name, std::size_t need) const;
  /** A Float64Array argument with at least `need` elements. */
  double* f64(std::size_t index, const char* name, std::size_t need) const;
  /** A Uint32Array argument; *length receives its element count. */
  std::uint32_t* u32(std::size_t index, const char* name, std::size_t* length) const;
  /** An Int32Array argument; *length receives its element count. */
  std::int32_t* i32(std::size_t index, const char* name, std::size_t* length) const;
  /** An integer in [1, 2^31 − 1]. */
  int dim(std::size_t index, const char* name) const;
  /** An integer id in [0, count). */
  int id(std::size_t index, const char* name, int count) const;
  /** Any number. */
  double number(std::size_t index, const char* name) const;
  /** A boolean, or undefined (false). */
  bool flag(std::size_t index, const char* name) const;
  /** A function, or undefined/null (returns an empty Function). */
  Napi::Function function_or_empty(std::size_t index, const char* name) const;

  [[noreturn]] void type_error(std::size_t index, const char* name, const char* expected) const;
  [[noreturn]] void range_error(const std::string& message) const;

 private:
  Napi::TypedArray typed(std::size_t index, const char* name, napi_typedarray_type type, const char* kind) const;
  void require_length(std::size_t index, const char* name, std::size_t have, std::size_t need) const;

  const Napi::CallbackInfo& info_;
  const char* function_;
};

/** a · b as a size_t (dims are ≤ 2^31, so products of two cannot overflow 64 bits). */
inline std::size_t elements(int a, int b) { return static_cast<std::size_t>(a) * static_cast<std::size_t>(b); }

}  // namespace mlpx
