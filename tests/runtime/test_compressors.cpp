// The lossy compressors against hand-computed encodings, wire sizes from
// their formulas, QSGD's unbiasedness over seeds, and the error-feedback
// identity: sum of what was sent + the residual = sum of the inputs.
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <vector>

#include "algorithms/runtime/quantizers.h"
#include "algorithms/runtime/sparsifiers.h"
#include "sim/random.h"

namespace {

ml::Vector vec(std::initializer_list<float> values) {
  ml::Vector v(static_cast<Eigen::Index>(values.size()));
  Eigen::Index i = 0;
  for (float x : values) v[i++] = x;
  return v;
}

ml::Vector gaussian(std::int64_t n, std::uint64_t seed) {
  sim::RandomStream random(seed);
  ml::Vector v(n);
  for (Eigen::Index i = 0; i < n; ++i) v[i] = static_cast<float>(random.normal());
  return v;
}

algo::KeepRule fraction(double f) { return algo::KeepRule{f, 0}; }
algo::KeepRule count(std::int64_t k) { return algo::KeepRule{0.0, k}; }

std::int64_t nonzeros(const ml::Vector& v) {
  std::int64_t n = 0;
  for (Eigen::Index i = 0; i < v.size(); ++i) n += v[i] != 0.0f ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("each encoding's wire size is its formula, in whole bytes") {
  SECTION("top-k and random-k: 4k value bytes plus 4k index bytes or an n-bit bitmap") {
    // k = 10 of 1000: indices (40) beat the bitmap (125).
    CHECK(algo::TopK(fraction(0.01), false).wire_bytes(1000) == 80.0);
    // k = 300 of 1000: the bitmap (125) beats the indices (1200).
    CHECK(algo::TopK(count(300), false).wire_bytes(1000) == 1200.0 + 125.0);
    // k = ceil(0.015 x 1000) = 15; a count above n keeps all n (bitmap 2 bytes).
    CHECK(algo::RandomK(fraction(0.015), false).wire_bytes(1000) == 120.0);
    CHECK(algo::RandomK(count(50), false).wire_bytes(10) == 42.0);
    // At least one element of a non-empty vector.
    CHECK(algo::TopK(fraction(1e-9), false).wire_bytes(7) == 4.0 + 1.0);
  }
  SECTION("QSGD: a 4-byte norm plus 1 + ceil(log2(s + 1)) bits per element") {
    CHECK(algo::Qsgd(1, false).bits_per_element() == 2);
    CHECK(algo::Qsgd(3, false).bits_per_element() == 3);
    CHECK(algo::Qsgd(4, false).bits_per_element() == 4);
    CHECK(algo::Qsgd(255, false).bits_per_element() == 9);
    CHECK(algo::Qsgd(2147483647, false).bits_per_element() == 32);
    CHECK(algo::Qsgd(1, false).wire_bytes(1000) == 4.0 + 250.0);
    CHECK(algo::Qsgd(3, false).wire_bytes(1001) == 4.0 + 376.0);  // 3003 bits
    CHECK(algo::Qsgd(255, false).wire_bytes(1000) == 4.0 + 1125.0);
    CHECK_THROWS_AS(algo::Qsgd(0, false), std::invalid_argument);
  }
  SECTION("scaled sign: one bit per element and a 4-byte scale") {
    CHECK(algo::ScaledSign(false).wire_bytes(1000) == 129.0);
    CHECK(algo::ScaledSign(false).wire_bytes(1001) == 130.0);
  }
  SECTION("encode() reports the same size as wire_bytes()") {
    std::vector<std::unique_ptr<algo::LossyCompressor>> all;
    all.push_back(std::make_unique<algo::TopK>(fraction(0.1), true));
    all.push_back(std::make_unique<algo::RandomK>(count(7), false));
    all.push_back(std::make_unique<algo::Qsgd>(15, true));
    all.push_back(std::make_unique<algo::ScaledSign>(false));
    for (auto& c : all) {
      c->seed(5);
      CHECK(c->encode(gaussian(333, 1)).bytes == c->wire_bytes(333));
    }
  }
}

TEST_CASE("top-k sends the k largest magnitudes, the lower index first among equals") {
  const ml::Vector v = vec({0.5f, -3.0f, 1.0f, 3.0f, -0.1f});
  algo::TopK two(count(2), false);
  CHECK(two.encode(v).values == vec({0, -3, 0, 3, 0}));
  algo::TopK three(count(3), false);
  CHECK(three.encode(v).values == vec({0, -3, 1, 3, 0}));
  SECTION("at 100% it sends the vector itself, bit for bit, with or without error feedback") {
    const ml::Vector g = gaussian(1000, 3);
    algo::TopK all(fraction(1.0), true);
    CHECK(all.encode(g).values == g);
    CHECK(all.encode(g).values == g);
    CHECK(all.residual() == ml::Vector::Zero(1000));
  }
}

TEST_CASE("random-k sends k of the elements as they are, chosen by the sender's own stream") {
  const ml::Vector g = gaussian(100, 4);
  algo::RandomK a(count(10), false), b(count(10), false), c(count(10), false);
  a.seed(1);
  b.seed(1);
  c.seed(2);
  const ml::Vector first = a.encode(g).values;
  CHECK(nonzeros(first) == 10);
  for (Eigen::Index i = 0; i < g.size(); ++i) CHECK((first[i] == 0.0f || first[i] == g[i]));
  CHECK(b.encode(g).values == first);  // the same seed, the same choice
  CHECK(c.encode(g).values != first);  // another stream, another choice
  CHECK(a.encode(g).values != first);  // the stream moves on
  SECTION("every element is chosen with probability k / n") {
    algo::RandomK d(count(10), false);
    d.seed(9);
    std::vector<int> chosen(100, 0);
    const int draws = 20000;
    for (int t = 0; t < draws; ++t) {
      const ml::Vector out = d.encode(g).values;
      for (Eigen::Index i = 0; i < 100; ++i) chosen[static_cast<std::size_t>(i)] += out[i] != 0.0f;
    }
    // Binomial(20000, 0.1): mean 2000, sd 42.4; 5 sd.
    for (int n : chosen) CHECK(std::abs(n - 2000) < 212);
  }
  SECTION("unseeded, it refuses to draw") {
    algo::RandomK unseeded(count(1), false);
    CHECK_THROWS_AS(unseeded.encode(g), std::logic_error);
  }
}

TEST_CASE("QSGD sends the norm times sign times level / s, and is unbiased over seeds") {
  const ml::Vector v = vec({0.3f, -0.4f, 0.0f, 1.2f, -0.05f});
  const double norm = std::sqrt(0.09 + 0.16 + 1.44 + 0.0025);
  algo::Qsgd q(4, false);
  q.seed(11);
  const ml::Vector out = q.encode(v).values;
  for (Eigen::Index i = 0; i < v.size(); ++i) {
    const double level = std::abs(out[i]) / norm * 4.0;
    CHECK(std::abs(level - std::round(level)) < 1e-5);  // on the grid
    const double r = std::abs(v[i]) / norm * 4.0;       // a neighbour of r
    CHECK((std::round(level) == std::floor(r) || std::round(level) == std::floor(r) + 1.0));
    if (out[i] != 0.0f) CHECK((out[i] < 0.0f) == (v[i] < 0.0f));
  }
  CHECK(out[2] == 0.0f);

  SECTION("the mean over 20000 seeds is the input, within 5 standard errors") {
    const int seeds = 20000;
    std::vector<double> sum(5, 0.0);
    for (int s = 0; s < seeds; ++s) {
      algo::Qsgd one(1, false);  // the coarsest: 0 or the norm
      one.seed(sim::derive_seed(77, static_cast<std::uint64_t>(s)));
      const ml::Vector o = one.encode(v).values;
      for (int i = 0; i < 5; ++i) sum[static_cast<std::size_t>(i)] += o[i];
    }
    for (int i = 0; i < 5; ++i) {
      const double p = std::abs(v[i]) / norm;  // Bernoulli(p) x norm
      const double standard_error = norm * std::sqrt(p * (1 - p) / seeds);
      const double mean = sum[static_cast<std::size_t>(i)] / seeds;
      INFO("element " << i << " mean " << mean << " input " << v[i]);
      CHECK(std::abs(mean - v[i]) <= 5.0 * standard_error + 1e-7);
    }
  }
  SECTION("with 2^31 - 1 levels every element is within norm / s of the input") {
    const ml::Vector g = gaussian(10000, 6);
    algo::Qsgd fine(2147483647, false);
    fine.seed(1);
    const ml::Vector o = fine.encode(g).values;
    const double bound = g.norm() / 2147483647.0 + 1e-7 * g.cwiseAbs().maxCoeff();
    CHECK((o - g).cwiseAbs().maxCoeff() <= bound);
  }
}

TEST_CASE("scaled sign sends the mean magnitude with each element's sign") {
  algo::ScaledSign sign(false);
  CHECK(sign.encode(vec({1.0f, -2.0f, 0.0f, -5.0f})).values == vec({2, -2, 2, -2}));
}

TEST_CASE("with error feedback, what was sent plus the residual is the sum of the inputs") {
  std::vector<std::unique_ptr<algo::LossyCompressor>> all;
  all.push_back(std::make_unique<algo::TopK>(fraction(0.01), true));
  all.push_back(std::make_unique<algo::RandomK>(fraction(0.05), true));
  // (s = 64: with sqrt(n) / s < 1 the error stays bounded; see compression.md)
  all.push_back(std::make_unique<algo::Qsgd>(64, true));
  all.push_back(std::make_unique<algo::ScaledSign>(true));
  for (auto& c : all) {
    c->seed(21);
    const std::int64_t n = 500;
    Eigen::VectorXd raw = Eigen::VectorXd::Zero(n), sent = Eigen::VectorXd::Zero(n);
    double magnitude = 0.0;
    for (int t = 0; t < 60; ++t) {
      const ml::Vector g = gaussian(n, 100 + static_cast<std::uint64_t>(t));
      raw += g.cast<double>();
      magnitude += g.cwiseAbs().sum();
      sent += c->encode(g).values.cast<double>();
    }
    const Eigen::VectorXd gap = sent + c->residual().cast<double>() - raw;
    INFO(c->name() << ": largest gap " << gap.cwiseAbs().maxCoeff());
    // Float rounding of 60 additions per element.
    CHECK(gap.cwiseAbs().maxCoeff() <= 1e-5 * magnitude / static_cast<double>(n));
    // The residual is not trivially zero: something was held back.
    CHECK(c->residual().cwiseAbs().maxCoeff() > 0.0f);
  }
  SECTION("without it nothing is kept, and a lossy operator loses the rest") {
    algo::TopK plain(count(1), false);
    plain.encode(vec({1, 2}));
    CHECK(plain.residual().size() == 0);
    CHECK(plain.encode(vec({1, 2})).values == vec({0, 2}));
  }
  SECTION("the residual is per element: another size is refused") {
    algo::TopK feedback(count(1), true);
    feedback.encode(vec({1, 2}));
    // The 1 held back makes element 0 a 2 as well: the lower index goes.
    CHECK(feedback.encode(vec({1, 2})).values == vec({2, 0}));
    CHECK(feedback.residual() == vec({0, 2}));
    CHECK_THROWS_AS(feedback.encode(vec({1, 2, 3})), std::invalid_argument);
  }
}

TEST_CASE("a difference from a known base: lossy encoders see v - base, exact ones v") {
  const ml::Vector base = vec({10, 20, 30});
  algo::TopK one(count(1), false);
  CHECK(algo::encode_difference(one, vec({11, 25, 29}), base).values == vec({10, 25, 30}));
  algo::IdentityCompressor none;
  CHECK(algo::encode_difference(none, vec({11, 25, 29}), base).values == vec({11, 25, 29}));
}
