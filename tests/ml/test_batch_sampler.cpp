#include <algorithm>
#include <catch2/catch.hpp>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "algorithms/ml/batch_sampler.h"

namespace {

ml::Shard iota_shard(int n, int first = 100) {
  ml::Shard s(static_cast<std::size_t>(n));
  std::iota(s.begin(), s.end(), first);
  return s;
}

std::vector<std::int32_t> sorted(std::vector<std::int32_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST_CASE("a batch sampler walks its shard in epochs with a short last batch",
          "[ml][batch_sampler]") {
  ml::BatchSampler sampler(iota_shard(10), 7);
  CHECK(sampler.shard_size() == 10);

  SECTION("batch sizes within one epoch: 4, 4, then the short 2") {
    std::vector<std::int32_t> epoch;
    for (const std::size_t expected : {4u, 4u, 2u}) {
      const auto batch = sampler.next_batch(4);
      CHECK(batch.size() == expected);
      epoch.insert(epoch.end(), batch.begin(), batch.end());
    }
    CHECK(sampler.epochs_completed() == 1);
    CHECK(sampler.samples_drawn() == 10);
    CHECK(sorted(epoch) == iota_shard(10));  // every sample once per epoch
  }
  SECTION("the next epoch starts fresh, reshuffled") {
    std::vector<std::int32_t> first;
    std::vector<std::int32_t> second;
    for (int i = 0; i < 3; ++i) {
      const auto b = sampler.next_batch(4);
      first.insert(first.end(), b.begin(), b.end());
    }
    CHECK(sampler.epochs_completed() == 1);
    for (int i = 0; i < 3; ++i) {
      const auto b = sampler.next_batch(4);
      second.insert(second.end(), b.begin(), b.end());
    }
    CHECK(sampler.epochs_completed() == 2);
    CHECK(sampler.samples_drawn() == 20);
    CHECK(sorted(second) == iota_shard(10));
    CHECK(first != second);
  }
  SECTION("a batch larger than the shard returns the whole shard") {
    CHECK(sampler.next_batch(64).size() == 10);
    CHECK(sampler.epochs_completed() == 1);
  }
  SECTION("the batch size may change between calls") {
    CHECK(sampler.next_batch(3).size() == 3);
    CHECK(sampler.next_batch(5).size() == 5);
    CHECK(sampler.next_batch(5).size() == 2);
    CHECK(sampler.epochs_completed() == 1);
  }
}

TEST_CASE("a batch sampler's order is a pure function of its seed", "[ml][batch_sampler]") {
  ml::BatchSampler a(iota_shard(50), 3);
  ml::BatchSampler b(iota_shard(50), 3);
  ml::BatchSampler c(iota_shard(50), 4);
  bool any_differs = false;
  for (int i = 0; i < 20; ++i) {  // spans several epochs
    const auto ba = a.next_batch(8);
    const std::vector<std::int32_t> va(ba.begin(), ba.end());
    const auto bb = b.next_batch(8);
    REQUIRE(va == std::vector<std::int32_t>(bb.begin(), bb.end()));
    const auto bc = c.next_batch(8);
    any_differs |= va != std::vector<std::int32_t>(bc.begin(), bc.end());
  }
  CHECK(any_differs);
}

TEST_CASE("a batch sampler rejects an empty shard and a non-positive batch size",
          "[ml][batch_sampler]") {
  SECTION("empty shard") { CHECK_THROWS_AS(ml::BatchSampler({}, 1), std::invalid_argument); }
  SECTION("zero batch size") {
    ml::BatchSampler s(iota_shard(3), 1);
    CHECK_THROWS_AS(s.next_batch(0), std::invalid_argument);
  }
}
