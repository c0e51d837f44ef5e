// Label-skewed partitions: Dirichlet(alpha) and k shards per part.
#include <algorithm>
#include <catch2/catch.hpp>
#include <numeric>
#include <set>
#include <stdexcept>
#include <vector>

#include "algorithms/ml/partition.h"
#include "sim/random.h"

namespace {

// `per_class` samples of each of `classes` labels, in a seeded random order.
std::vector<std::int32_t> make_labels(int classes, int per_class, std::uint64_t seed) {
  std::vector<std::int32_t> labels;
  for (int c = 0; c < classes; ++c)
    labels.insert(labels.end(), static_cast<std::size_t>(per_class), c);
  sim::RandomStream rng(seed);
  rng.shuffle(std::span<std::int32_t>(labels));
  return labels;
}

// counts[part][class]
std::vector<std::vector<int>> class_counts(const std::vector<ml::Shard>& shards,
                                           const std::vector<std::int32_t>& labels, int classes) {
  std::vector<std::vector<int>> counts(shards.size(),
                                       std::vector<int>(static_cast<std::size_t>(classes), 0));
  for (std::size_t p = 0; p < shards.size(); ++p) {
    for (std::int32_t i : shards[p])
      ++counts[p][static_cast<std::size_t>(labels[static_cast<std::size_t>(i)])];
  }
  return counts;
}

// Each index appears exactly once over all shards.
bool covers_exactly_once(const std::vector<ml::Shard>& shards, std::size_t n) {
  std::vector<int> seen(n, 0);
  for (const auto& shard : shards) {
    for (std::int32_t i : shard) {
      if (i < 0 || static_cast<std::size_t>(i) >= n) return false;
      ++seen[static_cast<std::size_t>(i)];
    }
  }
  return std::all_of(seen.begin(), seen.end(), [](int k) { return k == 1; });
}

// Mean over parts of the largest class share of the part: 1/classes for a
// perfectly balanced part, 1 for a single-label part.
double mean_dominant_share(const std::vector<std::vector<int>>& counts) {
  double sum = 0.0;
  for (const auto& row : counts) {
    const int total = std::accumulate(row.begin(), row.end(), 0);
    sum += static_cast<double>(*std::max_element(row.begin(), row.end())) / total;
  }
  return sum / static_cast<double>(counts.size());
}

}  // namespace

TEST_CASE("a dirichlet partition puts every sample in exactly one part and leaves none empty",
          "[ml][partition]") {
  const double alpha = GENERATE(0.001, 0.1, 1.0, 100.0);
  const int parts = GENERATE(3, 10, 50);
  CAPTURE(alpha, parts);
  const auto labels = make_labels(10, 30, 5);
  const auto shards = ml::partition_dirichlet(labels, 10, parts, alpha, 17);
  REQUIRE(shards.size() == static_cast<std::size_t>(parts));
  CHECK(covers_exactly_once(shards, labels.size()));
  for (const auto& shard : shards) {
    CHECK_FALSE(shard.empty());
    CHECK(std::is_sorted(shard.begin(), shard.end()));
  }
}

TEST_CASE("a dirichlet partition with a large alpha has about the IID class proportions",
          "[ml][partition]") {
  const auto labels = make_labels(10, 1000, 6);
  const auto counts = class_counts(ml::partition_dirichlet(labels, 10, 5, 1e5, 3), labels, 10);
  double worst = 0.0;
  for (const auto& row : counts) {
    const int total = std::accumulate(row.begin(), row.end(), 0);
    for (int k : row) worst = std::max(worst, std::abs(static_cast<double>(k) / total - 0.1));
  }
  INFO("largest deviation of a class share from 0.1: " << worst);
  CHECK(worst < 0.01);
}

TEST_CASE("a dirichlet partition with alpha 0.1 concentrates each part on few labels",
          "[ml][partition]") {
  const auto labels = make_labels(10, 200, 7);
  const double skewed = mean_dominant_share(
      class_counts(ml::partition_dirichlet(labels, 10, 20, 0.1, 9), labels, 10));
  const double balanced =
      mean_dominant_share(class_counts(ml::partition_iid(2000, 20, 9), labels, 10));
  INFO("mean dominant-label share: dirichlet(0.1) " << skewed << ", iid " << balanced);
  CHECK(skewed > 0.6);
  CHECK(balanced < 0.25);
}

TEST_CASE("a dirichlet partition is a pure function of its seed", "[ml][partition]") {
  const auto labels = make_labels(4, 50, 8);
  const auto a = ml::partition_dirichlet(labels, 4, 6, 0.5, 21);
  SECTION("the same seed gives the same shards") {
    CHECK(a == ml::partition_dirichlet(labels, 4, 6, 0.5, 21));
  }
  SECTION("another seed gives other shards") {
    CHECK(a != ml::partition_dirichlet(labels, 4, 6, 0.5, 22));
  }
}

TEST_CASE("a dirichlet partition rejects bad arguments", "[ml][partition]") {
  const auto labels = make_labels(3, 4, 1);
  SECTION("no parts") {
    CHECK_THROWS_AS(ml::partition_dirichlet(labels, 3, 0, 1.0, 1), std::invalid_argument);
  }
  SECTION("more parts than samples") {
    CHECK_THROWS_AS(ml::partition_dirichlet(labels, 3, 13, 1.0, 1), std::invalid_argument);
  }
  SECTION("alpha zero") {
    CHECK_THROWS_AS(ml::partition_dirichlet(labels, 3, 2, 0.0, 1), std::invalid_argument);
  }
  SECTION("alpha infinite") {
    CHECK_THROWS_AS(ml::partition_dirichlet(labels, 3, 2, INFINITY, 1), std::invalid_argument);
  }
  SECTION("a label outside the classes") {
    CHECK_THROWS_AS(ml::partition_dirichlet(labels, 2, 2, 1.0, 1), std::invalid_argument);
  }
}

TEST_CASE("a shards partition gives every part at most k labels when classes fill whole shards",
          "[ml][partition]") {
  const int k = GENERATE(1, 2, 3);
  CAPTURE(k);
  // 10 classes x 60 samples, 10 parts: shard size 600 / (10 k) divides 60.
  const auto labels = make_labels(10, 60, 4);
  const auto shards = ml::partition_shards(labels, 10, k, 12);
  REQUIRE(shards.size() == 10);
  CHECK(covers_exactly_once(shards, labels.size()));
  const auto counts = class_counts(shards, labels, 10);
  for (std::size_t p = 0; p < shards.size(); ++p) {
    CHECK(shards[p].size() == 60);  // k shards of 60 / k samples
    const auto distinct =
        std::count_if(counts[p].begin(), counts[p].end(), [](int n) { return n > 0; });
    CHECK(distinct <= k);
  }
}

TEST_CASE("a shards partition adds at most one label per class boundary in general",
          "[ml][partition]") {
  // Unequal classes and a sample count not divisible by the shard count.
  std::vector<std::int32_t> labels;
  sim::RandomStream rng(3);
  for (int i = 0; i < 1003; ++i) labels.push_back(static_cast<std::int32_t>(rng.below(7)));
  const int parts = 9, k = 3;
  const auto shards = ml::partition_shards(labels, parts, k, 5);
  CHECK(covers_exactly_once(shards, labels.size()));
  const auto counts = class_counts(shards, labels, 7);
  long distinct_total = 0;
  for (const auto& row : counts)
    distinct_total += std::count_if(row.begin(), row.end(), [](int n) { return n > 0; });
  CHECK(distinct_total <= parts * k + 7 - 1);
  std::size_t smallest = shards[0].size(), largest = shards[0].size();
  for (const auto& s : shards) {
    smallest = std::min(smallest, s.size());
    largest = std::max(largest, s.size());
  }
  CHECK(largest - smallest <= static_cast<std::size_t>(k));  // shard sizes differ by <= 1
}

TEST_CASE("a shards partition is a pure function of its seed", "[ml][partition]") {
  const auto labels = make_labels(5, 40, 2);
  SECTION("the same seed gives the same shards") {
    CHECK(ml::partition_shards(labels, 10, 2, 1) == ml::partition_shards(labels, 10, 2, 1));
  }
  SECTION("another seed gives other shards") {
    CHECK(ml::partition_shards(labels, 10, 2, 1) != ml::partition_shards(labels, 10, 2, 2));
  }
}

TEST_CASE("a shards partition rejects bad arguments", "[ml][partition]") {
  const auto labels = make_labels(2, 5, 1);
  SECTION("no parts") {
    CHECK_THROWS_AS(ml::partition_shards(labels, 0, 2, 1), std::invalid_argument);
  }
  SECTION("zero shards per part") {
    CHECK_THROWS_AS(ml::partition_shards(labels, 2, 0, 1), std::invalid_argument);
  }
  SECTION("more shards than samples") {
    CHECK_THROWS_AS(ml::partition_shards(labels, 4, 3, 1), std::invalid_argument);
  }
}
