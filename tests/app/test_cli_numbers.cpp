// Integers on the command line: decimal digits only, range-checked, never
// octal, hexadecimal or wrapped.
#include <catch2/catch.hpp>
#include <string>

#include "app/cli_numbers.h"

TEST_CASE("a command-line integer is plain decimal within its range") {
  const std::uint64_t max = UINT64_MAX;
  SECTION("decimal digits, leading zeros included") {
    CHECK(app::parse_decimal("0", 0, max) == 0u);
    CHECK(app::parse_decimal("10", 0, max) == 10u);
    CHECK(app::parse_decimal("010", 0, max) == 10u);  // not octal 8
    CHECK(app::parse_decimal("0009", 0, max) == 9u);  // not an invalid octal
    CHECK(app::parse_decimal("18446744073709551615", 0, max) == max);
  }
  SECTION("anything else is refused") {
    const std::string text = GENERATE(as<std::string>{}, "", "-1", "+1", "0x10", "1e3", " 1", "1 ",
                                      "1.0", "18446744073709551616", "99999999999999999999999");
    CAPTURE(text);
    CHECK_FALSE(app::parse_decimal(text, 0, max));
  }
  SECTION("the range is inclusive") {
    CHECK(app::parse_decimal("1", 1, 4) == 1u);
    CHECK(app::parse_decimal("4", 1, 4) == 4u);
    CHECK_FALSE(app::parse_decimal("0", 1, 4));
    CHECK_FALSE(app::parse_decimal("5", 1, 4));
  }
}

TEST_CASE("a shard is I/N with 1 <= I <= N, never wrapped") {
  CHECK(app::parse_shard("1/1") == std::pair(1, 1));
  CHECK(app::parse_shard("2/5") == std::pair(2, 5));
  CHECK(app::parse_shard("02/05") == std::pair(2, 5));
  CHECK(app::parse_shard("1000000/1000000") == std::pair(1'000'000, 1'000'000));
  // 4294967297 is 2^32 + 1: read into an int it used to wrap to 1.
  const std::string text = GENERATE(as<std::string>{}, "4294967297/4294967298", "1/4294967297",
                                    "3/2", "0/1", "1/0", "-1/2", "1/-2", "1/2/3", "1", "/", "1/",
                                    "/2", "1 /2", "1/2x", "0x1/2", "1000001/1000001");
  CAPTURE(text);
  CHECK_FALSE(app::parse_shard(text));
}
