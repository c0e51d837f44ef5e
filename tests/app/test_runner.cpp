// Whole runs, in process: determinism of every CSV, and outputs that match
// what the run computed.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/outputs.h"
#include "app/runner.h"
#include "app/scenario_loader.h"

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
  const app::RunResult first = app::run_scenario(s);
  const app::RunResult second = app::run_scenario(s);
  CHECK(app::metrics_csv(first) == app::metrics_csv(second));
  CHECK(app::summary_csv(first) == app::summary_csv(second));
  CHECK(app::staleness_csv(first) == app::staleness_csv(second));
  CHECK((first.final_parameters - second.final_parameters).cwiseAbs().maxCoeff() == 0.0f);
}

TEST_CASE("a different seed gives a different run") {
  app::Scenario s = small_scenario();
  const std::string a = app::metrics_csv(app::run_scenario(s));
  s.seed += 1;
  CHECK(app::metrics_csv(app::run_scenario(s)) != a);
}

TEST_CASE("a run stops by its own condition and its summary agrees with its metrics") {
  const app::RunResult r = app::run_scenario(small_scenario());
  CHECK(r.totals.stop_reason == "epochs");
  CHECK(r.totals.epochs >= 2.0);
  REQUIRE_FALSE(r.rows.empty());
  CHECK(r.rows.front().step == 0);
  CHECK(r.rows.back().step == r.totals.steps);
  CHECK(r.rows.back().test_accuracy == r.totals.final_test_accuracy);
  CHECK(r.totals.final_test_accuracy > 0.85);  // synthetic blobs are easy
  CHECK(r.totals.updates_applied == 4 * r.totals.steps);
}

TEST_CASE("a sim_time limit ends the run at exactly that time") {
  app::Scenario s = small_scenario();
  s.stop.max_epochs = 0;
  s.stop.max_time = sim::milliseconds(5);
  const app::RunResult r = app::run_scenario(s);
  CHECK(r.totals.stop_reason == "sim_time");
  CHECK(r.totals.time == sim::milliseconds(5));
  CHECK(r.rows.back().time == sim::milliseconds(5));
}

TEST_CASE("outputs are written whole, with no temporary files left") {
  const app::RunResult r = app::run_scenario(small_scenario());
  const auto dir = std::filesystem::temp_directory_path() / "syncsim_outputs_test";
  std::filesystem::remove_all(dir);
  const auto files = app::write_outputs(dir, r);
  CHECK(files.size() == 4);
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

TEST_CASE("numbers are written exactly and times as exact decimal seconds") {
  CHECK(app::format_number(0.1) == "0.1");
  CHECK(app::format_number(3.0) == "3");
  CHECK(app::format_number(1.0 / 3.0) == "0.3333333333333333");
}
