// The held-out split of a client's shard (client_holdout.h) against hand
// counts: floor(f n) rows held out, the rest kept in the shard's order,
// together exactly the shard; a batch sampler over the training part never
// yields a held-out row; f = 0 takes nothing and draws nothing.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <set>

#include "algorithms/ml/batch_sampler.h"
#include "algorithms/runtime/client_holdout.h"

TEST_CASE("hold_out keeps floor(f n) rows out of a shard, the rest in order") {
  ml::Shard shard(10);
  std::iota(shard.begin(), shard.end(), 100);  // rows 100 ... 109
  const ml::Shard original = shard;
  SECTION("a quarter of 10 rows is 2") {
    const ml::Shard held = algo::hold_out(shard, 0.25, 42);
    REQUIRE(held.size() == 2);
    REQUIRE(shard.size() == 8);
    CHECK(std::is_sorted(held.begin(), held.end()));  // the shard's order
    CHECK(std::is_sorted(shard.begin(), shard.end()));
    std::vector<std::int32_t> all = shard;
    all.insert(all.end(), held.begin(), held.end());
    std::sort(all.begin(), all.end());
    CHECK(all == original);  // together exactly the shard
    // The training part, sampled for 5 epochs, never yields a held-out row.
    ml::BatchSampler sampler(shard, 7);
    const std::set<std::int32_t> out(held.begin(), held.end());
    std::int64_t drawn = 0;
    while (sampler.epochs_completed() < 5) {
      for (std::int32_t row : sampler.next_batch(3)) {
        CHECK(out.count(row) == 0);
        ++drawn;
      }
    }
    CHECK(drawn == 5 * 8);
  }
  SECTION("the same seed holds out the same rows, another seed others") {
    ml::Shard again = original, other = original;
    const ml::Shard a = algo::hold_out(shard, 0.5, 42);
    CHECK(algo::hold_out(again, 0.5, 42) == a);
    CHECK(algo::hold_out(other, 0.5, 43) != a);
  }
  SECTION("f = 0, or f n below 1, holds out nothing") {
    CHECK(algo::hold_out(shard, 0.0, 42).empty());
    CHECK(algo::hold_out(shard, 0.09, 42).empty());  // floor(0.9) = 0
    CHECK(shard == original);
  }
  SECTION("f outside [0, 1) is refused") {
    CHECK_THROWS_AS(algo::hold_out(shard, 1.0, 42), std::invalid_argument);
    CHECK_THROWS_AS(algo::hold_out(shard, -0.1, 42), std::invalid_argument);
  }
}
