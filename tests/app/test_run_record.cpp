// run.json's parts: JSON string quoting, UTC timestamps, and the record's
// fields. That the whole file parses as JSON is checked with Python's json
// module on real runs (tests/cli/cli_test.sh, case provenance).
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "run/build_info.h"
#include "run/json_text.h"
#include "run/run_record.h"

using namespace syncsim;

TEST_CASE("json_quoted escapes what JSON requires and keeps valid UTF-8") {
  SECTION("quote, backslash and control characters") {
    CHECK(json_quoted("a\"b\\c") == R"("a\"b\\c")");
    CHECK(json_quoted("line\nnext\ttab\r\x01\x1f") == R"("line\nnext\ttab\r\u0001\u001f")");
  }
  SECTION("valid UTF-8 passes unchanged") {
    CHECK(json_quoted("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") ==
          "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
  }
  SECTION("bytes that are not UTF-8 become U+FFFD, one per byte") {
    CHECK(json_quoted("a\xff"
                      "b") ==
          "\"a\xef\xbf\xbd"
          "b\"");
    CHECK(json_quoted("\xc3") == "\"\xef\xbf\xbd\"");                  // truncated
    CHECK(json_quoted("\xc0\xaf") == "\"\xef\xbf\xbd\xef\xbf\xbd\"");  // overlong '/'
    CHECK(json_quoted("\xed\xa0\x80") == "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");  // surrogate
  }
}

TEST_CASE("utc_timestamp is ISO 8601 UTC with milliseconds") {
  using std::chrono::milliseconds;
  using std::chrono::system_clock;
  CHECK(utc_timestamp(system_clock::time_point{}) == "1970-01-01T00:00:00.000Z");
  // 1700000000 s after the epoch is 2023-11-14 22:13:20 UTC.
  CHECK(utc_timestamp(system_clock::time_point{milliseconds(1700000000250)}) ==
        "2023-11-14T22:13:20.250Z");
}

TEST_CASE("run_json names the build, the scenario's hash, seed and command line") {
  ScenarioResult result;
  result.scenario.name = "quo\"ted";
  result.scenario.seed = 18446744073709551615ULL;
  result.runs.resize(2);
  result.runs[0].threads = 3;
  result.runs[1].threads = 2;
  RunRecord record;
  record.command_line = {"syncsim", "run", "a b.yaml"};
  record.scenario_file = "a b.yaml";
  record.scenario_text = "abc";
  record.start = std::chrono::system_clock::time_point{std::chrono::milliseconds(1700000000250)};
  record.wall_seconds = 1.5;
  const std::string json = run_json(record, result);
  const auto has = [&](const std::string& line) {
    INFO(json);
    CHECK(json.find("\n  " + line) != std::string::npos);
  };
  has(R"("syncsim_version": ")" + std::string(build_info().version) + "\"");
  has(R"("commit": ")" + std::string(build_info().commit) + "\"");
  has(R"("scenario": "quo\"ted",)");
  has(R"("scenario_file": "a b.yaml",)");
  // FIPS 180-4's digest of "abc".
  has(R"("scenario_sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",)");
  has(R"("sweep_point": null,)");
  has(R"("seed": 18446744073709551615,)");
  has(R"("threads": 3,)");
  has(R"("start_time": "2023-11-14T22:13:20.250Z",)");
  has(R"("wall_time_s": 1.5,)");
  has(R"("command_line": ["syncsim", "run", "a b.yaml"],)");
  has(R"("scenario_text": "abc")");
  CHECK(json.front() == '{');
  CHECK(json.substr(json.size() - 3) == "\n}\n");
  record.sweep_point = 7;
  CHECK(run_json(record, result).find("\n  \"sweep_point\": 7,") != std::string::npos);
}
