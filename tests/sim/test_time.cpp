#include <catch2/catch.hpp>

#include "sim/time.h"

using namespace sim::literals;

TEST_CASE("time literals and helpers count nanoseconds") {
  CHECK(5_us == 5'000);
  CHECK(3_ms == sim::milliseconds(3));
  CHECK(2_s == 2'000'000'000);
  CHECK(sim::to_seconds(1500_ms) == Approx(1.5));
}

TEST_CASE("from_seconds rounds once to the nearest nanosecond") {
  SECTION("exact values stay exact") { CHECK(sim::from_seconds(0.0008) == 800'000); }
  SECTION("sub-nanosecond parts round to nearest") {
    CHECK(sim::from_seconds(1.4e-9) == 1);
    CHECK(sim::from_seconds(1.6e-9) == 2);
  }
  SECTION("non-finite and huge durations are refused") {
    CHECK_THROWS_AS(sim::from_seconds(1.0 / 0.0), std::out_of_range);
    CHECK_THROWS_AS(sim::from_seconds(1e12), std::out_of_range);
  }
}

TEST_CASE("format_time picks a readable unit") {
  CHECK(sim::format_time(1500_us) == "1.5ms");
  CHECK(sim::format_time(800) == "800ns");
  CHECK(sim::format_time(12_s) == "12s");
}
