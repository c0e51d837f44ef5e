// Rng: a small, portable, seeded random generator for the learning math.
//
// Why not <random>: the engines are portable but std::*_distribution and
// std::shuffle are implementation-defined, so the same seed would give other
// data, other initial weights and other batches under another standard
// library. Every conversion here is written out, so a seed means the same
// stream everywhere.
//
// Engine: xoshiro256** (Blackman & Vigna), its 256-bit state filled from the
// seed by splitmix64, as the authors recommend. Not for cryptography.
//
// Not thread-safe: one Rng per consumer (a worker, a sampler, a partitioner).
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <span>
#include <utility>

namespace ml {

// One splitmix64 step: advances `state` and returns a well-mixed 64-bit word.
// Also used to derive independent seeds from (seed, stream id) pairs.
inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// A seed for sub-stream `stream` of `seed`: lets one scenario seed feed many
// independent generators (per worker, per purpose) without correlation.
inline std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t state = seed ^ (0xD1B54A32D192ED03ull * (stream + 1));
  splitmix64(state);
  return splitmix64(state);
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) {
    std::uint64_t sm = seed;
    for (auto& word : s_) word = splitmix64(sm);  // never all zero: splitmix64 is a bijection
  }

  // Next raw 64-bit output of xoshiro256**.
  std::uint64_t next_u64() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1) from the top 53 bits (every value exactly representable).
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

  // Uniform in [0, 1) as float, from the top 24 bits.
  float uniform_float() { return static_cast<float>(next_u64() >> 40) * 0x1.0p-24f; }

  // Uniform in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

  // Unbiased integer in [0, bound). REQUIRES bound >= 1.
  // Lemire's multiply-and-reject: exact, and rejects rarely.
  std::uint64_t bounded(std::uint64_t bound) {
    Uint128 m = static_cast<Uint128>(next_u64()) * bound;
    auto low = static_cast<std::uint64_t>(m);
    if (low < bound) {
      const std::uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound
      while (low < threshold) {
        m = static_cast<Uint128>(next_u64()) * bound;
        low = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }

  // Standard normal N(0, 1) by Box–Muller. Both values of a pair are used:
  // the second is cached, so the stream is a pure function of the seed and
  // of the sequence of calls.
  double normal() {
    if (has_spare_normal_) {
      has_spare_normal_ = false;
      return spare_normal_;
    }
    const double u1 = 1.0 - uniform();  // (0, 1]: log(u1) is finite
    const double u2 = uniform();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = 2.0 * std::numbers::pi * u2;
    spare_normal_ = radius * std::sin(angle);
    has_spare_normal_ = true;
    return radius * std::cos(angle);
  }

  // N(mean, stddev^2).
  double normal(double mean, double stddev) { return mean + stddev * normal(); }

  // Gamma(shape, 1) by Marsaglia–Tsang (2000). REQUIRES shape > 0.
  // For shape < 1 uses the boost Gamma(a) = Gamma(a + 1) * U^(1/a).
  // Dirichlet(alpha) = normalised independent Gamma(alpha_i) draws.
  double gamma(double shape) {
    if (shape < 1.0) {
      const double boosted = gamma(shape + 1.0);
      const double u = 1.0 - uniform();  // (0, 1]
      return boosted * std::pow(u, 1.0 / shape);
    }
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
      double x = 0.0;
      double v = 0.0;
      do {
        x = normal();
        v = 1.0 + c * x;
      } while (v <= 0.0);
      v = v * v * v;
      const double u = 1.0 - uniform();  // (0, 1]
      if (u < 1.0 - 0.0331 * (x * x) * (x * x)) return d * v;
      if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
    }
  }

  // Fisher–Yates shuffle, uniform over all permutations.
  template <typename T>
  void shuffle(std::span<T> values) {
    for (std::size_t i = values.size(); i > 1; --i) {
      const auto j = static_cast<std::size_t>(bounded(i));
      using std::swap;
      swap(values[i - 1], values[j]);
    }
  }

 private:
  // GCC/Clang extension; __extension__ keeps -Wpedantic quiet about it.
  __extension__ using Uint128 = unsigned __int128;

  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  std::uint64_t s_[4];
  double spare_normal_ = 0.0;
  bool has_spare_normal_ = false;
};

}  // namespace ml
