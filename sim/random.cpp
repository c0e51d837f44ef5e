#include "sim/random.h"

#include <cmath>
#include <numbers>
#include <stdexcept>

namespace sim {
namespace {

constexpr std::uint64_t kGolden = 0x9e3779b97f4a7c15ULL;

// __extension__ keeps -Wpedantic quiet about the GCC/Clang 128-bit type.
__extension__ using Uint128 = unsigned __int128;

std::uint64_t fnv1a(std::uint64_t hash, std::string_view bytes) {
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

}  // namespace

std::uint64_t splitmix64(std::uint64_t x) {
  x += kGolden;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t derive_seed(std::uint64_t root, std::string_view entity, std::string_view purpose) {
  std::uint64_t h = fnv1a(0xcbf29ce484222325ULL, entity);
  h = fnv1a(h, std::string_view("\0", 1));
  h = fnv1a(h, purpose);
  return splitmix64(splitmix64(root) ^ h);
}

std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) {
  // The second output of a splitmix64 generator started at the mixed state.
  const std::uint64_t state = seed ^ (0xD1B54A32D192ED03ULL * (stream + 1));
  return splitmix64(state + kGolden);
}

RandomStream::RandomStream(std::uint64_t seed) {
  std::uint64_t x = seed;
  for (std::uint64_t& word : state_) {
    word = splitmix64(x);
    x += kGolden;
  }
}

std::uint64_t RandomStream::below(std::uint64_t n) {
  if (n == 0) throw std::invalid_argument("RandomStream::below(0)");
  Uint128 m = static_cast<Uint128>(next_u64()) * n;
  auto low = static_cast<std::uint64_t>(m);
  if (low < n) {
    const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    while (low < threshold) {
      m = static_cast<Uint128>(next_u64()) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

void RandomStream::draw_pair(double& radius, double& cos_angle) {
  // 1 - uniform() is in (0, 1]: log never sees 0.
  radius = std::sqrt(-2.0 * std::log(1.0 - uniform()));
  const double angle = 2.0 * std::numbers::pi * uniform();
  spare_normal_ = radius * std::sin(angle);
  has_spare_normal_ = true;
  cos_angle = std::cos(angle);
}

double RandomStream::normal() {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }
  double radius = 0.0;
  double cos_angle = 0.0;
  draw_pair(radius, cos_angle);
  return radius * cos_angle;
}

double RandomStream::normal(double mean, double stddev) {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return mean + stddev * spare_normal_;
  }
  double radius = 0.0;
  double cos_angle = 0.0;
  draw_pair(radius, cos_angle);
  return mean + stddev * radius * cos_angle;
}

double RandomStream::lognormal(double mu, double sigma) { return std::exp(normal(mu, sigma)); }

double RandomStream::exponential(double rate) {
  if (!(rate > 0)) throw std::invalid_argument("exponential rate must be > 0");
  return -std::log(1.0 - uniform()) / rate;
}

double RandomStream::gamma(double shape) {
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

}  // namespace sim
