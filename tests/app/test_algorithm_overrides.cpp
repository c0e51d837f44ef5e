// An algorithm entry's own `optimizer:` (app/algorithm_registry.h): a
// comparison tunes each algorithm, and an override is exactly that
// algorithm run alone with the setting.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "app/scenario_loader.h"
#include "run/outputs.h"
#include "run/run.h"
#include "run/scenario_error.h"

namespace {

// The CI scenario's cluster, data and model, with `optimizer` and `algorithms` blocks.
std::string scenario(const std::string& optimizer, const std::string& algorithms) {
  return "name: overrides\n"
         "seed: 7\n"
         "cluster:\n"
         "  server: {count: 1, flops: 20GFLOPS}\n"
         "  worker: {count: 4, flops: 10GFLOPS, straggler: \"uniform(1, 1.5)\"}\n"
         "topology: {kind: star, bandwidth: 1Gbps, latency: 20us}\n"
         "data: {dataset: synthetic, samples: 800, features: 20, classes: 4}\n"
         "model: {layers: [20, 16, 4]}\n"
         "optimizer: " +
         optimizer + "\n" + algorithms +
         "stop: {epochs: 1}\n"
         "eval: {every: 2ms}\n";
}

// The metrics.csv rows of the run labelled `label`.
std::string rows_of(const app::ScenarioResult& result, const std::string& label) {
  std::istringstream in(app::metrics_csv(result));
  std::string line, rows;
  while (std::getline(in, line)) {
    if (line.rfind(label + ",", 0) == 0) rows += line + "\n";
  }
  return rows;
}

app::ScenarioResult run_text(const std::string& yaml) {
  return syncsim::run(app::load_scenario_string(yaml, "overrides.yaml"));
}

std::string error_of(const std::string& yaml) {
  try {
    app::load_scenario_string(yaml, "overrides.yaml");
  } catch (const app::ScenarioError& e) {
    return e.what();
  }
  return "";
}

const std::string kBase = "{kind: sgd, lr: 0.1, momentum: 0.9}";

}  // namespace

TEST_CASE("an algorithm's own optimizer equals running that algorithm alone with it") {
  const app::ScenarioResult comparison = run_text(scenario(
      kBase,
      "algorithms:\n"
      "  - {kind: ps_sync, batch_size: 16}\n"
      "  - {kind: ps_async, label: tuned, batch_size: 8, optimizer: {lr: 0.03, nesterov: true}}\n"
      "  - {kind: allreduce_ring, label: adam, optimizer: {kind: adam, lr: 0.002}}\n"));
  SECTION("keys on top of the scenario's optimizer") {
    const std::string alone =
        rows_of(run_text(scenario("{kind: sgd, lr: 0.03, momentum: 0.9, nesterov: true}",
                                  "algorithm: {kind: ps_async, label: tuned, batch_size: 8}\n")),
                "tuned");
    REQUIRE_FALSE(alone.empty());
    CHECK(rows_of(comparison, "tuned") == alone);
    // Not the scenario's optimizer: the override changed the run.
    CHECK(rows_of(run_text(scenario(kBase,
                                    "algorithm: {kind: ps_async, label: tuned, "
                                    "batch_size: 8}\n")),
                  "tuned") != alone);
  }
  SECTION("another kind starts from that kind's defaults") {
    const std::string alone =
        rows_of(run_text(scenario("{kind: adam, lr: 0.002}",
                                  "algorithm: {kind: allreduce_ring, label: adam}\n")),
                "adam");
    REQUIRE_FALSE(alone.empty());
    CHECK(rows_of(comparison, "adam") == alone);
  }
  SECTION("an entry without one keeps the scenario's") {
    const std::string alone = rows_of(
        run_text(scenario(kBase, "algorithm: {kind: ps_sync, batch_size: 16}\n")), "ps_sync");
    REQUIRE_FALSE(alone.empty());
    CHECK(rows_of(comparison, "ps_sync") == alone);
  }
}

TEST_CASE("a bad optimizer inside an algorithm entry names its file, line, column and key") {
  auto entry = [](const std::string& e) {
    return scenario(kBase, "algorithms:\n  - {kind: ps_sync}\n  - " + e + "\n");
  };
  SECTION("a value out of range") {
    CHECK(error_of(entry("{kind: ps_async, optimizer: {lr: -1}}")) ==
          "overrides.yaml:12:38: algorithms[1].optimizer.lr: lr must be greater than zero");
  }
  SECTION("a misspelled key inside it") {
    CHECK(error_of(entry("{kind: ps_async, optimizer: {lerning_rate: 1}}"))
              .find("overrides.yaml:12:34: algorithms[1].optimizer.lerning_rate: unknown key "
                    "'lerning_rate'") == 0);
  }
  SECTION("a key of another kind") {
    CHECK(error_of(entry("{kind: ps_async, optimizer: {kind: adam, momentum: 0.9}}"))
              .find("algorithms[1].optimizer.momentum: unknown key 'momentum'") !=
          std::string::npos);
  }
  SECTION("nesterov where the momentum is set to zero") {
    const std::string yaml = scenario(
        "{kind: sgd, lr: 0.1, momentum: 0.9, nesterov: true}",
        "algorithms:\n  - {kind: ps_sync}\n  - {kind: ps_async, optimizer: {momentum: 0}}\n");
    CHECK(error_of(yaml).find("algorithms[1].optimizer.momentum: nesterov needs momentum > 0") !=
          std::string::npos);
  }
  SECTION("a misspelled optimizer key in the entry") {
    CHECK(
        error_of(entry("{kind: ps_async, optimiser: {lr: 1}}"))
            .find("algorithms[1].optimiser: unknown key 'optimiser' (did you mean 'optimizer'?)") !=
        std::string::npos);
  }
}
