// fedavg and non-IID data from YAML: the loader's keys and errors, per-group
// links in the topology, partition.csv, and the example scenarios.
#include <catch2/catch.hpp>
#include <sstream>
#include <string>

#include "app/scenario_loader.h"
#include "run/outputs.h"
#include "run/run.h"
#include "run/world.h"
#include "scenario_text.h"

namespace {

const std::string kFedAvg = R"yaml(name: f
seed: 3
cluster:
  server: {count: 1, flops: 10GFLOPS}
  client: {count: 6, flops: 5GFLOPS}
topology: {kind: star, bandwidth: 1Gbps, latency: 10us}
data: {dataset: synthetic, samples: 300, features: 4, classes: 3, partition: dirichlet, alpha: 0.3}
model: {layers: [4, 8, 3]}
algorithm: {kind: fedavg, clients_per_round: 3, local_epochs: 2, batch_size: 8, deadline: 5ms,
            availability: 0.5}
stop: {steps: 4}
)yaml";

}  // namespace

using scenario_text::error_of;
using scenario_text::replace;

TEST_CASE("a fedavg scenario loads its partition and algorithm keys") {
  const app::Scenario s = app::load_scenario_string(kFedAvg, "s.yaml");
  CHECK(s.data.partition_spec.kind == ml::PartitionKind::dirichlet);
  CHECK(s.data.partition_spec.alpha == 0.3);
  REQUIRE(s.algorithms.size() == 1);
  CHECK(s.algorithms[0].kind == "fedavg");
  CHECK(s.algorithms[0].participants == 6);
  const std::string shards = replace(kFedAvg, "partition: dirichlet, alpha: 0.3",
                                     "partition: shards, shards_per_client: 3");
  const app::Scenario t = app::load_scenario_string(shards, "s.yaml");
  CHECK(t.data.partition_spec.kind == ml::PartitionKind::shards);
  CHECK(t.data.partition_spec.shards_per_part == 3);
}

TEST_CASE("fedavg and partition mistakes are reported at their key") {
  SECTION("an unknown partition lists the kinds") {
    const std::string e =
        error_of(replace(kFedAvg, "partition: dirichlet", "partition: dirichlett"));
    CHECK_THAT(e, Catch::Contains("data.partition") &&
                      Catch::Contains("iid, dirichlet, shards or natural"));
  }
  SECTION("alpha without a dirichlet partition") {
    const std::string e = error_of(replace(kFedAvg, "partition: dirichlet", "partition: iid"));
    CHECK_THAT(e, Catch::Contains("s.yaml:7:") && Catch::Contains("data.alpha"));
  }
  SECTION("alpha must be positive") {
    CHECK_THAT(error_of(replace(kFedAvg, "alpha: 0.3", "alpha: 0")), Catch::Contains("data.alpha"));
  }
  SECTION("shards_per_client without a shards partition") {
    const std::string e = error_of(replace(kFedAvg, "alpha: 0.3", "shards_per_client: 2"));
    CHECK_THAT(e, Catch::Contains("data.shards_per_client"));
  }
  SECTION("more clients per round than clients") {
    const std::string e =
        error_of(replace(kFedAvg, "clients_per_round: 3", "clients_per_round: 7"));
    CHECK_THAT(e, Catch::Contains("algorithm.clients_per_round"));
  }
  SECTION("an unknown key gets a did-you-mean") {
    const std::string e = error_of(replace(kFedAvg, "local_epochs: 2", "local_epoch: 2"));
    CHECK_THAT(e, Catch::Contains("local_epochs"));
  }
  SECTION("a client group that does not exist") {
    const std::string e =
        error_of(replace(kFedAvg, "kind: fedavg,", "kind: fedavg, clients: [clinet],"));
    CHECK_THAT(e,
               Catch::Contains("algorithm.clients[0]") && Catch::Contains("did you mean 'client'"));
  }
  SECTION("availability outside (0, 1]") {
    CHECK_THAT(error_of(replace(kFedAvg, "availability: 0.5", "availability: 0")),
               Catch::Contains("algorithm.availability"));
    CHECK_THAT(error_of(replace(kFedAvg, "availability: 0.5", "availability: 1.5")),
               Catch::Contains("algorithm.availability"));
  }
  SECTION("a zero deadline") {
    CHECK_THAT(error_of(replace(kFedAvg, "deadline: 5ms", "deadline: 0s")),
               Catch::Contains("algorithm.deadline"));
  }
  SECTION("a group link on a ring") {
    std::string yaml = replace(kFedAvg, "client: {count: 6, flops: 5GFLOPS}",
                               "client: {count: 6, flops: 5GFLOPS, link: {bandwidth: 1Mbps}}");
    yaml = replace(yaml, "kind: star", "kind: ring");
    CHECK_THAT(error_of(yaml),
               Catch::Contains("cluster.client.link") && Catch::Contains("star or tree"));
  }
}

TEST_CASE("a group's link overrides the topology's host link for its nodes") {
  std::string yaml =
      replace(kFedAvg, "client: {count: 6, flops: 5GFLOPS}",
              "phone: {count: 2, flops: 1GFLOPS, link: {bandwidth: 8Mbps, latency: 30ms}}\n"
              "  client: {count: 4, flops: 5GFLOPS}");
  yaml = replace(yaml, "kind: fedavg,", "kind: fedavg, clients: [phone, client],");
  SECTION("star") {
    const app::Scenario s = app::load_scenario_string(yaml, "s.yaml");
    CHECK(s.algorithms[0].participants == 6);
    const topology::Topology topo = app::build_topology(s);
    // Host i's link is link i in a star.
    CHECK(topo.link(0).bandwidth_bytes_per_s == 1.25e8);  // server: the default
    CHECK(topo.link(1).bandwidth_bytes_per_s == 1e6);     // phone0
    CHECK(topo.link(1).latency == 30'000'000);
    CHECK(topo.link(3).bandwidth_bytes_per_s == 1.25e8);  // client0
  }
  SECTION("tree: host links, and uplinks sized by the switch, not by the links under it") {
    yaml = replace(yaml, "kind: star,", "kind: tree, hosts_per_rack: 3,");
    const app::Scenario s = app::load_scenario_string(yaml, "s.yaml");
    const topology::Topology topo = app::build_topology(s);
    CHECK(topo.link(1).bandwidth_bytes_per_s == 1e6);
    CHECK(topo.link(7).bandwidth_bytes_per_s == 3 * 1.25e8);  // rack 0: server + 2 phones
    CHECK(topo.link(8).bandwidth_bytes_per_s == 3 * 1.25e8);  // rack 1: three clients
  }
}

TEST_CASE("a fedavg run writes each client's shard to partition.csv, identically every time") {
  const app::Scenario s = app::load_scenario_string(kFedAvg, "s.yaml");
  const app::ScenarioResult first = syncsim::run(s);
  REQUIRE(first.runs.size() == 1);
  const auto& rows = first.runs[0].partition;
  REQUIRE(rows.size() == 6);
  std::int64_t total = 0;
  for (const auto& r : rows) total += r.samples;
  CHECK(total == 300);
  const std::string csv = app::partition_csv(first);
  CHECK(csv.rfind("algorithm,node,samples,class0,class1,class2\nfedavg,client0,", 0) == 0);
  const app::ScenarioResult second = syncsim::run(s);
  CHECK(app::partition_csv(second) == csv);
  CHECK(app::metrics_csv(second) == app::metrics_csv(first));
  CHECK(first.runs[0].totals.steps == 4);
}

TEST_CASE("the fedavg example scenarios load") {
  const std::string file = GENERATE(as<std::string>{}, "scenarios/ci/fedavg_synthetic.yaml",
                                    "scenarios/examples/fedavg_phones.yaml",
                                    "scenarios/examples/scale_fedavg_1000.yaml");
  CAPTURE(file);
  const app::Scenario s = app::load_scenario(std::string(SYNCSIM_SOURCE_DIR) + "/" + file);
  CHECK(s.algorithms.at(0).kind == "fedavg");
}
