// `timeout:` under gossip: every mistake at its key, and whole runs
// under a crash and a partition: the gossipers go on, summary.csv's
// accounting adds up, and the same seed gives byte-identical outputs.
#include <catch2/catch.hpp>
#include <map>
#include <sstream>
#include <string>

#include "app/scenario_loader.h"
#include "run/outputs.h"
#include "run/run.h"
#include "scenario_text.h"

using scenario_text::error_of;
using scenario_text::replace;

namespace {

// Two racks of two workers under a tree.
const std::string kGossip = R"yaml(name: t
seed: 4
cluster:
  worker: {count: 4, flops: 5GFLOPS}
topology: {kind: tree, hosts_per_rack: 2, bandwidth: 1Gbps, latency: 10us, uplink_latency: 20us}
data: {dataset: synthetic, samples: 400, features: 4, classes: 3}
model: {layers: [4, 8, 3]}
algorithms:
  - {kind: gossip, batch_size: 4, timeout: 20ms}
  - {kind: gossip, label: gossip_complete, graph: complete, batch_size: 4, timeout: 20ms}
faults:
  - {at: 100ms, crash: worker1, for: 150ms}
  - {at: 300ms, partition: rack1, for: 200ms}
stop: {sim_time: 1s}
eval: {every: 100ms}
)yaml";

}  // namespace

TEST_CASE("gossip timeout mistakes are reported at their key") {
  auto with = [](const std::string& timeout) {
    return error_of(replace(kGossip, "{kind: gossip, batch_size: 4, timeout: 20ms}",
                            "{kind: gossip, batch_size: 4, " + timeout + "}"));
  };
  CHECK(with("timeout: 0s") ==
        "s.yaml:9:44: algorithms[0].timeout: timeout must be greater than zero");
  CHECK(with("timeout: -1ms") == "s.yaml:9:44: algorithms[0].timeout: '-1ms' must not be negative");
  CHECK(with("timeout: soon").find("s.yaml:9:44: algorithms[0].timeout: ") == 0);
  CHECK(with("timout: 1ms") ==
        "s.yaml:9:35: algorithms[0].timout: unknown key 'timout' (did you mean 'timeout'?)");
}

TEST_CASE("gossip goes on through a crash and a partition, counting every contribution") {
  const app::Scenario s = app::load_scenario_string(kGossip, "s.yaml");
  const app::ScenarioResult result = syncsim::run(s);
  const std::string summary = app::summary_csv(result);
  const auto rows = scenario_text::keyed_rows(summary);
  REQUIRE(rows.size() == 2);
  for (const auto& row : rows) {
    INFO(row.at("algorithm"));
    const auto n = [&](const char* key) { return std::stoll(row.at(key)); };
    CHECK(n("crashes") == 1);
    CHECK(n("updates_produced") > 0);
    scenario_text::check_accounting(row);
    CHECK(n("updates_lost") > 0);  // the faults cost something
    CHECK(row.at("stop_reason") == "sim_time");
    CHECK(n("steps") > 100);  // without a timeout it stalls at the crash
  }
  const std::string metrics = app::metrics_csv(result);
  SECTION("the same seed gives byte-identical outputs") {
    const app::ScenarioResult again = syncsim::run(s);
    CHECK(app::summary_csv(again) == summary);
    CHECK(app::metrics_csv(again) == metrics);
  }
}
