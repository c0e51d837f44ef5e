// The federated strategies' keys from YAML: fedprox's mu and the
// server_optimizer plug-in load, and each mistake is reported at its key.
#include <catch2/catch.hpp>
#include <string>

#include "app/scenario_loader.h"
#include "scenario_text.h"

namespace {

const std::string kFed = R"yaml(name: f
seed: 3
cluster:
  server: {count: 1, flops: 10GFLOPS}
  client: {count: 6, flops: 5GFLOPS}
topology: {kind: star, bandwidth: 1Gbps, latency: 10us}
data: {dataset: synthetic, samples: 300, features: 4, classes: 3}
model: {layers: [4, 8, 3]}
algorithm: {kind: fedprox, mu: 0.1, clients_per_round: 3,
            server_optimizer: {kind: fedadam, lr: 0.1}}
stop: {steps: 4}
)yaml";

}  // namespace

using scenario_text::error_of;
using scenario_text::replace;

TEST_CASE("fedprox and the server optimizers load from YAML") {
  const app::Scenario s = app::load_scenario_string(kFed, "s.yaml");
  REQUIRE(s.algorithms.size() == 1);
  CHECK(s.algorithms[0].kind == "fedprox");
  const char* names[] = {"none", "sgd", "fedavgm", "fedadam", "fedyogi", "fedadagrad"};
  for (const char* name : names) {
    CAPTURE(name);
    CHECK_NOTHROW(
        app::load_scenario_string(replace(kFed, "{kind: fedadam, lr: 0.1}", name), "s.yaml"));
  }
  CHECK_NOTHROW(
      app::load_scenario_string(replace(kFed, "kind: fedprox, mu: 0.1", "kind: fedavg"), "s.yaml"));
  const app::Scenario scaffold = app::load_scenario_string(
      replace(kFed, "kind: fedprox, mu: 0.1", "kind: scaffold"), "s.yaml");
  CHECK(scaffold.algorithms[0].kind == "scaffold");
}

TEST_CASE("fedprox and server optimizer mistakes are reported at their key") {
  SECTION("a negative mu") {
    CHECK_THAT(error_of(replace(kFed, "mu: 0.1", "mu: -1")),
               Catch::Contains("s.yaml:9:") && Catch::Contains("algorithm.mu"));
  }
  SECTION("mu belongs to fedprox, not fedavg or scaffold") {
    CHECK_THAT(error_of(replace(kFed, "kind: fedprox", "kind: fedavg")),
               Catch::Contains("algorithm.mu") && Catch::Contains("unknown key"));
    CHECK_THAT(error_of(replace(kFed, "kind: fedprox", "kind: scaffold")),
               Catch::Contains("algorithm.mu") && Catch::Contains("unknown key"));
  }
  SECTION("an unknown server optimizer suggests the closest") {
    CHECK_THAT(error_of(replace(kFed, "kind: fedadam", "kind: fedadm")),
               Catch::Contains("algorithm.server_optimizer.kind") &&
                   Catch::Contains("did you mean 'fedadam'"));
  }
  SECTION("a key the kind does not have") {
    CHECK_THAT(error_of(replace(kFed, "lr: 0.1", "momentum: 0.9")),
               Catch::Contains("algorithm.server_optimizer.momentum"));
    CHECK_THAT(
        error_of(replace(kFed, "{kind: fedadam, lr: 0.1}", "{kind: fedadagrad, beta2: 0.9}")),
        Catch::Contains("algorithm.server_optimizer.beta2"));
  }
  SECTION("out-of-range values") {
    CHECK_THAT(error_of(replace(kFed, "lr: 0.1", "lr: 0")),
               Catch::Contains("algorithm.server_optimizer.lr"));
    CHECK_THAT(error_of(replace(kFed, "{kind: fedadam, lr: 0.1}", "{kind: fedavgm, momentum: 1}")),
               Catch::Contains("algorithm.server_optimizer.momentum"));
    CHECK_THAT(error_of(replace(kFed, "lr: 0.1", "beta2: 1.5")),
               Catch::Contains("algorithm.server_optimizer.beta2"));
    CHECK_THAT(error_of(replace(kFed, "lr: 0.1", "tau: 0")),
               Catch::Contains("algorithm.server_optimizer.tau"));
  }
}

TEST_CASE("fedbuff and fedasync keys load and their mistakes are reported at the key") {
  const std::string buff = replace(
      kFed,
      "{kind: fedprox, mu: 0.1, clients_per_round: 3,\n"
      "            server_optimizer: {kind: fedadam, lr: 0.1}}",
      "{kind: fedbuff, concurrency: 4, buffer_size: 2, server_lr: 0.5, staleness_exponent: 1}");
  const app::Scenario s = app::load_scenario_string(buff, "s.yaml");
  CHECK(s.algorithms[0].kind == "fedbuff");
  CHECK(s.algorithms[0].live_replicas == 4);
  CHECK_NOTHROW(app::load_scenario_string(replace(replace(buff, "kind: fedbuff", "kind: fedasync"),
                                                  "buffer_size: 2, server_lr: 0.5", "mixing: 0.9"),
                                          "s.yaml"));
  SECTION("the buffer cannot exceed the concurrency") {
    CHECK_THAT(error_of(replace(buff, "buffer_size: 2", "buffer_size: 5")),
               Catch::Contains("algorithm.buffer_size") && Catch::Contains("between 1 and 4"));
  }
  SECTION("concurrency within the clients") {
    CHECK_THAT(error_of(replace(buff, "concurrency: 4", "concurrency: 7")),
               Catch::Contains("algorithm.concurrency"));
  }
  SECTION("each kind has its own keys") {
    CHECK_THAT(error_of(replace(buff, "kind: fedbuff", "kind: fedasync")),
               Catch::Contains("algorithm.buffer_size") && Catch::Contains("unknown key"));
    CHECK_THAT(error_of(replace(buff, "server_lr: 0.5", "mixing: 0.5")),
               Catch::Contains("algorithm.mixing") && Catch::Contains("unknown key"));
  }
  SECTION("out-of-range values") {
    CHECK_THAT(error_of(replace(buff, "server_lr: 0.5", "server_lr: 0")),
               Catch::Contains("algorithm.server_lr"));
    CHECK_THAT(error_of(replace(buff, "staleness_exponent: 1", "staleness_exponent: -1")),
               Catch::Contains("algorithm.staleness_exponent"));
    const std::string async = replace(replace(buff, "kind: fedbuff", "kind: fedasync"),
                                      "buffer_size: 2, server_lr: 0.5", "mixing: 0");
    CHECK_THAT(error_of(async), Catch::Contains("algorithm.mixing"));
  }
}

TEST_CASE("hierfl keys load and their mistakes are reported at the key") {
  const std::string tiers = R"yaml(name: h
seed: 3
cluster:
  server: {count: 1, flops: 10GFLOPS}
  edge: {count: 2, flops: 10GFLOPS}
  client: {count: 6, flops: 5GFLOPS}
topology: {kind: star, bandwidth: 1Gbps, latency: 10us}
data: {dataset: synthetic, samples: 300, features: 4, classes: 3}
model: {layers: [4, 8, 3]}
algorithm: {kind: hierfl, local_epochs: 2, edge_rounds: 3}
stop: {steps: 4}
)yaml";
  const app::Scenario s = app::load_scenario_string(tiers, "s.yaml");
  CHECK(s.algorithms[0].kind == "hierfl");
  CHECK(s.algorithms[0].participants == 6);
  SECTION("periods are at least 1") {
    CHECK_THAT(error_of(replace(tiers, "edge_rounds: 3", "edge_rounds: 0")),
               Catch::Contains("s.yaml:10:") && Catch::Contains("algorithm.edge_rounds"));
  }
  SECTION("an unknown key suggests the closest") {
    CHECK_THAT(error_of(replace(tiers, "edge_rounds: 3", "edge_round: 3")),
               Catch::Contains("algorithm.edge_round") && Catch::Contains("edge_rounds"));
  }
  SECTION("the tiers must differ and edges cannot outnumber clients") {
    CHECK_THAT(error_of(replace(tiers, "kind: hierfl,", "kind: hierfl, edges: client,")),
               Catch::Contains("must differ"));
    CHECK_THAT(error_of(replace(tiers, "edge: {count: 2", "edge: {count: 7")),
               Catch::Contains("at least one client per edge"));
  }
  SECTION("a missing edge group is named") {
    CHECK_THAT(error_of(replace(tiers, "kind: hierfl,", "kind: hierfl, edges: edgez,")),
               Catch::Contains("edgez"));
  }
}
