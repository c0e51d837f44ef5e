// Byzantine nodes and robust rules from YAML: the scenario check of the
// sign-flip attack, label flipping end to end, FedAvg, the new columns, and
// the loader's errors.
#include <catch2/catch.hpp>

#include <string>

#include "app/scenario_loader.h"
#include "run/outputs.h"
#include "run/run.h"
#include "scenario_text.h"

namespace {

const std::string kPs = R"yaml(name: b
seed: 5
cluster:
  server: {count: 1, flops: 20GFLOPS}
  worker: {count: 4, flops: 10GFLOPS}
topology: {kind: star, bandwidth: 1Gbps, latency: 10us}
data: {dataset: synthetic, samples: 1200, features: 8, classes: 4}
model: {layers: [8, 16, 4]}
optimizer: {kind: sgd, lr: 0.1}
algorithm: {kind: ps_sync, batch_size: 16}
stop: {epochs: 2}
)yaml";

const std::string kFedAvg = R"yaml(name: f
seed: 3
cluster:
  server: {count: 1, flops: 10GFLOPS}
  client: {count: 6, flops: 5GFLOPS}
  bad: {count: 2, flops: 5GFLOPS, byzantine: {kind: sign_flip, scale: 4}}
topology: {kind: star, bandwidth: 1Gbps, latency: 10us}
data: {dataset: synthetic, samples: 800, features: 4, classes: 3}
model: {layers: [4, 8, 3]}
optimizer: {kind: sgd, lr: 0.1}
algorithm: {kind: fedavg, clients: [client, bad], local_epochs: 1, batch_size: 8,
            aggregator: median}
stop: {steps: 10}
)yaml";

double accuracy(const syncsim::RunResult& r) { return r.totals.final_test_accuracy; }

}  // namespace

using scenario_text::error_of;
using scenario_text::keyed_rows;
using scenario_text::replace;

TEST_CASE("with 2 of 8 workers flipping signs the mean collapses and the robust rules learn") {
  const app::Scenario s = app::load_scenario(std::string(SYNCSIM_SOURCE_DIR) +
                                             "/scenarios/ci/byzantine_sign_flip_synthetic.yaml");
  const syncsim::ScenarioResult result = syncsim::run(s);
  REQUIRE(result.runs.size() == 4);
  const syncsim::RunResult& mean = result.runs[0];
  CHECK(mean.label == "mean");
  // Collapsed: at chance for 4 classes, or diverged (counted as collapsed).
  CHECK((accuracy(mean) < 0.4 || mean.totals.status != "ok"));
  for (std::size_t i = 1; i < 4; ++i) {
    INFO(result.runs[i].label);
    CHECK(accuracy(result.runs[i]) >= 0.75);
    CHECK(result.runs[i].totals.byzantine_sent == 2 * result.runs[i].totals.steps);
  }
  const syncsim::RunResult& krum = result.runs[3];
  CHECK(krum.totals.rejected == 7 * krum.totals.steps);
  CHECK(krum.totals.byzantine_rejected == 2 * krum.totals.steps);
}

TEST_CASE("workers that flip every label learn the reversed classes") {
  const app::Scenario honest = app::load_scenario_string(kPs, "s.yaml");
  const syncsim::ScenarioResult clean = syncsim::run(honest);
  CHECK(accuracy(clean.runs[0]) > 0.8);
  // Honest runs leave the contribution columns empty (not 0).
  const auto honest_rows = keyed_rows(syncsim::summary_csv(clean));
  for (const char* column : {"byzantine_sent", "rejected", "byzantine_rejected"}) {
    INFO(column);
    REQUIRE(honest_rows.at(0).count(column) == 1);
    CHECK(honest_rows.at(0).at(column).empty());
  }
  const app::Scenario flipped = app::load_scenario_string(
      replace(kPs, "worker: {count: 4, flops: 10GFLOPS}",
              "worker: {count: 4, flops: 10GFLOPS, byzantine: label_flip}"),
      "s.yaml");
  const syncsim::ScenarioResult result = syncsim::run(flipped);
  // Every label y became 3 - y: the model predicts the wrong class.
  CHECK(accuracy(result.runs[0]) < 0.2);
  const auto rows = keyed_rows(syncsim::summary_csv(result));
  CHECK(rows.at(0).at("byzantine_sent") == std::to_string(4 * result.runs[0].totals.steps));
  CHECK(rows.at(0).at("rejected") == "0");
}

TEST_CASE("fedavg clients can attack, and the median keeps their updates out") {
  const app::Scenario s = app::load_scenario_string(kFedAvg, "f.yaml");
  const syncsim::ScenarioResult robust = syncsim::run(s);
  CHECK(robust.runs[0].totals.byzantine_sent == 2 * 10);  // every client every round
  CHECK(accuracy(robust.runs[0]) > 0.8);
  const app::Scenario m = app::load_scenario_string(
      replace(kFedAvg, "aggregator: median", "aggregator: mean"), "f.yaml");
  const syncsim::ScenarioResult plain = syncsim::run(m);
  // Sum of updates: (6 - 2 x 4) / 8 < 0 times the honest update: no learning.
  CHECK(accuracy(plain.runs[0]) < accuracy(robust.runs[0]) - 0.3);
  const std::string metrics = syncsim::metrics_csv(plain);
  CHECK(metrics.find(",byzantine_sent,rejected\n") != std::string::npos);
}

TEST_CASE("byzantine and robust-rule mistakes are reported at their key") {
  const std::string group = "worker: {count: 4, flops: 10GFLOPS}";
  auto with_attack = [&](const std::string& attack) {
    return error_of(
        replace(kPs, group, "worker: {count: 4, flops: 10GFLOPS, byzantine: " + attack + "}"));
  };
  CHECK(with_attack("sign_flp") ==
        "s.yaml:5:50: cluster.worker.byzantine: unknown attack 'sign_flp' (did you mean "
        "'sign_flip'?)");
  CHECK(with_attack("scale").find("scale needs its factor") != std::string::npos);
  CHECK(with_attack("{kind: gaussian, sd: 1}").find("unknown key 'sd'") != std::string::npos);
  CHECK(with_attack("{kind: gaussian, std: -1}").find("std") != std::string::npos);
  CHECK(with_attack("none") == "(no error)");
  const std::string ring =
      replace(replace(kPs, group, "worker: {count: 4, flops: 10GFLOPS, byzantine: sign_flip}"),
              "algorithm: {kind: ps_sync, batch_size: 16}",
              "algorithm: {kind: allreduce_ring, batch_size: 16}");
  CHECK(error_of(ring).find("cluster.worker.byzantine: a sign_flip attack acts on what a server "
                            "aggregates, and allreduce_ring has no server") != std::string::npos);
  const std::string label_ring =
      replace(replace(kPs, group, "worker: {count: 4, flops: 10GFLOPS, byzantine: label_flip}"),
              "algorithm: {kind: ps_sync, batch_size: 16}",
              "algorithm: {kind: allreduce_ring, batch_size: 16}");
  CHECK(error_of(label_ring) == "(no error)");
  auto with_rule = [&](const std::string& rule) {
    return error_of(replace(kPs, "batch_size: 16}", "batch_size: 16, aggregator: " + rule + "}"));
  };
  CHECK(with_rule("{kind: trimmed_mean, beta: 0.5}").find("beta must be below 0.5") !=
        std::string::npos);
  CHECK(with_rule("trimmed_mean").find("needs its beta") != std::string::npos);
  CHECK(with_rule("krum").find("krum needs the attackers it assumes") != std::string::npos);
  CHECK(with_rule("{kind: krum, f: -1}").find("f") != std::string::npos);
  CHECK(with_rule("{kind: multi_krum, f: 1}").find("'m'") != std::string::npos);
  CHECK(with_rule("{kind: centered_clipping, tau: 0}").find("tau must be greater than zero") !=
        std::string::npos);
  CHECK(with_rule("{kind: geometric_median, iterations: 5}") == "(no error)");
  CHECK(with_rule("medain").find("did you mean 'median'") != std::string::npos);
}
