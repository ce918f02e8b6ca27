// A fixed-size, 64-byte aligned float buffer (packed GEMM panels need 32-byte aligned loads).
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>

namespace mlpx {

class AlignedFloats {
 public:
  AlignedFloats() = default;
  explicit AlignedFloats(std::size_t count) : count_(count) {
    const std::size_t bytes = ((count * sizeof(float) + 63) / 64) * 64;
    data_.reset(static_cast<float*>(std::aligned_alloc(64, bytes > 0 ? bytes : 64)));
    if (!data_) throw std::bad_alloc();
  }
  float* data() const { return data_.get(); }
  std::size_t size() const { return count_; }

 private:
  struct Free {
    void operator()(float* p) const { std::free(p); }
  };
  std::unique_ptr<float, Free> data_;
  std::size_t count_ = 0;
};

}  // namespace mlpx
