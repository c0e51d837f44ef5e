#include <algorithm>
#include <catch2/catch.hpp>
#include <stdexcept>
#include <vector>

#include "algorithms/ml/partition.h"

TEST_CASE("an iid partition covers every index exactly once in near-equal shards",
          "[ml][partition]") {
  const std::int64_t samples = GENERATE(7, 100, 1001);
  const int parts = GENERATE(1, 3, 7);
  CAPTURE(samples, parts);
  const auto shards = ml::partition_iid(samples, parts, 42);
  REQUIRE(shards.size() == static_cast<std::size_t>(parts));

  std::vector<int> seen(static_cast<std::size_t>(samples), 0);
  std::size_t smallest = shards[0].size();
  std::size_t largest = shards[0].size();
  for (const auto& shard : shards) {
    smallest = std::min(smallest, shard.size());
    largest = std::max(largest, shard.size());
    for (const auto index : shard) {
      REQUIRE(index >= 0);
      REQUIRE(index < samples);
      ++seen[static_cast<std::size_t>(index)];
    }
  }
  CHECK(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; }));
  CHECK(largest - smallest <= 1);
}

TEST_CASE("an iid partition is a pure function of its seed", "[ml][partition]") {
  CHECK(ml::partition_iid(500, 4, 1) == ml::partition_iid(500, 4, 1));
  CHECK(ml::partition_iid(500, 4, 1) != ml::partition_iid(500, 4, 2));
  // Shuffled, not a contiguous cut of 0..N-1.
  const auto one = ml::partition_iid(500, 1, 3);
  CHECK_FALSE(std::is_sorted(one[0].begin(), one[0].end()));
}

TEST_CASE("an iid partition rejects impossible requests", "[ml][partition]") {
  SECTION("zero parts") { CHECK_THROWS_AS(ml::partition_iid(10, 0, 1), std::invalid_argument); }
  SECTION("more parts than samples") {
    CHECK_THROWS_AS(ml::partition_iid(3, 4, 1), std::invalid_argument);
  }
  SECTION("negative sample count") {
    CHECK_THROWS_AS(ml::partition_iid(-1, 1, 1), std::invalid_argument);
  }
}
