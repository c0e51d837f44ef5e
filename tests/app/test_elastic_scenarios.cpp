// `elastic:` under the all-reduce family and local SGD: every
// mistake at its key, and whole runs under a crash and a partition: each
// collective re-forms and goes on, summary.csv's accounting adds up (with
// dropped_aborted), and the same seed gives byte-identical outputs.
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

// Two racks of two workers under a tree, the coordinator in a third rack.
const std::string kElastic = R"yaml(name: t
seed: 4
cluster:
  worker: {count: 4, flops: 5GFLOPS}
  driver: {count: 1, flops: 10GFLOPS}
topology: {kind: tree, hosts_per_rack: 2, bandwidth: 1Gbps, latency: 10us, uplink_latency: 20us}
data: {dataset: synthetic, samples: 400, features: 4, classes: 3}
model: {layers: [4, 8, 3]}
algorithms:
  - {kind: allreduce_ring, batch_size: 4, elastic: {timeout: 20ms, coordinator: driver}}
  - {kind: allreduce_tree, variant: binary_tree, batch_size: 4, elastic: {timeout: 20ms}}
  - {kind: allreduce_hierarchical, batch_size: 4, elastic: {timeout: 20ms, coordinator: driver}}
  - {kind: local_sgd, local_steps: 2, batch_size: 4, elastic: {timeout: 20ms, coordinator: driver}}
faults:
  - {at: 100ms, crash: worker1, for: 150ms}
  - {at: 300ms, partition: rack1, for: 200ms}
stop: {sim_time: 1s}
eval: {every: 100ms}
)yaml";

}  // namespace

TEST_CASE("elastic mistakes are reported at their key") {
  auto with = [](const std::string& elastic) {
    return error_of(replace(kElastic, "elastic: {timeout: 20ms, coordinator: driver}}",
                            "elastic: " + elastic + "}"));
  };
  CHECK(with("{timeout: -1ms}") ==
        "s.yaml:10:62: algorithms[0].elastic.timeout: '-1ms' must not be negative");
  CHECK(with("{timeout: 0s}") ==
        "s.yaml:10:62: algorithms[0].elastic.timeout: timeout must be greater than zero");
  CHECK(with("{timout: 1ms}") ==
        "s.yaml:10:53: algorithms[0].elastic.timout: unknown key 'timout' (did you mean "
        "'timeout'?)");
  CHECK(with("{timeout: 1ms, coordinator: worker}") ==
        "s.yaml:10:80: algorithms[0].elastic.coordinator: the coordinator must be a group of one "
        "node, this one has 4");
  CHECK(with("{timeout: 1ms, coordinator: drvier}") ==
        "s.yaml:10:80: algorithms[0].elastic.coordinator: no cluster group named 'drvier' (did "
        "you mean 'driver'?)");
  CHECK(with("5ms") == "s.yaml:10:52: algorithms[0].elastic: expected a map, got '5ms'");
  CHECK(with("{coordinator: driver}") ==
        "s.yaml:10:52: algorithms[0].elastic: missing required key 'timeout'");
  // A timeout no all-reduce of the model can meet aborts every round forever.
  // 8,000,003 parameters: each of 4 ranks sends at least 3/4 of 32 MB over
  // 1 Gbps (125 MB/s), 192 ms.
  const std::string big = replace(kElastic, "layers: [4, 8, 3]", "layers: [4, 1000000, 3]");
  CHECK(error_of(big) ==
        "s.yaml:10:62: algorithms[0].elastic.timeout: 20ms is shorter than the least time one "
        "all-reduce of the model can take (192 ms: each of 4 ranks sends 24 MB over links of at "
        "most 1 Gbps), so every round would abort: give a longer timeout");
  CHECK(error_of(replace(big, "timeout: 20ms, coordinator: driver}}",
                         "timeout: 193ms, coordinator: driver}}"))
            .find("algorithms[0]") == std::string::npos);
}

TEST_CASE("elastic collectives go on through a crash and a partition, counting every update") {
  const app::Scenario s = app::load_scenario_string(kElastic, "s.yaml");
  const app::ScenarioResult result = syncsim::run(s);
  const std::string summary = app::summary_csv(result);
  const auto rows = scenario_text::keyed_rows(summary);
  REQUIRE(rows.size() == 4);
  for (const auto& row : rows) {
    INFO(row.at("algorithm"));
    const auto n = [&](const char* key) { return std::stoll(row.at(key)); };
    CHECK(n("crashes") == 1);
    scenario_text::check_accounting(row);
    CHECK(n("updates_dropped_aborted") > 0);  // the faults cost something
    CHECK(row.at("stop_reason") == "sim_time");
    // It went on after both faults: far more versions than before the crash.
    CHECK(n("steps") > 0);
  }
  // Training resumed after the heal: the last metrics row is past 0.9 s.
  const std::string metrics = app::metrics_csv(result);
  CHECK(metrics.find("allreduce_ring,1,") != std::string::npos);

  SECTION("the same seed gives byte-identical outputs") {
    const app::ScenarioResult again = syncsim::run(s);
    CHECK(app::summary_csv(again) == summary);
    CHECK(app::metrics_csv(again) == metrics);
  }
}
