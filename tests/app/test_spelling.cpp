#include <catch2/catch.hpp>

#include "app/spelling.h"

namespace {

TEST_CASE("edit distance counts insertions, deletions, substitutions and adjacent swaps",
          "[app][spelling]") {
  SECTION("identical words") { CHECK(app::edit_distance("seed", "seed") == 0); }
  SECTION("empty word") {
    CHECK(app::edit_distance("", "abc") == 3);
    CHECK(app::edit_distance("abc", "") == 3);
  }
  SECTION("one deletion") { CHECK(app::edit_distance("lerning_rate", "learning_rate") == 1); }
  SECTION("one substitution") { CHECK(app::edit_distance("seef", "seed") == 1); }
  SECTION("an adjacent swap counts once") { CHECK(app::edit_distance("sede", "seed") == 1); }
  SECTION("unrelated words") { CHECK(app::edit_distance("kitten", "sitting") == 3); }
}

TEST_CASE("did_you_mean suggests the closest candidate only when it is close", "[app][spelling]") {
  const std::vector<std::string> keys = {"name", "seed", "learning_rate", "momentum"};
  SECTION("a typo is corrected") {
    CHECK(app::did_you_mean("lerning_rate", keys) == "learning_rate");
  }
  SECTION("a swap is corrected") { CHECK(app::did_you_mean("moemntum", keys) == "momentum"); }
  SECTION("a case difference is corrected") { CHECK(app::did_you_mean("Seed", keys) == "seed"); }
  SECTION("an unrelated word gets no suggestion") {
    CHECK(app::did_you_mean("topology", keys).empty());
  }
  SECTION("a one-letter word is never rewritten entirely") {
    CHECK(app::did_you_mean("x", {"s"}).empty());
  }
  SECTION("ties go to the first candidate") {
    CHECK(app::did_you_mean("ab", {"ac", "ad"}) == "ac");
  }
  SECTION("no candidates, no suggestion") { CHECK(app::did_you_mean("seed", {}).empty()); }
}

TEST_CASE("join lists items with a separator", "[app][spelling]") {
  CHECK(app::join({}) == "");
  CHECK(app::join({"a"}) == "a");
  CHECK(app::join({"a", "b", "c"}) == "a, b, c");
  CHECK(app::join({"a", "b"}, " or ") == "a or b");
}

}  // namespace
