#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/random.h"

namespace {

std::vector<std::uint64_t> draws(sim::RandomStream stream, int n) {
  std::vector<std::uint64_t> out;
  for (int i = 0; i < n; ++i) out.push_back(stream.next_u64());
  return out;
}

std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }

}  // namespace

TEST_CASE("streams are a pure function of seed, entity and purpose") {
  CHECK(draws(sim::RandomStream(42, "worker0", "straggler"), 8) ==
        draws(sim::RandomStream(42, "worker0", "straggler"), 8));
  SECTION("each part of the key changes the stream") {
    const auto base = draws(sim::RandomStream(42, "worker0", "straggler"), 8);
    CHECK(base != draws(sim::RandomStream(43, "worker0", "straggler"), 8));
    CHECK(base != draws(sim::RandomStream(42, "worker1", "straggler"), 8));
    CHECK(base != draws(sim::RandomStream(42, "worker0", "data"), 8));
  }
  SECTION("the separator keeps entity and purpose apart") {
    CHECK(sim::derive_seed(1, "ab", "c") != sim::derive_seed(1, "a", "bc"));
  }
}

TEST_CASE("a stream is a pure function of its seed") {
  sim::RandomStream a(42);
  sim::RandomStream b(42);
  sim::RandomStream c(43);
  bool any_differs = false;
  for (int i = 0; i < 100; ++i) {
    const std::uint64_t x = a.next_u64();
    REQUIRE(x == b.next_u64());
    any_differs |= x != c.next_u64();
  }
  CHECK(any_differs);
}

TEST_CASE("adding an entity leaves the other entities' numbers unchanged") {
  // A stream depends only on its own key, never on how many streams exist.
  std::vector<std::vector<std::uint64_t>> small, large;
  for (int i = 0; i < 4; ++i)
    small.push_back(draws(sim::RandomStream(7, "w" + std::to_string(i), "p"), 4));
  for (int i = 0; i < 5; ++i)
    large.push_back(draws(sim::RandomStream(7, "w" + std::to_string(i), "p"), 4));
  for (int i = 0; i < 4; ++i) CHECK(small[i] == large[i]);
}

TEST_CASE("the mixing function is pinned") {
  // Changing the mixing function changes every scenario's results; this test
  // makes such a change deliberate. splitmix64 from state 0 is a published
  // sequence: its n-th output is splitmix64((n - 1) * golden) here.
  CHECK(sim::splitmix64(0) == 0xe220a8397b1dcdafULL);
  CHECK(sim::splitmix64(0x9e3779b97f4a7c15ULL) == 0x6e789e6aa1b965f4ULL);
  CHECK(sim::RandomStream(sim::derive_seed(0, "", "")).next_u64() ==
        sim::RandomStream(sim::derive_seed(0, "", "")).next_u64());
}

TEST_CASE("xoshiro256 starstar seeded by splitmix64 matches the reference algorithm") {
  // Expected words from an independent transcription of the reference C code
  // (Blackman & Vigna; state filled by splitmix64 from seed 0), in Python.
  // A change here changes every experiment's data, weights and batches.
  sim::RandomStream rng(0);
  CHECK(rng.next_u64() == 0x99EC5F36CB75F2B4ull);
  CHECK(rng.next_u64() == 0xBF6E1F784956452Aull);
  CHECK(rng.next_u64() == 0x1A5F849D4933E6E0ull);
}

// Two generators (sim::RandomStream and the learning math's
// ml::Rng) became this one. These are the first outputs both gave before the
// merge, through each one's methods, taken from the code before the change:
// every existing stream still produces the same numbers.
TEST_CASE("the one generator gives the numbers of both generators it replaced") {
  SECTION("as the learning math draws (formerly ml::Rng)") {
    sim::RandomStream r(42);
    CHECK(r.next_u64() == 0x15780b2e0c2ec716ull);
    CHECK(bits(r.uniform()) == 0x3fd84136619b444eull);
    CHECK(std::bit_cast<std::uint32_t>(r.uniform_float()) == 0x3f2e1753u);
    CHECK(bits(r.uniform(-1.0, 1.0)) == 0x3feb2e2b51c0ecd8ull);
    CHECK(r.below(1000) == 991);  // formerly bounded(1000)
    // normal() is N(0, 1) itself: the spare comes back as drawn.
    CHECK(bits(r.normal()) == 0xbfd50ddefa736061ull);
    CHECK(bits(r.normal()) == 0xbffae92833edca00ull);
    CHECK(bits(r.normal()) == 0x3fc1cdd0889a848full);
    // Gamma's arithmetic has multiply-adds, which the generators' builds
    // fused (FMA, before -ffp-contract=off): equal to 12 digits, and the
    // exact next_u64 below shows that the same draws were used.
    CHECK(r.gamma(0.3) == Approx(0.00083942058250633474).epsilon(1e-12));
    CHECK(r.gamma(2.5) == Approx(2.5742954692914077).epsilon(1e-12));
    std::vector<int> v(10);
    std::iota(v.begin(), v.end(), 0);
    r.shuffle(std::span<int>(v));
    CHECK(v == std::vector<int>{1, 2, 6, 0, 3, 8, 5, 4, 9, 7});
    CHECK(r.next_u64() == 0x9a1da25458817417ull);
    CHECK(sim::derive_seed(42, 3) == 0x8c2169269ffd58d0ull);
  }
  SECTION("as the engine and the algorithms draw (sim::RandomStream)") {
    sim::RandomStream r(42, "worker0", "straggler");
    CHECK(r.next_u64() == 0xca12b4b52c066aceull);
    // mean + stddev * radius * cos(angle), multiplied left to right. A zero
    // mean keeps the values independent of multiply-add fusion.
    CHECK(bits(r.normal(0.0, 3.0)) == 0x3fe123d7c15e3214ull);
    CHECK(bits(r.normal(0.0, 3.0)) == 0xc00467af8cacbd6dull);
    CHECK(bits(r.normal(0.0, 3.0)) == 0x3ff1ec719a51c1b1ull);
    CHECK(bits(r.lognormal(0.0, 0.2)) == 0x3ff002409fd37addull);
    CHECK(bits(r.exponential(4.0)) == 0x3fd52bdd0fb26992ull);
    CHECK(r.below(10) == 9);
    CHECK(r.bernoulli(0.5));
    CHECK(bits(r.uniform(-1.0, 1.0)) == 0xbfe682791ade0e96ull);
    CHECK(r.next_u64() == 0xe50c4f5dc0c96959ull);
    CHECK(sim::derive_seed(42, "data", "synthetic") == 0x23c952688c567c86ull);
  }
}

TEST_CASE("numbered sub-streams of a seed differ per stream and per seed") {
  CHECK(sim::derive_seed(1, 0) != sim::derive_seed(1, 1));
  CHECK(sim::derive_seed(1, 0) != sim::derive_seed(2, 0));
  CHECK(sim::derive_seed(1, 0) == sim::derive_seed(1, 0));
}

TEST_CASE("distributions have the right moments") {
  sim::RandomStream r(123, "moments", "test");
  const int n = 200'000;
  double sum = 0, sum_sq = 0, exp_sum = 0;
  std::vector<int> bucket(10, 0);
  for (int i = 0; i < n; ++i) {
    const double x = r.normal(2.0, 3.0);
    sum += x;
    sum_sq += x * x;
    exp_sum += r.exponential(4.0);
    const double u = r.uniform();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    ++bucket[r.below(10)];
  }
  const double mean = sum / n, var = sum_sq / n - mean * mean;
  CHECK(mean == Approx(2.0).margin(0.03));
  CHECK(std::sqrt(var) == Approx(3.0).margin(0.03));
  CHECK(exp_sum / n == Approx(0.25).margin(0.005));
  for (int b : bucket) CHECK(b == Approx(n / 10).epsilon(0.03));
}

TEST_CASE("uniform draws stay between zero and one with mean one half") {
  sim::RandomStream rng(7);
  double sum = 0.0;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform();
    const float f = rng.uniform_float();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    REQUIRE(f >= 0.0f);
    REQUIRE(f < 1.0f);
    sum += u;
  }
  CHECK(sum / n == Approx(0.5).margin(0.01));
}

TEST_CASE("bounded integers are unbiased and in range") {
  sim::RandomStream rng(11);
  std::vector<int> counts(6, 0);
  const int n = 60000;
  for (int i = 0; i < n; ++i) {
    const std::uint64_t k = rng.below(6);
    REQUIRE(k < 6);
    ++counts[k];
  }
  for (const int c : counts) CHECK(c == Approx(n / 6).epsilon(0.05));
  CHECK(rng.below(1) == 0);
  CHECK_THROWS_AS(rng.below(0), std::invalid_argument);
}

TEST_CASE("standard normal draws have mean 0 and variance 1") {
  sim::RandomStream rng(3);
  double sum = 0.0;
  double sum2 = 0.0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double x = rng.normal();
    REQUIRE(std::isfinite(x));
    sum += x;
    sum2 += x * x;
  }
  CHECK(sum / n == Approx(0.0).margin(0.01));
  CHECK(sum2 / n == Approx(1.0).epsilon(0.02));
}

TEST_CASE("gamma draws have mean and variance equal to the shape") {
  const double shape = GENERATE(0.3, 1.0, 2.5, 10.0);
  sim::RandomStream rng(5);
  double sum = 0.0;
  double sum2 = 0.0;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    const double x = rng.gamma(shape);
    REQUIRE(x >= 0.0);
    sum += x;
    sum2 += x * x;
  }
  const double mean = sum / n;
  const double variance = sum2 / n - mean * mean;
  CAPTURE(shape, mean, variance);
  CHECK(mean == Approx(shape).epsilon(0.03));
  CHECK(variance == Approx(shape).epsilon(0.06));
}

TEST_CASE("a shuffle is a seeded permutation") {
  std::vector<int> a(50);
  std::iota(a.begin(), a.end(), 0);
  std::vector<int> b = a;
  std::vector<int> c = a;
  sim::RandomStream(9).shuffle(std::span<int>(a));
  sim::RandomStream(9).shuffle(std::span<int>(b));
  sim::RandomStream(10).shuffle(std::span<int>(c));
  CHECK(a == b);
  CHECK(a != c);
  std::vector<int> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int> identity(50);
  std::iota(identity.begin(), identity.end(), 0);
  CHECK(sorted == identity);
}
