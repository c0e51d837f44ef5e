#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>

#include "algorithms/runtime/assignment.h"

namespace {

std::vector<algo::Node> workers(std::vector<double> rates) {
  std::vector<algo::Node> nodes;
  for (std::size_t i = 0; i < rates.size(); ++i) {
    nodes.push_back({"worker" + std::to_string(i), static_cast<int>(i), rates[i],
                     sim::Distribution::constant_value(1.0)});
  }
  return nodes;
}

// Every sample index appears in exactly one shard.
void check_cover(const algo::Assignment& a, std::int64_t n) {
  std::vector<int> seen(static_cast<std::size_t>(n), 0);
  for (const auto& shard : a.shards) {
    for (auto i : shard) ++seen[static_cast<std::size_t>(i)];
  }
  CHECK(std::all_of(seen.begin(), seen.end(), [](int c) { return c == 1; }));
}

}  // namespace

TEST_CASE("equal assignment gives equal shards and batches") {
  const auto a = algo::assign_work(algo::AssignmentPolicy::equal, 1001, workers({1, 4, 5}), 32, 3);
  check_cover(a, 1001);
  CHECK(a.shards[0].size() == 334);
  CHECK(a.shards[2].size() == 333);
  CHECK(a.batch_sizes == std::vector<int>{32, 32, 32});
}

TEST_CASE("capacity assignment is proportional to FLOP/s") {
  const auto a =
      algo::assign_work(algo::AssignmentPolicy::capacity, 1000, workers({1e9, 4e9, 5e9}), 32, 3);
  check_cover(a, 1000);
  CHECK(a.shards[0].size() == 100);
  CHECK(a.shards[1].size() == 400);
  CHECK(a.shards[2].size() == 500);
  // 96 samples per step in all, split 1:4:5 -> 9.6, 38.4, 48 -> rounded.
  CHECK(a.batch_sizes == std::vector<int>{10, 38, 48});
}

TEST_CASE("random assignment draws each sample's worker from the seed") {
  const auto a =
      algo::assign_work(algo::AssignmentPolicy::random, 10'000, workers({1, 1, 1, 1}), 8, 3);
  const auto b =
      algo::assign_work(algo::AssignmentPolicy::random, 10'000, workers({1, 1, 1, 1}), 8, 3);
  const auto c =
      algo::assign_work(algo::AssignmentPolicy::random, 10'000, workers({1, 1, 1, 1}), 8, 4);
  check_cover(a, 10'000);
  CHECK(a.shards == b.shards);
  CHECK(a.shards != c.shards);
  bool unequal = false;
  for (const auto& shard : a.shards) {
    CHECK(shard.size() == Approx(2500).margin(200));  // ~4 standard deviations
    unequal |= shard.size() != 2500;
  }
  CHECK(unequal);
}

TEST_CASE("partition_weighted with equal weights is partition_iid") {
  CHECK(ml::partition_weighted(103, {1, 1, 1, 1}, 9) == ml::partition_iid(103, 4, 9));
}

TEST_CASE("bad assignment requests are refused") {
  SECTION("no workers") {
    CHECK_THROWS_AS(algo::assign_work(algo::AssignmentPolicy::equal, 10, {}, 1, 0),
                    std::invalid_argument);
  }
  SECTION("more workers than samples") {
    CHECK_THROWS_AS(
        algo::assign_work(algo::AssignmentPolicy::capacity, 2, workers({1, 1, 1}), 1, 0),
        std::invalid_argument);
  }
}
