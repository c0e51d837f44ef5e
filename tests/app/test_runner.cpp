// Whole runs, in process: determinism of every CSV, and outputs that match
// what the run computed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/scenario_loader.h"
#include "run/outputs.h"
#include "run/run.h"

namespace {

app::Scenario small_scenario() {
  return app::load_scenario(std::string(SYNCSIM_SOURCE_DIR) +
                            "/scenarios/ci/ps_sync_synthetic.yaml");
}

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("the same scenario and seed give byte-identical CSVs") {
  const app::Scenario s = small_scenario();
  const app::ScenarioResult first = syncsim::run(s);
  const app::ScenarioResult second = syncsim::run(s);
  CHECK(app::metrics_csv(first) == app::metrics_csv(second));
  CHECK(app::summary_csv(first) == app::summary_csv(second));
  CHECK(app::staleness_csv(first) == app::staleness_csv(second));
  CHECK(app::nodes_csv(first) == app::nodes_csv(second));
  CHECK((first.runs[0].final_parameters - second.runs[0].final_parameters).cwiseAbs().maxCoeff() ==
        0.0f);
}

TEST_CASE("a different seed gives a different run") {
  app::Scenario s = small_scenario();
  const std::string a = app::metrics_csv(syncsim::run(s));
  s.seed += 1;
  CHECK(app::metrics_csv(syncsim::run(s)) != a);
}

TEST_CASE("a run stops by its own condition and its summary agrees with its metrics") {
  const app::RunResult r = syncsim::run(small_scenario()).runs.at(0);
  CHECK(r.totals.stop_reason == "epochs");
  CHECK(r.totals.epochs >= 2.0);
  REQUIRE_FALSE(r.rows.empty());
  CHECK(r.rows.front().step == 0);
  CHECK(r.rows.back().step == r.totals.steps);
  CHECK(r.rows.back().test_accuracy == r.totals.final_test_accuracy);
  CHECK(r.totals.final_test_accuracy > 0.85);  // synthetic blobs are easy
  CHECK(r.totals.updates_applied == 4 * r.totals.steps);
  // nodes.csv: every worker pushed one gradient per step, the server one
  // parameter copy per worker per step (P = 20*32 + 32 + 32*4 + 4 floats).
  const double param_bytes = (20 * 32 + 32 + 32 * 4 + 4) * 4.0;
  REQUIRE(r.traffic.size() == 5);
  CHECK(r.traffic[0].node == "server");
  CHECK(r.traffic[0].bytes_sent == 4 * r.totals.steps * param_bytes);
  CHECK(r.traffic[1].node == "worker0");
  CHECK(r.traffic[1].bytes_sent == r.totals.steps * param_bytes);
  double sum = 0;
  for (const auto& t : r.traffic) sum += t.bytes_sent;
  CHECK(sum == r.totals.bytes_sent);
}

TEST_CASE("a sim_time limit ends the run at exactly that time") {
  app::Scenario s = small_scenario();
  s.stop.max_epochs = 0;
  s.stop.max_time = sim::milliseconds(5);
  const app::RunResult r = syncsim::run(s).runs.at(0);
  CHECK(r.totals.stop_reason == "sim_time");
  CHECK(r.totals.time == sim::milliseconds(5));
  CHECK(r.rows.back().time == sim::milliseconds(5));
}

TEST_CASE("outputs are written whole, with no temporary files left") {
  const app::ScenarioResult r = syncsim::run(small_scenario());
  const auto dir = std::filesystem::temp_directory_path() / "syncsim_outputs_test";
  std::filesystem::remove_all(dir);
  const auto files = app::write_outputs(dir, r);
  CHECK(files.size() == 6);
  CHECK(read(dir / "nodes.csv") == app::nodes_csv(r));
  CHECK(read(dir / "partition.csv") == app::partition_csv(r));
  CHECK(read(dir / "metrics.csv") == app::metrics_csv(r));
  CHECK(read(dir / "summary.csv") == app::summary_csv(r));
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    CHECK(entry.path().extension() != ".tmp");
  }
  SECTION("an output path blocked by a file is an error naming it") {
    const auto blocked = dir / "metrics.csv" / "sub";
    CHECK_THROWS_WITH(app::write_outputs(blocked, r), Catch::Contains(blocked.string()));
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("several algorithms in one scenario share data and seed, one summary row each") {
  app::Scenario s = small_scenario();
  app::AlgorithmChoice second = s.algorithms.at(0);
  second.label = "ps_sync_again";
  s.algorithms.push_back(second);
  const app::ScenarioResult r = syncsim::run(s);
  REQUIRE(r.runs.size() == 2);
  // The same algorithm twice: identical runs under two labels.
  app::RunResult relabelled = r.runs[1];
  relabelled.label = r.runs[0].label;
  relabelled.wall_seconds = r.runs[0].wall_seconds;
  CHECK(app::metrics_csv({s, {relabelled}}) == app::metrics_csv({s, {r.runs[0]}}));
  CHECK(app::summary_csv({s, {relabelled}}) == app::summary_csv({s, {r.runs[0]}}));
  const std::string summary = app::summary_csv(r);
  CHECK(std::count(summary.begin(), summary.end(), '\n') == 3);
  CHECK(summary.find("\nps_sync_synthetic,ps_sync_again,ps_sync,") != std::string::npos);
}

TEST_CASE("numbers are written exactly and times as exact decimal seconds") {
  CHECK(app::format_number(0.1) == "0.1");
  CHECK(app::format_number(3.0) == "3");
  CHECK(app::format_number(1.0 / 3.0) == "0.3333333333333333");
}
