// Seeded random streams, one per (entity, purpose).
//
// Every random draw in a run comes from a RandomStream derived from
//   (root seed of the scenario, entity name, purpose)
// so adding a node, or a new use of randomness, never shifts the numbers that
// any other entity sees.
//
// Mixing function (documented because results depend on it):
//   h    = FNV-1a-64 over the bytes of entity, one 0x00 byte, then purpose
//   seed = splitmix64(splitmix64(root) ^ h)
// The stream is xoshiro256** whose four state words are the next four
// splitmix64 outputs starting from `seed` (the seeding its authors advise).
// All conversions to real numbers are written out here, not taken from
// <random>'s distributions, whose algorithms differ between standard libraries.
#pragma once

#include <cstdint>
#include <string_view>

namespace sim {

std::uint64_t splitmix64(std::uint64_t x);
std::uint64_t derive_seed(std::uint64_t root, std::string_view entity, std::string_view purpose);

class RandomStream {
 public:
  explicit RandomStream(std::uint64_t seed);
  RandomStream(std::uint64_t root, std::string_view entity, std::string_view purpose)
      : RandomStream(derive_seed(root, entity, purpose)) {}

  std::uint64_t next_u64();
  // Uniform in [0, 1) with 53 random bits.
  double uniform();
  // Uniform in [low, high).
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  // Uniform integer in [0, n), unbiased (Lemire's multiply-and-reject).  REQUIRES: n > 0.
  std::uint64_t below(std::uint64_t n);
  // Normal(mean, stddev) by Box-Muller (both outputs used, in order).
  double normal(double mean = 0.0, double stddev = 1.0);
  double lognormal(double mu, double sigma);
  double exponential(double rate);
  bool bernoulli(double p) { return uniform() < p; }

 private:
  std::uint64_t state_[4];
  bool has_spare_normal_ = false;
  double spare_normal_ = 0.0;
};

}  // namespace sim
