// The compression scenarios, run from their YAML: top-1% with error feedback
// against the dense all-reduce on Fashion-MNIST (relations checked here,
// not pinned numbers), and every compressor in timing-only mode, whose wire
// sizes must still follow each encoding's formula.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "app/scenario_loader.h"
#include "run/run.h"
#include "run/world.h"
#include "scenario_text.h"

namespace {

std::string source(const std::string& file) { return std::string(SYNCSIM_SOURCE_DIR) + "/" + file; }

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE(
    "top-1% with error feedback keeps the dense accuracy within 2 points at 20x fewer bytes, "
    "sooner") {
  const app::Scenario s = app::load_scenario(source("scenarios/ci/compression_fmnist.yaml"));
  const syncsim::ScenarioResult result = syncsim::run(s);
  REQUIRE(result.runs.size() == 2);
  const algo::RunTotals& dense = result.runs[0].totals;
  const algo::RunTotals& topk = result.runs[1].totals;
  REQUIRE(result.runs[1].label == "topk_ef");
  INFO("dense: accuracy " << dense.final_test_accuracy << ", " << dense.bytes_sent << " bytes, "
                          << sim::to_seconds(dense.time) << " s");
  INFO("top-k: accuracy " << topk.final_test_accuracy << ", " << topk.bytes_sent << " bytes, "
                          << sim::to_seconds(topk.time) << " s");
  CHECK(topk.epochs == dense.epochs);  // the same epochs
  CHECK(topk.final_test_accuracy >= dense.final_test_accuracy - 0.02);
  CHECK(20.0 * topk.bytes_sent <= dense.bytes_sent);
  CHECK(topk.time < dense.time);
  CHECK(dense.final_test_accuracy >= 0.8);  // a run that learned something
}

TEST_CASE("with math: none every compressor's bytes follow its formula, as with the math") {
  const app::Scenario real = app::load_scenario(source("scenarios/ci/compression_synthetic.yaml"));
  std::string text = read_file(source("scenarios/ci/compression_synthetic.yaml"));
  text = scenario_text::replace(text, "seed: 7\n", "seed: 7\nmath: none\n");
  text = text.substr(0, text.find("expect:"));
  const app::Scenario timing = app::load_scenario_string(text, "compression_synthetic.yaml");
  const syncsim::ScenarioResult with_math = syncsim::run(real);
  const syncsim::ScenarioResult sizes_only = syncsim::run(timing);
  REQUIRE(with_math.runs.size() == sizes_only.runs.size());
  for (std::size_t i = 0; i < with_math.runs.size(); ++i) {
    INFO(with_math.runs[i].label);
    CHECK(sizes_only.runs[i].totals.bytes_sent == with_math.runs[i].totals.bytes_sent);
    CHECK(sizes_only.runs[i].totals.time == with_math.runs[i].totals.time);
  }
}
