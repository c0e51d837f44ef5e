#include <catch2/catch.hpp>
#include <string>

#include "app/units.h"

namespace {

using Catch::Matchers::Contains;

// The message of the UnitError that parse(text) throws; fails the test if none.
template <typename Parse>
std::string unit_error(Parse parse, const std::string& text) {
  try {
    parse(text);
  } catch (const app::UnitError& error) {
    return error.what();
  }
  FAIL("no UnitError for '" << text << "'");
  return "";
}

TEST_CASE("sizes accept SI and IEC units and bare bytes", "[app][units]") {
  SECTION("bare number is bytes") { CHECK(app::parse_bytes("4096") == 4096.0); }
  SECTION("B is bytes") { CHECK(app::parse_bytes("4096B") == 4096.0); }
  SECTION("kB and KB are 1000 bytes") {
    CHECK(app::parse_bytes("10kB") == 10'000.0);
    CHECK(app::parse_bytes("10KB") == 10'000.0);
  }
  SECTION("MB, GB, TB, PB are powers of 1000") {
    CHECK(app::parse_bytes("3MB") == 3e6);
    CHECK(app::parse_bytes("1.5GB") == 1.5e9);
    CHECK(app::parse_bytes("2TB") == 2e12);
    CHECK(app::parse_bytes("1PB") == 1e15);
  }
  SECTION("KiB, MiB, GiB, TiB, PiB are powers of 1024") {
    CHECK(app::parse_bytes("1KiB") == 1024.0);
    CHECK(app::parse_bytes("64MiB") == 67'108'864.0);
    CHECK(app::parse_bytes("2GiB") == 2'147'483'648.0);
    CHECK(app::parse_bytes("1TiB") == 1'099'511'627'776.0);
    CHECK(app::parse_bytes("1PiB") == 1'125'899'906'842'624.0);
  }
  SECTION("whitespace may separate number and unit, and surround both") {
    CHECK(app::parse_bytes("10 kB") == 10'000.0);
    CHECK(app::parse_bytes(" 64 \tMiB ") == 67'108'864.0);
  }
  SECTION("fractions and exponents") {
    CHECK(app::parse_bytes("0.5KiB") == 512.0);
    CHECK(app::parse_bytes(".5KiB") == 512.0);
    CHECK(app::parse_bytes("1e3") == 1000.0);
    CHECK(app::parse_bytes("2.5e2B") == 250.0);
  }
  SECTION("zero is accepted") {
    CHECK(app::parse_bytes("0") == 0.0);
    CHECK(app::parse_bytes("0MiB") == 0.0);
  }
}

TEST_CASE("bandwidths read lowercase b as bits and uppercase B as bytes", "[app][units]") {
  SECTION("bits per second, three spellings") {
    CHECK(app::parse_bandwidth("10Gbps") == 1.25e9);
    CHECK(app::parse_bandwidth("10Gbit/s") == 1.25e9);
    CHECK(app::parse_bandwidth("10 Gb/s") == 1.25e9);
    CHECK(app::parse_bandwidth("100Mbps") == 1.25e7);
    CHECK(app::parse_bandwidth("8kbps") == 1000.0);
    CHECK(app::parse_bandwidth("8Kbps") == 1000.0);
    CHECK(app::parse_bandwidth("1Tbps") == 1.25e11);
    CHECK(app::parse_bandwidth("8bps") == 1.0);
  }
  SECTION("bytes per second, two spellings") {
    CHECK(app::parse_bandwidth("1.25GB/s") == 1.25e9);
    CHECK(app::parse_bandwidth("1.25GBps") == 1.25e9);
    CHECK(app::parse_bandwidth("3MB/s") == 3e6);
    CHECK(app::parse_bandwidth("5B/s") == 5.0);
  }
  SECTION("IEC bytes per second") {
    CHECK(app::parse_bandwidth("1KiB/s") == 1024.0);
    CHECK(app::parse_bandwidth("2MiB/s") == 2'097'152.0);
    CHECK(app::parse_bandwidth("1GiB/s") == 1'073'741'824.0);
    CHECK(app::parse_bandwidth("1TiB/s") == 1'099'511'627'776.0);
  }
  SECTION("a bare number is bytes per second") { CHECK(app::parse_bandwidth("1e9") == 1e9); }
  SECTION("zero is accepted") { CHECK(app::parse_bandwidth("0Gbps") == 0.0); }
}

TEST_CASE("durations become integer nanoseconds", "[app][units]") {
  SECTION("each unit") {
    CHECK(app::parse_duration("100ns") == 100);
    CHECK(app::parse_duration("5us") == 5'000);
    CHECK(app::parse_duration("5\u00B5s") == 5'000);  // micro sign
    CHECK(app::parse_duration("5\u03BCs") == 5'000);  // Greek mu
    CHECK(app::parse_duration("1.5ms") == 1'500'000);
    CHECK(app::parse_duration("2s") == 2'000'000'000);
    CHECK(app::parse_duration("3min") == 180'000'000'000);
    CHECK(app::parse_duration("1h") == 3'600'000'000'000);
  }
  SECTION("whitespace between number and unit") { CHECK(app::parse_duration("2 ms") == 2'000'000); }
  SECTION("fractions round to the nearest nanosecond") {
    CHECK(app::parse_duration("0.1us") == 100);
    CHECK(app::parse_duration("1.4ns") == 1);
    CHECK(app::parse_duration("1.5ns") == 2);
    CHECK(app::parse_duration("1e-3s") == 1'000'000);
  }
  SECTION("zero may be written without a unit") {
    CHECK(app::parse_duration("0") == 0);
    CHECK(app::parse_duration("0.0") == 0);
    CHECK(app::parse_duration("0s") == 0);
  }
}

TEST_CASE("FLOP rates accept FLOPS and FLOP/s with SI prefixes", "[app][units]") {
  SECTION("prefixes") {
    CHECK(app::parse_flop_rate("50GFLOPS") == 50e9);
    CHECK(app::parse_flop_rate("2.5TFLOPS") == 2.5e12);
    CHECK(app::parse_flop_rate("3MFLOPS") == 3e6);
    CHECK(app::parse_flop_rate("4kFLOPS") == 4e3);
    CHECK(app::parse_flop_rate("1PFLOPS") == 1e15);
    CHECK(app::parse_flop_rate("1EFLOPS") == 1e18);
  }
  SECTION("spellings") {
    CHECK(app::parse_flop_rate("50 GFLOP/s") == 50e9);
    CHECK(app::parse_flop_rate("50Gflops") == 50e9);
    CHECK(app::parse_flop_rate("50GFlops") == 50e9);
    CHECK(app::parse_flop_rate("50Gflop/s") == 50e9);
    CHECK(app::parse_flop_rate("50GFLOPs") == 50e9);
    CHECK(app::parse_flop_rate("7FLOPS") == 7.0);
    CHECK(app::parse_flop_rate("7 flop/s") == 7.0);
  }
  SECTION("the prefix is case-sensitive") {
    CHECK_THROWS_WITH(app::parse_flop_rate("50gFLOPS"),
                      Contains("unknown unit 'gFLOPS' in '50gFLOPS' (did you mean 'GFLOPS'? units "
                               "are case-sensitive)"));
    CHECK_THROWS_WITH(app::parse_flop_rate("5mflops"), Contains("unknown unit 'mflops'"));
  }
  SECTION("a bare number is FLOP/s") { CHECK(app::parse_flop_rate("1e9") == 1e9); }
}

TEST_CASE("quantities reject malformed text with a message saying what is accepted",
          "[app][units]") {
  SECTION("empty") {
    CHECK(unit_error(app::parse_bytes, "") ==
          "empty value; expected a size such as 64MiB, 1.5GB or 4096 (bytes)");
    CHECK_THAT(unit_error(app::parse_duration, "   "), Contains("empty value"));
  }
  SECTION("negative, for every quantity") {
    CHECK(unit_error(app::parse_bytes, "-5MiB") == "'-5MiB' must not be negative");
    CHECK(unit_error(app::parse_bandwidth, "-1Gbps") == "'-1Gbps' must not be negative");
    CHECK(unit_error(app::parse_duration, "-1s") == "'-1s' must not be negative");
    CHECK(unit_error(app::parse_flop_rate, "-1e9") == "'-1e9' must not be negative");
    CHECK(unit_error(app::parse_duration, "-0") == "'-0' must not be negative");
  }
  SECTION("not a number") {
    CHECK(unit_error(app::parse_bytes, "MiB") ==
          "'MiB' does not start with a number; expected a size such as 64MiB, 1.5GB or 4096 "
          "(bytes)");
    CHECK_THAT(unit_error(app::parse_bytes, "+5MiB"), Contains("does not start with a number"));
    CHECK_THAT(unit_error(app::parse_bytes, "abc"), Contains("does not start with a number"));
  }
  SECTION("nan and infinity") {
    CHECK_THAT(unit_error(app::parse_bytes, "nan"), Contains("'nan' is not a finite number"));
    CHECK_THAT(unit_error(app::parse_bandwidth, "infGbps"), Contains("is not a finite number"));
    CHECK_THAT(unit_error(app::parse_duration, "inf s"), Contains("is not a finite number"));
    CHECK_THAT(unit_error(app::parse_flop_rate, "-inf"), Contains("is not a finite number"));
  }
  SECTION("a number beyond double range") {
    CHECK_THAT(unit_error(app::parse_bytes, "1e999B"), Contains("out of range"));
  }
  SECTION("trailing junk is an unknown unit with a suggestion") {
    CHECK_THAT(unit_error(app::parse_bandwidth, "10Gbpsx"),
               Contains("unknown unit 'Gbpsx' in '10Gbpsx' (did you mean 'Gbps'?)"));
    CHECK_THAT(unit_error(app::parse_bytes, "64MiB extra"), Contains("unknown unit 'MiB extra'"));
    CHECK_THAT(unit_error(app::parse_bytes, "1,000"), Contains("unknown unit ',000'"));
  }
  SECTION("an unknown unit lists the valid units") {
    CHECK(unit_error(app::parse_bytes, "64XB") ==
          "unknown unit 'XB' in '64XB' (did you mean 'B'?); expected a size such as 64MiB, "
          "1.5GB or 4096 (bytes); valid units: B, kB (= KB), MB, GB, TB, PB, KiB, MiB, GiB, "
          "TiB, PiB");
    CHECK_THAT(unit_error(app::parse_duration, "5 parsecs"),
               Contains("valid units: ns, us (= µs), ms, s, min, h"));
  }
  SECTION("a wrong letter case names every unit it could be") {
    CHECK_THAT(unit_error(app::parse_bandwidth, "10gbps"),
               Contains("(did you mean 'Gbps' or 'GBps'? units are case-sensitive)"));
    CHECK_THAT(unit_error(app::parse_bytes, "64mib"), Contains("did you mean 'MiB'?"));
    CHECK_THAT(unit_error(app::parse_duration, "5MS"), Contains("did you mean 'ms'?"));
  }
  SECTION("a bare non-zero duration is ambiguous") {
    CHECK(unit_error(app::parse_duration, "5") ==
          "'5' has no unit, which is ambiguous; write it as e.g. 5s, 5ms, 5us or 5ns (only 0 "
          "may be written without a unit)");
  }
  SECTION("a result beyond the representable range") {
    CHECK(unit_error(app::parse_bytes, "1e300PiB") == "'1e300PiB' is too large to represent");
    CHECK_THAT(unit_error(app::parse_bandwidth, "1e308Tbps"), Contains("too large"));
    CHECK_THAT(unit_error(app::parse_flop_rate, "1e300EFLOPS"), Contains("too large"));
  }
  SECTION("a duration beyond int64 nanoseconds") {
    CHECK(unit_error(app::parse_duration, "3000000h") ==
          "'3000000h' is too long: simulated time ends after about 292 years (int64 "
          "nanoseconds)");
    CHECK_THAT(unit_error(app::parse_duration, "1e10s"), Contains("too long"));
    CHECK_THAT(unit_error(app::parse_duration, "1e300h"), Contains("too long"));
  }
}

TEST_CASE("the longest durations that fit are accepted", "[app][units]") {
  CHECK(app::parse_duration("9e9s") == 9'000'000'000'000'000'000);
  CHECK(app::parse_duration("2500000h") == 9'000'000'000'000'000'000);
}

TEST_CASE("formatted quantities read back to the same value", "[app][units]") {
  SECTION("sizes") {
    CHECK(app::format_bytes(67'108'864.0) == "64MiB");
    CHECK(app::format_bytes(512.0) == "512B");
    CHECK(app::format_bytes(1536.0) == "1.5KiB");
    CHECK(app::format_bytes(0.0) == "0B");
    CHECK(app::parse_bytes(app::format_bytes(3.0 * 1024 * 1024 * 1024)) ==
          3.0 * 1024 * 1024 * 1024);
  }
  SECTION("bandwidths, in bits per second") {
    CHECK(app::format_bandwidth(1.25e9) == "10Gbps");
    CHECK(app::format_bandwidth(1.25e7) == "100Mbps");
    CHECK(app::format_bandwidth(1.0) == "8bps");
    CHECK(app::parse_bandwidth(app::format_bandwidth(1.25e9)) == 1.25e9);
  }
  SECTION("FLOP rates") {
    CHECK(app::format_flop_rate(50e9) == "50GFLOPS");
    CHECK(app::format_flop_rate(2.5e12) == "2.5TFLOPS");
    CHECK(app::parse_flop_rate(app::format_flop_rate(2.5e12)) == 2.5e12);
  }
}

}  // namespace
