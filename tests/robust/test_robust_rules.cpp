// The robust aggregation rules against hand computations and their
// closed-form robustness bounds.
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <vector>

#include "algorithms/robust/centered_clipping.h"
#include "algorithms/robust/coordinatewise.h"
#include "algorithms/robust/geometric_median.h"
#include "algorithms/robust/krum.h"
#include "sim/random.h"

namespace {

ml::Vector vec(std::initializer_list<float> values) {
  ml::Vector v(static_cast<Eigen::Index>(values.size()));
  Eigen::Index i = 0;
  for (float x : values) v[i++] = x;
  return v;
}

// Contributions pointing at `vectors` (which must outlive them), weights 1.
std::vector<algo::Contribution> of(const std::vector<ml::Vector>& vectors) {
  std::vector<algo::Contribution> in;
  for (std::size_t i = 0; i < vectors.size(); ++i)
    in.push_back({static_cast<int>(i), &vectors[i], 1});
  return in;
}

ml::Vector run(algo::Aggregator& rule, const std::vector<ml::Vector>& vectors) {
  const algo::RunContext ctx;
  ml::Vector out(vectors.front().size());
  rule.aggregate(ctx, of(vectors), out);
  return out;
}

// Five 2-d vectors; with f = 1 Krum scores each by its k = 5 - 1 - 2 = 2
// nearest squared distances. Pairwise squared distances, by hand:
//   d01=1 d02=4 d03=200 d04=5 d12=5 d13=181 d14=2 d23=164 d24=5 d34=145
// scores: v0 1+4=5, v1 1+2=3, v2 4+5=9, v3 145+164=309, v4 2+5=7.
const std::vector<ml::Vector> kFive = {vec({0, 0}), vec({1, 0}), vec({0, 2}), vec({10, 10}),
                                       vec({2, 1})};

// n honest vectors around `centre` (spread 1) and f attackers far away.
struct Crowd {
  std::vector<ml::Vector> all;
  ml::Vector honest_mean;
  double honest_radius = 0.0;  // max distance of an honest vector to honest_mean
};
Crowd crowd(int honest, int attackers, Eigen::Index size, std::uint64_t seed) {
  sim::RandomStream rng(seed);
  Crowd c;
  c.honest_mean.setZero(size);
  for (int i = 0; i < honest; ++i) {
    ml::Vector v(size);
    for (Eigen::Index j = 0; j < size; ++j) v[j] = static_cast<float>(3.0 + rng.normal());
    c.honest_mean += v;
    c.all.push_back(v);
  }
  c.honest_mean /= static_cast<float>(honest);
  for (int i = 0; i < honest; ++i) {
    c.honest_radius =
        std::max(c.honest_radius, static_cast<double>((c.all[i] - c.honest_mean).norm()));
  }
  for (int i = 0; i < attackers; ++i) {
    ml::Vector v(size);
    for (Eigen::Index j = 0; j < size; ++j) v[j] = static_cast<float>(rng.normal(0.0, 1000.0));
    c.all.push_back(v);
  }
  return c;
}

}  // namespace

TEST_CASE("the coordinate-wise median is the middle value, or the mean of the two middle ones") {
  algo::CoordinateMedian median;
  SECTION("odd count") {
    // coordinate 0: 1 9 3 100 2 -> 1 2 [3] 9 100; coordinate 1: -1 0 5 -7 4 -> -7 -1 [0] 4 5
    const std::vector<ml::Vector> v = {vec({1, -1}), vec({9, 0}), vec({3, 5}), vec({100, -7}),
                                       vec({2, 4})};
    CHECK(run(median, v) == vec({3, 0}));
  }
  SECTION("even count") {
    const std::vector<ml::Vector> v = {vec({1}), vec({2}), vec({10}), vec({3})};
    CHECK(run(median, v) == vec({2.5f}));  // 1 [2 3] 10
  }
  SECTION("it rejects no contribution as a whole") {
    run(median, kFive);
    CHECK(median.rejected() == std::vector<char>(5, 0));
  }
}

TEST_CASE("the trimmed mean drops floor(beta n) values at each end and averages the rest") {
  const std::vector<ml::Vector> v = {vec({1, -1}), vec({9, 0}), vec({3, 5}), vec({100, -7}),
                                     vec({2, 4})};
  SECTION("beta 0.2 of 5 trims one each side") {
    algo::TrimmedMean rule(0.2);
    CHECK(rule.trimmed(5) == 1);
    // 1 [2 3 9] 100 -> 14/3; -7 [-1 0 4] 5 -> 1
    CHECK(run(rule, v) == vec({14.0f / 3.0f, 1.0f}));
  }
  SECTION("beta 0.19 of 5 trims nothing: the mean") {
    algo::TrimmedMean rule(0.19);
    CHECK(rule.trimmed(5) == 0);
    const ml::Vector out = run(rule, v);
    CHECK(out[0] == Approx(115.0 / 5.0));
    CHECK(out[1] == Approx(1.0 / 5.0));
  }
  SECTION("bad beta") {
    CHECK_THROWS_AS(algo::TrimmedMean(0.5), std::invalid_argument);
    CHECK_THROWS_AS(algo::TrimmedMean(-0.1), std::invalid_argument);
  }
}

TEST_CASE("krum picks the vector with the smallest sum of distances to its nearest neighbours") {
  SECTION("krum, f = 1: v1 scores 3, the lowest") {
    algo::Krum krum(1, 1);
    CHECK(run(krum, kFive) == vec({1, 0}));
    CHECK(krum.selected() == std::vector<int>{1});
    CHECK(krum.rejected() == std::vector<char>{1, 0, 1, 1, 1});
    CHECK(krum.name() == "krum");
  }
  SECTION("multi-krum, f = 1, m = 3: the mean of v1, v0 and v4") {
    algo::Krum multi(1, 3);
    const ml::Vector out = run(multi, kFive);
    CHECK(out[0] == Approx(1.0));
    CHECK(out[1] == Approx(1.0 / 3.0));
    CHECK(multi.selected() == std::vector<int>{0, 1, 4});
    CHECK(multi.rejected() == std::vector<char>{0, 0, 1, 1, 0});
  }
  SECTION("a lone contribution is its own result") {
    algo::Krum krum(2, 1);
    const std::vector<ml::Vector> one = {vec({4, 5})};
    CHECK(run(krum, one) == vec({4, 5}));
  }
}

TEST_CASE("the geometric median minimises the sum of distances") {
  SECTION("on a line it is the median") {
    algo::GeometricMedian rule(200);
    const std::vector<ml::Vector> v = {vec({0}), vec({1}), vec({10})};
    CHECK(run(rule, v)[0] == Approx(1.0).margin(1e-4));
  }
  SECTION("in the plane no small move lowers the sum of distances") {
    const Crowd c = crowd(7, 0, 2, 11);
    algo::GeometricMedian rule(500);
    const ml::Vector z = run(rule, c.all);
    auto cost = [&](const ml::Vector& p) {
      double sum = 0;
      for (const ml::Vector& x : c.all) sum += static_cast<double>((x - p).norm());
      return sum;
    };
    for (const ml::Vector& step :
         {vec({1e-2f, 0}), vec({-1e-2f, 0}), vec({0, 1e-2f}), vec({0, -1e-2f})}) {
      CHECK(cost(z) <= cost(z + step) + 1e-6);
    }
  }
}

TEST_CASE("centered clipping moves its center by the mean of clipped differences") {
  algo::CenteredClipping rule(1.0, 1);
  // First call: center = median(0, 1, 2, 100) = 1.5; differences -1.5 -0.5
  // 0.5 98.5 clip to -1 -0.5 0.5 1: the center stays at 1.5.
  const std::vector<ml::Vector> first = {vec({0}), vec({1}), vec({2}), vec({100})};
  CHECK(run(rule, first) == vec({1.5f}));
  CHECK(rule.rejected() == std::vector<char>{1, 0, 0, 1});
  // Second call starts from 1.5: differences 0.5 each, unclipped.
  const std::vector<ml::Vector> second = {vec({2}), vec({2}), vec({2}), vec({2})};
  CHECK(run(rule, second) == vec({2.0f}));
  CHECK(rule.rejected() == std::vector<char>(4, 0));
}

TEST_CASE("below its breakdown point each rule stays within its bound of the honest mean") {
  const int honest = 9, f = 4;  // f < n/2 = 6.5; and 2f + 3 <= 13 for Krum
  const Crowd c = crowd(honest, f, 20, 5);
  SECTION("median and trimmed mean: every coordinate within the honest values' range") {
    algo::CoordinateMedian median;
    algo::TrimmedMean trimmed(0.31);  // floor(0.31 * 13) = 4 = f
    for (algo::Aggregator* rule : std::vector<algo::Aggregator*>{&median, &trimmed}) {
      const ml::Vector out = run(*rule, c.all);
      for (Eigen::Index j = 0; j < out.size(); ++j) {
        float low = c.all[0][j], high = c.all[0][j];
        for (int i = 1; i < honest; ++i) {
          low = std::min(low, c.all[static_cast<std::size_t>(i)][j]);
          high = std::max(high, c.all[static_cast<std::size_t>(i)][j]);
        }
        CHECK(out[j] >= low);
        CHECK(out[j] <= high);
      }
    }
  }
  SECTION("krum: no farther than the farthest honest vector") {
    algo::Krum krum(f, 1);
    const ml::Vector out = run(krum, c.all);
    CHECK(static_cast<double>((out - c.honest_mean).norm()) <= c.honest_radius);
    CHECK(krum.selected().front() < honest);
  }
  SECTION("geometric median: within r / sqrt(1 - (f / h)^2) of the honest mean") {
    // With every honest point within r of their mean m and z at distance D
    // from m, each honest point pulls z towards m with a force of at least
    // sqrt(1 - r^2 / D^2) and each attacker pushes with at most 1, so at the
    // optimum h sqrt(1 - r^2/D^2) <= f.
    algo::GeometricMedian rule(300);
    const ml::Vector out = run(rule, c.all);
    const double ratio = static_cast<double>(f) / honest;
    const double bound = c.honest_radius / std::sqrt(1.0 - ratio * ratio);
    CHECK(static_cast<double>((out - c.honest_mean).norm()) <= bound);
  }
  SECTION("centered clipping: the attackers move the result by at most f tau / n") {
    const double tau = 2.0 * c.honest_radius + 1.0;  // no honest vector is clipped
    algo::CenteredClipping with(tau, 1), without(tau, 1);
    const std::vector<ml::Vector> warm(c.all.begin(), c.all.begin() + honest);
    const ml::Vector center = run(with, warm);
    run(without, warm);
    const ml::Vector out = run(with, c.all);
    // Honest part alone: center + (1/n) sum_h (h - center).
    const double n = honest + f;
    const ml::Vector expected =
        center + (static_cast<float>(honest) / static_cast<float>(n)) * (c.honest_mean - center);
    CHECK(static_cast<double>((out - expected).norm()) <= f * tau / n + 1e-3);
  }
}

TEST_CASE("a robust rule carries the regression suite's deliberate fault") {
  algo::RunContext ctx;
  ctx.test_flip_average_sign = true;
  algo::CoordinateMedian median;
  ml::Vector out(2);
  median.aggregate(ctx, of(kFive), out);
  CHECK(out == vec({-1, -1}));
}
