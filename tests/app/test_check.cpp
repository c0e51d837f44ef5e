// `expect:` assertions and `syncsim check`: parsing (strict, with locations),
// evaluation against real runs, golden comparison, the report formats.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <sstream>

#include "app/check.h"
#include "app/check_report.h"
#include "app/scenario_loader.h"
#include "run/summary_columns.h"
#include "scenario_text.h"

namespace {

using scenario_text::error_of;
using scenario_text::replace;

std::string ci_text(const std::string& name) {
  std::ifstream in(std::string(SYNCSIM_SOURCE_DIR) + "/scenarios/ci/" + name);
  std::stringstream s;
  s << in.rdbuf();
  REQUIRE(!s.str().empty());
  return s.str();
}

// ps_sync_synthetic without its own expectations, two labelled runs, one epoch.
std::string two_runs() {
  std::string text = ci_text("ps_sync_synthetic.yaml");
  const auto expect = text.find("\nexpect:");
  if (expect != std::string::npos) text.resize(expect + 1);
  text = replace(text, "algorithm:\n  kind: ps_sync\n  batch_size: 16\n",
                 "algorithms:\n  - {kind: ps_sync, label: bsp, batch_size: 16}\n"
                 "  - {kind: ps_async, label: asp, batch_size: 16}\n");
  return replace(text, "epochs: 2", "epochs: 1");
}

app::Scenario with_expect(const std::string& expect_block) {
  return app::load_scenario_string(two_runs() + "expect:\n" + expect_block, "s.yaml");
}

const app::Expectation& only(const app::Scenario& s) {
  REQUIRE(s.expectations.size() == 1);
  return s.expectations.front();
}

}  // namespace

TEST_CASE("expectation expressions parse into operators and values in base units") {
  using Op = app::Expectation::Op;
  SECTION("comparisons of plain numbers") {
    auto e = only(with_expect("  final_test_accuracy: \">= 0.85\"\n"));
    CHECK(e.op == Op::ge);
    CHECK(e.a == 0.85);
    CHECK(e.label.empty());
    CHECK(e.where.rfind("s.yaml:", 0) == 0);
    CHECK(e.where.find(": expect.final_test_accuracy") != std::string::npos);
    CHECK(only(with_expect("  steps: \"==125\"\n")).op == Op::eq);
    CHECK(only(with_expect("  steps: \"< 7\"\n")).op == Op::lt);
    CHECK(only(with_expect("  steps: \"> -7\"\n")).a == -7);
    CHECK(only(with_expect("  steps: \"<= 7\"\n")).op == Op::le);
  }
  SECTION("durations and sizes take units") {
    auto t = only(with_expect("  time_to_accuracy@0.80: \"<= 40ms\"\n"));
    CHECK(t.accuracy == 0.8);
    CHECK(t.a == Approx(0.04).epsilon(1e-12));
    auto b = only(with_expect("  bytes_sent: \"within 2% of 1.2GB\"\n"));
    CHECK(b.op == Op::within_relative);
    CHECK(b.a == 2);
    CHECK(b.b == 1.2e9);
    auto w = only(with_expect("  sim_time_s: \"within 5ms of 1.5 s\"\n"));
    CHECK(w.op == Op::within_absolute);
    CHECK(w.a == Approx(0.005).epsilon(1e-12));
    CHECK(w.b == 1.5);
    auto between = only(with_expect("  staleness_p99: \"between 0 and 8\"\n"));
    CHECK(between.op == Op::between);
    CHECK(between.b == 8);
  }
  SECTION("per-run blocks name a label") {
    const app::Scenario s =
        with_expect("  final_test_accuracy: \"> 0.5\"\n  asp:\n    staleness_max: \"<= 8\"\n");
    REQUIRE(s.expectations.size() == 2);
    CHECK(s.expectations[1].label == "asp");
    CHECK(s.expectations[1].where.find("expect.asp.staleness_max") != std::string::npos);
  }
  SECTION("stop_reason compares text") {
    auto e = only(with_expect("  stop_reason: \"== epochs\"\n"));
    CHECK(e.unit == app::MetricUnit::text);
    CHECK(e.word == "epochs");
  }
}

TEST_CASE("a malformed expectation is an error naming file, line, column and key path") {
  const std::string base = two_runs() + "expect:\n";
  const int line = static_cast<int>(std::count(base.begin(), base.end(), '\n')) + 1;
  auto err = [&](const std::string& block) { return error_of(base + block); };
  const std::string at = "s.yaml:" + std::to_string(line) + ":";
  SECTION("bad operator or form") {
    const std::string e = err("  final_test_accuracy: \"=> 0.85\"\n");
    CHECK(e.rfind(at + "24: expect.final_test_accuracy: malformed expectation '=> 0.85'", 0) == 0);
    CHECK(e.find("within X% of V") != std::string::npos);
    CHECK(err("  final_test_accuracy: \">== 0.85\"\n").find("unknown operator") !=
          std::string::npos);
    CHECK(err("  final_test_accuracy: \"about 0.85\"\n").find("malformed") != std::string::npos);
    CHECK(err("  final_test_accuracy: 0.85\n").find("malformed") != std::string::npos);
    CHECK(err("  final_test_accuracy: \">=\"\n").find("a value is missing") != std::string::npos);
    CHECK(err("  final_test_accuracy: \"within 2% 0.8\"\n").find("'X of V'") != std::string::npos);
    CHECK(err("  final_test_accuracy: \"between 1 or 2\"\n").find("'A and B'") !=
          std::string::npos);
    CHECK(err("  final_test_accuracy: \"between 2 and 1\"\n").find("A <= B") != std::string::npos);
    CHECK(err("  final_test_accuracy: \">= 0.8x\"\n").find("'0.8x' is not a number") !=
          std::string::npos);
    CHECK(err("  final_test_accuracy: \">= nan\"\n").find("not a number") != std::string::npos);
    CHECK(err("  final_test_accuracy: \"within -2% of 1\"\n").find("percentage") !=
          std::string::npos);
  }
  SECTION("units that do not fit the metric") {
    CHECK(err("  sim_time_s: \"<= 40\"\n").find(at) == 0);
    CHECK(err("  sim_time_s: \"<= 40\"\n").find("expect.sim_time_s") != std::string::npos);
    CHECK(err("  bytes_sent: \"<= 1.2Gbps\"\n").find("unknown") != std::string::npos);
    CHECK(err("  final_test_accuracy: \">= 0.8s\"\n").find("not a number") != std::string::npos);
  }
  SECTION("metrics and labels that do not exist") {
    CHECK(err("  final_test_acuracy: \">= 0.8\"\n").find("did you mean 'final_test_accuracy'") !=
          std::string::npos);
    CHECK(err("  bogus_thing: \">= 0.8\"\n").find("expected a summary.csv column") !=
          std::string::npos);
    CHECK(err("  clock_skew_s: \"<= 1ms\"\n").find("models clocks") != std::string::npos);
    CHECK(err("  time_to_target_s: \"<= 1s\"\n").find("stop.target_accuracy") != std::string::npos);
    CHECK(err("  time_to_accuracy@1.5: \"<= 1s\"\n").find("(0, 1]") != std::string::npos);
    CHECK(err("  time_to_accuracy@x: \"<= 1s\"\n").find("(0, 1]") != std::string::npos);
    const std::string label = err("  aps:\n    final_test_accuracy: \">= 0.8\"\n");
    // Reported at the label's map, which starts on the next line.
    CHECK(label.rfind("s.yaml:" + std::to_string(line + 1) + ":5: expect.aps:", 0) == 0);
    CHECK(label.find("did you mean 'asp'") != std::string::npos);
    CHECK(err("  asp:\n    nested: {a: 1}\n").find("got a map") != std::string::npos);
    CHECK(err("  stop_reason: \"== epoch\"\n").find("did you mean 'epochs'") != std::string::npos);
    CHECK(err("  stop_reason: \">= 1\"\n").find("'== WORD'") != std::string::npos);
    CHECK(err("  expect_typo: 1\n").find("unknown metric") != std::string::npos);
  }
}

TEST_CASE("each comparison holds exactly at its boundary and not beyond") {
  app::Expectation e;
  using Op = app::Expectation::Op;
  e.op = Op::ge;
  e.a = 0.85;
  CHECK(e.holds(0.85));
  CHECK(!e.holds(std::nextafter(0.85, 0.0)));
  CHECK(!e.holds(std::nan("")));
  e.op = Op::gt;
  CHECK(!e.holds(0.85));
  e.op = Op::lt;
  CHECK(e.holds(0.84));
  CHECK(!e.holds(0.85));
  e.op = Op::le;
  CHECK(e.holds(0.85));
  e.op = Op::eq;
  CHECK(e.holds(0.85));
  CHECK(!e.holds(0.850001));
  // within 2% of 1.2e9: [1.176e9, 1.224e9].
  e.op = Op::within_relative;
  e.a = 2;
  e.b = 1.2e9;
  CHECK(e.holds(1.224e9));
  CHECK(e.holds(1.176e9));
  CHECK(!e.holds(1.2241e9));
  CHECK(!e.holds(1.1759e9));
  e.op = Op::within_absolute;
  e.a = 0.5;
  e.b = -1;
  CHECK(e.holds(-0.5));
  CHECK(!e.holds(-0.49));
  e.op = Op::between;
  e.a = 0;
  e.b = 8;
  CHECK(e.holds(0));
  CHECK(e.holds(8));
  CHECK(!e.holds(8.5));
}

TEST_CASE("expectations are evaluated on each run they name, with summary.csv's values") {
  const app::Scenario s = with_expect(
      "  final_test_accuracy: \">= 0.5\"\n"
      "  stop_reason: \"== epochs\"\n"
      "  time_to_accuracy@0.6: \"<= 1h\"\n"
      "  time_to_accuracy@1: \"<= 1h\"\n"
      "  asp:\n"
      "    staleness_max: \"== 0\"\n"
      "  bsp:\n"
      "    staleness_max: \"== 0\"\n");
  const app::ScenarioResult r = syncsim::run(s);
  const std::vector<app::CheckCase> cases = app::evaluate_expectations(r);
  REQUIRE(cases.size() == 4 * 2 + 2);
  const app::SummaryTable summary = app::summary_table(r);
  const auto accuracy_column = static_cast<std::size_t>(
      std::find(summary.columns.begin(), summary.columns.end(), "final_test_accuracy") -
      summary.columns.begin());
  REQUIRE(accuracy_column < summary.columns.size());
  // Every case shows the very text summary.csv holds for its run.
  for (std::size_t run = 0; run < 2; ++run) {
    CHECK(cases[run].label == r.runs[run].label);
    CHECK(cases[run].got == summary.rows[run][accuracy_column]);
    CHECK(cases[run].passed == (r.runs[run].totals.final_test_accuracy >= 0.5));
    CHECK(cases[2 + run].got == "epochs");
    CHECK(cases[2 + run].passed);
    // Independent oracle for time_to_accuracy: the first metrics row at/above 0.6.
    std::string first;
    for (const algo::MetricsRow& row : r.runs[run].rows) {
      if (row.test_accuracy >= 0.6) {
        first = app::format_seconds(row.time) + "s";
        break;
      }
    }
    REQUIRE(!first.empty());
    CHECK(cases[4 + run].got == first);
    CHECK(cases[4 + run].passed);
    CHECK(cases[6 + run].got == "not reached");
    CHECK(!cases[6 + run].passed);
    CHECK(cases[6 + run].message.find("s.yaml:") == 0);
  }
  // ps_async is stale, ps_sync never: the per-label blocks see their own run.
  CHECK(cases[8].label == "asp");
  CHECK(!cases[8].passed);
  CHECK(cases[8].message.find("expect.asp.staleness_max: got ") != std::string::npos);
  CHECK(cases[9].label == "bsp");
  CHECK(cases[9].passed);
}

TEST_CASE("a golden comparison names every column that differs") {
  const app::SummaryTable golden{{"scenario", "algorithm", "steps", "final_test_accuracy"},
                                 {{"s", "a", "100", "0.8"}, {"s", "b", "50", "0.9"}}};
  SECTION("identical rows match") {
    const auto cases = app::compare_golden(golden, golden, 0.0, "s.golden.csv");
    REQUIRE(cases.size() == 2);
    CHECK(cases[0].passed);
    CHECK(cases[1].got == "matches");
  }
  SECTION("a changed cell fails, unless within the relative tolerance") {
    app::SummaryTable got = golden;
    got.rows[1][3] = "0.9000009";
    auto cases = app::compare_golden(golden, got, 0.0, "s.golden.csv");
    CHECK(cases[0].passed);
    CHECK(!cases[1].passed);
    CHECK(cases[1].got == "1 column differs");
    CHECK(cases[1].message == "s.golden.csv: final_test_accuracy 0.9000009 (golden 0.9)");
    CHECK(app::compare_golden(golden, got, 1e-6, "g")[1].passed);
    CHECK(!app::compare_golden(golden, got, 1e-7, "g")[1].passed);
    got.rows[1][1] = "c";  // text never gets a tolerance
    cases = app::compare_golden(golden, got, 0.5, "g");
    REQUIRE(cases.size() == 3);
    CHECK(cases[1].got == "no golden row");
    CHECK(cases[2].label == "b");
    CHECK(cases[2].got == "no such run");
  }
  SECTION("a column on one side only fails") {
    app::SummaryTable got = golden;
    got.columns.push_back("new");
    for (auto& row : got.rows) row.push_back("1");
    auto cases = app::compare_golden(golden, got, 0.0, "g");
    CHECK(cases[0].message == "g: new (not in golden)");
    cases = app::compare_golden(got, golden, 0.0, "g");
    CHECK(cases[0].message == "g: new (only in golden)");
  }
  SECTION("a column added since the golden was written matters only where it has a value") {
    app::SummaryTable got = golden;
    got.columns.push_back("new");
    for (auto& row : got.rows) row.push_back("");
    const auto cases = app::compare_golden(golden, got, 0.0, "g");
    CHECK(cases[0].passed);
    CHECK(cases[1].passed);
  }
}

TEST_CASE("older column names keep working in expect: and golden summaries") {
  SECTION("an older expect: key reads the renamed column, with its unit") {
    const std::vector<std::pair<std::string, std::string>> renamed = {
        {"bytes_total", "bytes_sent"},
        {"final_accuracy", "final_test_accuracy"},
        {"best_accuracy", "best_test_accuracy"},
        {"dropped_stale", "updates_dropped_stale"}};
    for (const auto& [old_name, current] : renamed) {
      INFO(old_name);
      CHECK(only(with_expect("  " + old_name + ": \">= 0\"\n")).metric == current);
    }
    CHECK(only(with_expect("  bytes_total: \"<= 1GB\"\n")).a == 1e9);
    // Evaluated on the run: the case shows the new column's cell.
    const app::Scenario s = with_expect("  bytes_total: \">= 1\"\n");
    const app::ScenarioResult r = syncsim::run(s);
    const auto cases = app::evaluate_expectations(r);
    REQUIRE(cases.size() == 2);
    CHECK(cases[0].passed);
    CHECK(cases[0].got == app::format_number(r.runs[0].totals.bytes_sent));
  }
  SECTION("clock and heartbeat names moved with the table") {
    CHECK(syncsim::current_summary_name("clock_skew_s") == "clock_skew_max_s");
    CHECK(syncsim::current_summary_name("sync_bytes") == "bytes_sent_clock_sync");
    CHECK(syncsim::current_summary_name("heartbeat_messages") == "messages_sent_heartbeat");
    CHECK(syncsim::current_summary_name("steps") == "steps");
    // Every older name leads to a column of the table.
    for (const auto& [old_name, current] : syncsim::summary_aliases()) {
      INFO(old_name);
      CHECK(syncsim::find_summary_column(old_name) == nullptr);
      CHECK(syncsim::find_summary_column(current) != nullptr);
    }
  }
  SECTION("a golden file with the older header compares under the new names") {
    const app::SummaryTable golden = app::read_summary_csv(
        "scenario,algorithm,final_accuracy,bytes_total\ns,a,0.8,100\n", "old.golden.csv");
    CHECK(golden.columns[2] == "final_test_accuracy");
    const app::SummaryTable got{
        {"scenario", "algorithm", "final_test_accuracy", "bytes_sent", "clock_skew_max_s"},
        {{"s", "a", "0.8", "100", ""}}};
    CHECK(app::compare_golden(golden, got, 0.0, "old.golden.csv")[0].passed);
  }
}

TEST_CASE("golden files read back what csv_text writes, and reject broken ones") {
  const app::SummaryTable t{{"scenario", "algorithm", "x"}, {{"s", "a", ""}, {"s", "b", "2"}}};
  const app::SummaryTable back = app::read_summary_csv(app::csv_text(t), "g.csv");
  CHECK(back.columns == t.columns);
  CHECK(back.rows == t.rows);
  CHECK_THROWS_WITH(app::read_summary_csv("scenario,algorithm,x\ns,a\n", "g.csv"),
                    "g.csv:2:1: 2 cells, but the header has 3");
  CHECK_THROWS_WITH(app::read_summary_csv("a,b\n", "g.csv"),
                    Catch::Contains("no 'algorithm' column"));
}

TEST_CASE("the report is an aligned table and JUnit XML escapes what it quotes") {
  app::ScenarioCheck s;
  s.file = "dir/a&b.yaml";
  s.name = "a<b>";
  s.cases.push_back({"r\"1", "final_test_accuracy", ">= 0.85", "0.9", true, ""});
  s.cases.push_back({"r'2", "steps", "< 10", "12", false, "a&b.yaml:3:5: expect.steps: got 12"});
  app::ScenarioCheck broken;
  broken.file = "c.yaml";
  broken.name = "c";
  broken.error = "internal error: boom\x01";
  const std::string report = app::format_report({s, broken});
  std::istringstream lines(report);
  std::string header, first, second;
  std::getline(lines, header);
  std::getline(lines, first);
  std::getline(lines, second);
  CHECK(header.find("expected") == first.find(">= 0.85"));
  CHECK(header.find("result") == second.find("FAIL"));
  CHECK(report.find("2 scenarios, 3 checks: 1 passed, 2 failed") != std::string::npos);
  CHECK(report.find("  a&b.yaml:3:5: expect.steps: got 12\n") != std::string::npos);

  const std::string xml = app::junit_xml({s, broken});
  CHECK(xml.find("<testsuites name=\"syncsim check\" tests=\"3\" failures=\"1\" errors=\"1\"") !=
        std::string::npos);
  CHECK(xml.find("name=\"a&lt;b&gt;\" file=\"dir/a&amp;b.yaml\" tests=\"2\" failures=\"1\"") !=
        std::string::npos);
  CHECK(xml.find("name=\"r&quot;1: final_test_accuracy &gt;= 0.85\"/>") != std::string::npos);
  CHECK(xml.find("name=\"r&apos;2: steps &lt; 10\">") != std::string::npos);
  CHECK(xml.find("<failure message=\"got 12, expected &lt; 10\" type=\"expectation\">"
                 "a&amp;b.yaml:3:5") != std::string::npos);
  CHECK(xml.find("internal error: boom?\"") != std::string::npos);
  CHECK(xml.find('\x01') == std::string::npos);
}
