// The dropout mask generator of src/backend/dropout.ts (its comment has the definition), for
// net.cc and the per-ISA element-wise loops. Every function is static: each file that uses one,
// the loop files compiled for AVX2 and AVX-512 among them, gets its own copy, never one the linker
// picked from another ISA's file.
#pragma once

#include <cstdint>

namespace mlpx {

/** Must match DROPOUT_SALT and DROPOUT_STRIDE in src/backend/dropout.ts. */
constexpr std::uint32_t kDropoutSalt = 0x6a09e667u;
constexpr std::uint32_t kDropoutStride = 0x9e3779b9u;

/** One layer's mask at one update: its key, the threshold below which a unit is dropped, the scale of the kept ones. */
struct DropoutMask {
  std::uint32_t key;
  std::uint32_t threshold;
  float scale;
};

/** murmur3's 32-bit finaliser */
static inline std::uint32_t mix32(std::uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

/** ⌊rate · 2³²⌋ for a rate in [0, 1) */
static inline std::uint32_t dropout_threshold(double rate) { return static_cast<std::uint32_t>(rate * 4294967296.0); }

/** 2³² / (2³² − threshold), rounded once to float */
static inline float dropout_scale(std::uint32_t threshold) {
  return static_cast<float>(4294967296.0 / (4294967296.0 - static_cast<double>(threshold)));
}

/** seed and step are integers in [0, 2⁵³) */
static inline DropoutMask dropout_mask(std::uint32_t threshold, std::uint64_t seed, std::uint64_t step, int layer) {
  std::uint32_t key = mix32(static_cast<std::uint32_t>(seed) ^ kDropoutSalt);
  key = mix32(key ^ static_cast<std::uint32_t>(seed >> 32));
  key = mix32(key ^ static_cast<std::uint32_t>(step));
  key = mix32(key ^ static_cast<std::uint32_t>(step >> 32));
  key = mix32(key ^ static_cast<std::uint32_t>(layer));
  return {key, threshold, dropout_scale(threshold)};
}

static inline std::uint32_t dropout_row_key(std::uint32_t layer_key, std::uint32_t row) { return mix32(layer_key ^ row); }

static inline std::uint32_t dropout_bits(std::uint32_t row_key, std::uint32_t unit) {
  return mix32(row_key + unit * kDropoutStride);
}

}  // namespace mlpx
