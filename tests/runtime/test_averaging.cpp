// The one averaging kernel and the plug-ins built on it, against sums
// written out by hand.
#include <catch2/catch.hpp>

#include <vector>

#include "algorithms/runtime/aggregator.h"
#include "algorithms/runtime/averaging.h"
#include "algorithms/runtime/compressor.h"
#include "algorithms/runtime/mean_aggregator.h"

namespace {

ml::Vector vec(std::initializer_list<float> values) {
  ml::Vector v(static_cast<Eigen::Index>(values.size()));
  Eigen::Index i = 0;
  for (float x : values) v[i++] = x;
  return v;
}

}  // namespace

TEST_CASE("proportional weights are each count over the total, as floats") {
  const std::vector<std::int64_t> counts{1, 3};
  CHECK(algo::proportional_weights(counts) == std::vector<float>{0.25f, 0.75f});
  const std::vector<std::int64_t> zero{0, 0};
  CHECK_THROWS_AS(algo::proportional_weights(zero), std::invalid_argument);
  const std::vector<std::int64_t> negative{2, -1};
  CHECK_THROWS_AS(algo::proportional_weights(negative), std::invalid_argument);
}

TEST_CASE("the weighted mean weights each contribution by its samples") {
  algo::RunContext ctx;
  const ml::Vector a = vec({1, 2, 3});
  const ml::Vector b = vec({5, 6, 7});
  const std::vector<algo::Contribution> in{{0, &a, 1}, {1, &b, 3}};
  ml::Vector out(3);
  algo::WeightedMean rule;
  rule.aggregate(ctx, in, out);
  // 0.25 * a + 0.75 * b, summed from zero in order.
  const ml::Vector expected = (0.0f + 0.25f * a.array() + 0.75f * b.array()).matrix();
  CHECK(out == expected);
  CHECK(out == vec({4, 5, 6}));
  CHECK(rule.flops(3, 2) == 6.0);
}

TEST_CASE("the unweighted mean counts every contribution the same") {
  algo::RunContext ctx;
  const ml::Vector a = vec({1, 2, 3});
  const ml::Vector b = vec({5, 6, 7});
  const std::vector<algo::Contribution> in{{0, &a, 1}, {1, &b, 3}};
  ml::Vector out(3);
  algo::MeanAggregator rule;
  rule.aggregate(ctx, in, out);
  CHECK(out == vec({3, 4, 5}));  // the samples behind b do not count
  CHECK(rule.name() == "mean");
}

TEST_CASE("the test fault negates every average, and only there") {
  algo::RunContext ctx;
  ctx.test_flip_average_sign = true;
  const ml::Vector a = vec({1, 2});
  const ml::Vector b = vec({3, 4});
  const std::vector<algo::Contribution> in{{0, &a, 1}, {1, &b, 1}};
  ml::Vector out(2);
  SECTION("a server's aggregate") {
    algo::WeightedMean rule;
    rule.aggregate(ctx, in, out);
    CHECK(out == vec({-2, -3}));
  }
  SECTION("an all-reduce's sum over its weight") {
    algo::average_of_sum(ctx, vec({4, 6}), 2.0f, out);
    CHECK(out == vec({-2, -3}));
  }
}

TEST_CASE("the all-reduce average divides by the total weight") {
  algo::RunContext ctx;
  ml::Vector out;
  // 1 / 3 is not exact: the kernel divides, it does not multiply by 1 / 3.
  algo::average_of_sum(ctx, vec({1, 2}), 3.0f, out);
  CHECK(out[0] == 1.0f / 3.0f);
  CHECK(out[1] == 2.0f / 3.0f);
}

TEST_CASE("with math: none the kernel computes nothing") {
  algo::RunContext ctx;
  ctx.timing_only = true;
  ml::Vector out = vec({9, 9});
  algo::WeightedMean rule;
  const std::vector<algo::Contribution> in{{0, nullptr, 1}, {1, nullptr, 1}};
  rule.aggregate(ctx, in, out);
  algo::average_of_sum(ctx, vec({1, 1}), 1.0f, out);
  CHECK(out == vec({9, 9}));
}

TEST_CASE("no compression sends four bytes per element and the vector itself") {
  algo::IdentityCompressor none;
  const algo::Encoded e = none.encode(vec({1, 2, 3}));
  CHECK(e.bytes == 12.0);
  CHECK(e.values == vec({1, 2, 3}));
  CHECK(none.wire_bytes(1000) == 4000.0);
}
