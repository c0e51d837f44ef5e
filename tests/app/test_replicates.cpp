// Replicates (run/replicates.h): seeds, the merged outputs against single
// runs with those seeds, the loader's keys, and `expect:` on means.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "app/check.h"
#include "app/scenario_loader.h"
#include "run/replicate_stats.h"
#include "run/replicates.h"
#include "scenario_text.h"

namespace {

using scenario_text::error_of;
using scenario_text::replace;

// ps_sync_synthetic, one epoch, two labelled runs, no expectations.
std::string two_runs() {
  std::ifstream in(std::string(SYNCSIM_SOURCE_DIR) + "/scenarios/ci/ps_sync_synthetic.yaml");
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  text.resize(text.find("\nexpect:") + 1);
  text = replace(text, "algorithm:\n  kind: ps_sync\n  batch_size: 16\n",
                 "algorithms:\n  - {kind: ps_sync, label: bsp, batch_size: 16}\n"
                 "  - {kind: ps_async, label: asp, batch_size: 16}\n");
  return replace(text, "epochs: 2", "epochs: 1");
}

std::string file_of(const std::vector<syncsim::OutputFile>& files, const std::string& name) {
  for (const auto& f : files) {
    if (f.first == name) return f.second;
  }
  FAIL("no " << name);
  return "";
}

}  // namespace

TEST_CASE("replicate r runs with the root seed plus r") {
  CHECK(syncsim::replicate_seed(7, 0) == 7);
  CHECK(syncsim::replicate_seed(7, 3) == 10);
  CHECK(syncsim::replicate_seed(~0ULL, 1) == 0);  // wraps
}

TEST_CASE("replicates and reference are checked when the scenario loads") {
  const std::string base = two_runs();
  CHECK(app::load_scenario_string(base, "s.yaml").replicates == 1);
  const auto s = app::load_scenario_string(base + "replicates: 4\nreference: bsp\n", "s.yaml");
  CHECK(s.replicates == 4);
  CHECK(s.reference == "bsp");
  CHECK_THAT(error_of(base + "replicates: 0\n"),
             Catch::Contains("s.yaml:") && Catch::Contains("replicates"));
  CHECK_THAT(error_of(base + "replicates: 1001\n"), Catch::Contains("replicates"));
  CHECK_THAT(error_of(base + "reference: bps\n"),
             Catch::Contains("reference") && Catch::Contains("did you mean 'bsp'"));
  CHECK_THAT(error_of(base + "replicate: 3\n"), Catch::Contains("did you mean 'replicates'"));
}

TEST_CASE("a replicated run's files are its single-seed runs merged with a seed column") {
  auto s = app::load_scenario_string(two_runs() + "replicates: 3\nreference: bsp\n", "s.yaml");
  const auto results = syncsim::run_replicates(s);
  REQUIRE(results.size() == 3);
  std::vector<syncsim::ReplicateFiles> per_seed;
  for (const auto& r : results) per_seed.push_back({r.scenario.seed, syncsim::output_files(r)});
  const auto merged = syncsim::merge_replicates(s, per_seed);

  // The oracle: three ordinary single runs with seeds 7, 8, 9.
  std::string summary, metrics_seed8;
  for (int r = 0; r < 3; ++r) {
    auto one = s;
    one.replicates = 1;
    one.seed = 7 + r;
    const auto result = syncsim::run(one);
    const std::string text = syncsim::summary_csv(result);
    summary += r == 0 ? text : text.substr(text.find('\n') + 1);
    if (r == 1) metrics_seed8 = syncsim::metrics_csv(result);
  }
  CHECK(file_of(merged, "summary.csv") == summary);
  // Every metrics row of seed 8 is in the merged file with "8" after its label.
  const std::string metrics = file_of(merged, "metrics.csv");
  CHECK(metrics.rfind("algorithm,seed,sim_time_s,", 0) == 0);
  std::istringstream rows(metrics_seed8.substr(metrics_seed8.find('\n') + 1));
  int checked = 0;
  for (std::string line; std::getline(rows, line); ++checked) {
    const auto comma = line.find(',');
    CHECK(metrics.find('\n' + line.substr(0, comma) + ",8" + line.substr(comma) + '\n') !=
          std::string::npos);
  }
  CHECK(checked > 2);

  SECTION("the statistics files are those of the merged summary") {
    const auto table = syncsim::read_summary_table(summary);
    CHECK(table.rows.size() == 6);
    CHECK(file_of(merged, "summary_stats.csv") ==
          syncsim::summary_stats_csv(syncsim::summary_stats(table)));
    CHECK(file_of(merged, "paired.csv") ==
          syncsim::paired_csv(syncsim::paired_stats(table, "bsp")));
  }
  SECTION("one replicate is the plain run") {
    auto one = s;
    one.replicates = 1;
    const auto r = syncsim::run_replicates(one);
    auto merged_one = syncsim::merge_replicates(one, {{7, syncsim::output_files(r.front())}});
    auto plain = syncsim::output_files(syncsim::run(one));
    REQUIRE(merged_one.size() == plain.size());
    for (std::size_t i = 0; i < plain.size(); ++i) {
      CHECK(merged_one[i].first == plain[i].first);
      // timing.csv holds wall-clock figures: the one file that differs between runs.
      if (plain[i].first != "timing.csv") CHECK(merged_one[i].second == plain[i].second);
    }
  }
}

TEST_CASE("expectations on means and on separation between runs") {
  const std::string base = two_runs() + "replicates: 3\n";
  SECTION("bad comparisons are refused with their location") {
    CHECK_THAT(error_of(base + "expect:\n  bsp:\n    final_test_accuracy: \"above asp\"\n"),
               Catch::Contains("s.yaml:") && Catch::Contains("mean_final_test_accuracy"));
    CHECK_THAT(error_of(base + "expect:\n  mean_final_test_accuracy: \"above asp\"\n"),
               Catch::Contains("put it under that run's label"));
    CHECK_THAT(error_of(base + "expect:\n  bsp:\n    mean_final_test_accuracy: \"above aps\"\n"),
               Catch::Contains("did you mean 'asp'"));
    CHECK_THAT(error_of(base + "expect:\n  bsp:\n    mean_final_test_accuracy: \"above bsp\"\n"),
               Catch::Contains("compared with itself"));
    CHECK_THAT(
        error_of(base + "expect:\n  bsp:\n    mean_final_test_accuracy: \"above asp, apart\"\n"),
        Catch::Contains("unknown option 'apart'"));
    CHECK_THAT(error_of(two_runs() + "expect:\n  bsp:\n    mean_final_test_accuracy: \"above asp, "
                                     "disjoint\"\n"),
               Catch::Contains("replicates: 2 or more"));
    CHECK_THAT(error_of(base + "expect:\n  mean_final_acuracy: \">= 0.5\"\n"),
               Catch::Contains("did you mean 'mean_final_test_accuracy'"));
    CHECK_THAT(error_of(base + "expect:\n  mean_stop_reason: \"== epochs\"\n"),
               Catch::Contains("no mean"));
  }
  SECTION("evaluated against the means and intervals of the runs") {
    auto s = app::load_scenario_string(base, "s.yaml");
    const auto results = syncsim::run_replicates(s);
    const auto stats = syncsim::summary_stats(syncsim::replicate_summary(results));
    const auto bsp = syncsim::find_stats(stats, "bsp", "sim_time_s")->interval;
    const auto asp = syncsim::find_stats(stats, "asp", "sim_time_s")->interval;
    INFO("bsp " << bsp.low << ".." << bsp.high << ", asp " << asp.low << ".." << asp.high);
    // ps_sync waits for its stragglers: slower on every seed, by far.
    REQUIRE(bsp.low > asp.high);
    const auto mean_of = [&](const std::string& expect) {
      auto with = app::load_scenario_string(base + "expect:\n" + expect, "s.yaml");
      auto copies = results;
      for (auto& r : copies) r.scenario.expectations = with.expectations;
      return app::evaluate_expectations(copies);
    };
    auto cases = mean_of(
        "  bsp:\n    mean_sim_time_s: \"above asp, disjoint\"\n"
        "  asp:\n    mean_sim_time_s: \"below bsp, paired\"\n");
    REQUIRE(cases.size() == 2);
    CHECK(cases[0].passed);
    CHECK(cases[0].metric == "mean_sim_time_s");
    CHECK(cases[1].passed);
    cases = mean_of(
        "  asp:\n    mean_sim_time_s: \"above bsp\"\n"
        "  bsp:\n    mean_sim_time_s: \"below asp, disjoint\"\n");
    CHECK_FALSE(cases[0].passed);
    CHECK_FALSE(cases[1].passed);
    CHECK_THAT(cases[0].message, Catch::Contains("s.yaml:"));
    // A threshold on the mean, either side of it; per-seed assertions name their seed.
    cases = mean_of("  bsp:\n    mean_sim_time_s: \"<= " + std::to_string(bsp.mean * 1.001) +
                    "s\"\n    sim_time_s: \">= 0s\"\n");
    REQUIRE(cases.size() == 4);
    CHECK(cases[0].passed);
    CHECK(cases[1].label == "bsp seed 7");
    cases =
        mean_of("  bsp:\n    mean_sim_time_s: \"<= " + std::to_string(bsp.mean * 0.999) + "s\"\n");
    CHECK_FALSE(cases[0].passed);
  }
}
