// The one random generator of syncsim, and how seeds are derived for it.
//
// Every random draw in a run comes from a RandomStream. The engine, the
// network and the algorithms derive theirs from
//   (root seed of the scenario, entity name, purpose)
// so adding a node, or a new use of randomness, never shifts the numbers that
// any other entity sees. The learning math (algorithms/ml/) derives numbered
// sub-streams of one seed instead: derive_seed(seed, stream).
//
// Mixing functions (documented because results depend on them):
//   derive_seed(root, entity, purpose):
//     h    = FNV-1a-64 over the bytes of entity, one 0x00 byte, then purpose
//     seed = splitmix64(splitmix64(root) ^ h)
//   derive_seed(seed, stream):
//     seed' = splitmix64((seed ^ (0xD1B54A32D192ED03 * (stream + 1))) + golden)
//     where golden = 0x9E3779B97F4A7C15 (the second splitmix64 output from that state)
// The stream is xoshiro256** (Blackman & Vigna) whose four state words are
// the next four splitmix64 outputs starting from `seed` (word i =
// splitmix64(seed + i * golden)), the seeding its authors advise; never all
// zero, since splitmix64 is a bijection. Not for cryptography.
//
// Why not <random>: its engines are portable, but std::*_distribution and
// std::shuffle are implementation-defined, so a seed would mean other numbers
// under another standard library. Every conversion to a real number, integer
// range or permutation is written out here.
//
// Not thread-safe: one stream per consumer (an entity, a sampler, a partitioner).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>

namespace sim {

// splitmix64's output function applied to x + golden: the first output of a
// splitmix64 generator whose state is x (the state then moves to x + golden).
std::uint64_t splitmix64(std::uint64_t x);
// The seed of the stream of (root, entity, purpose); see the top of this file.
std::uint64_t derive_seed(std::uint64_t root, std::string_view entity, std::string_view purpose);
// The seed of numbered sub-stream `stream` of `seed` (the learning math's
// per-purpose and per-round streams); see the top of this file.
std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream);

class RandomStream {
 public:
  explicit RandomStream(std::uint64_t seed);
  RandomStream(std::uint64_t root, std::string_view entity, std::string_view purpose)
      : RandomStream(derive_seed(root, entity, purpose)) {}

  // ---- Raw output and uniform draws.
  // Next raw 64-bit output of xoshiro256**.
  std::uint64_t next_u64() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }
  // Uniform in [0, 1) from the top 53 bits (every value exactly representable).
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // Uniform in [0, 1) as a float, from the top 24 bits.
  float uniform_float() { return static_cast<float>(next_u64() >> 40) * 0x1.0p-24f; }
  // Uniform in [low, high).
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  // Uniform integer in [0, n), unbiased (Lemire's multiply-and-reject).
  // REQUIRES: n > 0, else std::invalid_argument.
  std::uint64_t below(std::uint64_t n);
  bool bernoulli(double p) { return uniform() < p; }

  // ---- Normal draws, by Box-Muller. Both values of a pair are used: the
  // second (the spare, a standard normal) is cached and returned by the next
  // call of either form, so a stream is a pure function of its seed and of
  // the sequence of calls.
  // Standard normal N(0, 1): the spare, or radius * cos(angle).
  double normal();
  // N(mean, stddev^2): mean + stddev * spare, or mean + stddev * radius * cos(angle)
  // (multiplied left to right, which rounds differently from
  // mean + stddev * normal(): scenario streams depend on this form).
  double normal(double mean, double stddev);
  double lognormal(double mu, double sigma);
  // REQUIRES: rate > 0, else std::invalid_argument.
  double exponential(double rate);
  // Gamma(shape, 1) by Marsaglia-Tsang (2000), drawing standard normals from
  // normal(). For shape < 1 uses the boost Gamma(a) = Gamma(a + 1) * U^(1/a).
  // Dirichlet(alpha) = normalised independent Gamma(alpha_i) draws.
  // REQUIRES: shape > 0.
  double gamma(double shape);

  // ---- Permutations.
  // Fisher-Yates shuffle, uniform over all permutations (one below() per
  // position, from the last down).
  template <typename T>
  void shuffle(std::span<T> values) {
    for (std::size_t i = values.size(); i > 1; --i) {
      const auto j = static_cast<std::size_t>(below(i));
      using std::swap;
      swap(values[i - 1], values[j]);
    }
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  // Draws a Box-Muller pair: caches radius * sin(angle) as the spare, sets
  // radius and cos_angle for the first value.
  void draw_pair(double& radius, double& cos_angle);

  std::uint64_t state_[4];
  bool has_spare_normal_ = false;
  double spare_normal_ = 0.0;
};

}  // namespace sim
