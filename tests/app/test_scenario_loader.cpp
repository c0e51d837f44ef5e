// The scenario loader: the examples load, and every kind of mistake is
// reported with file:line:column, the key path and a hint.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "app/scenario_loader.h"
#include "scenario_text.h"

namespace {

const std::string kValid = R"yaml(name: t
seed: 3
cluster:
  server: {count: 1, flops: 10GFLOPS}
  worker: {count: 2, flops: 5GFLOPS, straggler: "lognormal(0, 0.2)"}
topology: {kind: star, bandwidth: 1Gbps, latency: 10us}
data: {dataset: synthetic, samples: 100, features: 4, classes: 3}
model: {layers: [4, 8, 3]}
algorithm: {kind: ps_sync, batch_size: 4}
stop: {steps: 5}
)yaml";

}  // namespace

using scenario_text::error_of;
using scenario_text::replace;

TEST_CASE("a valid scenario loads with its values and defaults") {
  const app::Scenario s = app::load_scenario_string(kValid, "s.yaml");
  CHECK(s.name == "t");
  CHECK(s.seed == 3);
  REQUIRE(s.groups.size() == 2);
  CHECK(s.groups[1].count == 2);
  CHECK(s.groups[1].flop_rate == 5e9);
  CHECK(s.groups[1].straggler.kind == sim::Distribution::Kind::lognormal);
  CHECK(s.topology.link.bandwidth_bytes_per_s == 1.25e8);
  CHECK(s.topology.link.latency == 10'000);
  CHECK(s.model.widths == std::vector<int>{4, 8, 3});
  CHECK(s.optimizer.kind == "sgd");
  REQUIRE(s.algorithms.size() == 1);
  CHECK(s.algorithms[0].kind == "ps_sync");
  CHECK(s.algorithms[0].label == "ps_sync");
  CHECK(s.algorithms[0].participants == 2);
  CHECK(s.stop.max_steps == 5);
  CHECK(app::node_names(s.groups[1]) == std::vector<std::string>{"worker0", "worker1"});
}

TEST_CASE("a scenario may list several algorithms, each with a label") {
  const std::string yaml = replace(kValid, "algorithm: {kind: ps_sync, batch_size: 4}",
                                   "algorithms:\n  - {kind: ps_sync, batch_size: 4}\n"
                                   "  - {kind: ps_sync, batch_size: 8, label: big_batch}");
  const app::Scenario s = app::load_scenario_string(yaml, "s.yaml");
  REQUIRE(s.algorithms.size() == 2);
  CHECK(s.algorithms[0].label == "ps_sync");
  CHECK(s.algorithms[1].label == "big_batch");
}

TEST_CASE("workers may come from several groups, in cluster order") {
  const std::string yaml =
      replace(replace(kValid, "  worker: {count: 2,",
                      "  big: {count: 1, flops: 9GFLOPS}\n  worker: {count: 2,"),
              "kind: ps_sync,", "kind: ps_sync, workers: [worker, big],");
  const app::Scenario s = app::load_scenario_string(yaml, "s.yaml");
  CHECK(s.algorithms.at(0).participants == 3);
  CHECK_THAT(error_of(replace(yaml, "[worker, big]", "[worker, worker]")),
             Catch::EndsWith("algorithm.workers[1]: group 'worker' is listed twice"));
  CHECK_THAT(
      error_of(replace(yaml, "[worker, big]", "[worker, bg]")),
      Catch::EndsWith("algorithm.workers[1]: no cluster group named 'bg' (did you mean 'big'?)"));
}

TEST_CASE("the shipped scenarios load") {
  for (const char* folder : {"scenarios/examples", "scenarios/ci"}) {
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(SYNCSIM_SOURCE_DIR) + "/" + folder)) {
      if (entry.path().extension() != ".yaml") continue;
      INFO(entry.path().string());
      CHECK_NOTHROW(app::load_scenario(entry.path().string()));
    }
  }
}

TEST_CASE("user errors that used to fail mid-run are found when the scenario is loaded") {
  SECTION("a bandwidth too small for a message to arrive within simulated time") {
    CHECK(error_of(replace(kValid, "bandwidth: 1Gbps", "bandwidth: 1e-300bps")) ==
          "s.yaml:6:35: topology.bandwidth: bandwidth must be at least 1kbps (a slower link "
          "outlasts simulated time)");
    CHECK(error_of(replace(kValid, "bandwidth: 1Gbps", "bandwidth: 1kbps")) == "(no error)");
  }
  SECTION("a tree oversubscription out of range") {
    const std::string tree =
        replace(kValid, "topology: {kind: star, bandwidth: 1Gbps, latency: 10us}",
                "topology: {kind: tree, bandwidth: 1Gbps, hosts_per_rack: 2, "
                "oversubscription: 1e-300}");
    CHECK(error_of(tree) ==
          "s.yaml:6:79: topology.oversubscription: must be between 0.001 and 1000, got 1e-300");
    CHECK(error_of(replace(tree, "1e-300", "1e300")) ==
          "s.yaml:6:79: topology.oversubscription: must be between 0.001 and 1000, got 1e+300");
  }
  SECTION("fewer training samples than workers") {
    CHECK(error_of(replace(kValid, "samples: 100", "samples: 2")) == "(no error)");
    const std::string three = replace(kValid, "count: 2, flops", "count: 3, flops");
    CHECK(error_of(replace(three, "samples: 100", "samples: 2")) ==
          "s.yaml:7:37: data.samples: 2 training samples cannot give each of the 3 participants "
          "of 'ps_sync' a sample: give at least 3");
    CHECK(error_of(replace(kValid, "samples: 100,", "samples: 100, train_samples: 1,")) ==
          "s.yaml:7:57: data.train_samples: 1 training samples cannot give each of the 2 "
          "participants of 'ps_sync' a sample: give at least 2");
    const std::string fmnist =
        replace(replace(kValid, "{dataset: synthetic, samples: 100, features: 4, classes: 3}",
                        "{dataset: fashion-mnist, train_samples: 1}"),
                "layers: [4, 8, 3]", "layers: [784, 8, 10]");
    CHECK(error_of(fmnist) ==
          "s.yaml:7:47: data.train_samples: 1 training samples cannot give each of the 2 "
          "participants of 'ps_sync' a sample: give at least 2");
  }
  const std::string kExplicit =
      "topology:\n  kind: explicit\n  switches: [s0]\n  links:\n"
      "    - {from: server, to: s0, bandwidth: 1Gbps}\n"
      "    - {from: worker0, to: s0, bandwidth: 1Gbps}\n"
      "    - {from: worker1, to: s0, bandwidth: 1Gbps}\n";
  const auto with_links = [&](const std::string& links) {
    return error_of(
        replace(kValid, "topology: {kind: star, bandwidth: 1Gbps, latency: 10us}", links));
  };
  SECTION("an explicit topology that leaves a node unreachable") {
    CHECK(with_links(kExplicit) == "(no error)");
    CHECK(with_links(replace(kExplicit, "from: worker1, to: s0", "from: worker1, to: worker1")) ==
          "s.yaml:12:27: topology.links[2].to: a link joins 'worker1' to itself");
    CHECK(with_links(replace(kExplicit, "    - {from: worker1, to: s0, bandwidth: 1Gbps}\n", "")) ==
          "s.yaml:10:5: topology.links: no path of links joins 'worker1' to 'server': every "
          "cluster node must reach every other");
  }
}

TEST_CASE("a scenario name is a safe folder name and CSV cell, or an error at its key") {
  const std::string message =
      "s.yaml:1:7: name: name must be 1 to 100 letters, digits, '_', '-', '.' or '+', starting "
      "with a letter or digit (it names the output folder and fills CSV cells)";
  // Each would break an unquoted summary.csv cell, a folder name or a command line.
  const std::string bad =
      GENERATE(as<std::string>{}, "'a,b\"c'", "\"a\\nb\"", "\"a\\rb\"", "'a\"b'", "a b", "a/b",
               "'a\\b'", "..", ".hidden", "-rf", "''", "\"caf\\xe9\"", "\"a\\tb\"", "a;b", "a*b",
               std::string(101, 'x'));
  CAPTURE(bad);
  CHECK(error_of(replace(kValid, "name: t", "name: " + bad)) == message);
  const std::string good =
      GENERATE(as<std::string>{}, "t", "ps_sync-2.0+lr", "A9", std::string(100, 'x'));
  CHECK(error_of(replace(kValid, "name: t", "name: " + good)) == "(no error)");
}

TEST_CASE("scenario mistakes are reported with location, key path and a fix") {
  SECTION("unknown key, with did-you-mean") {
    CHECK(error_of(replace(kValid, "seed: 3", "sead: 3")) ==
          "s.yaml:2:1: sead: unknown key 'sead' (did you mean 'seed'?)");
  }
  SECTION("unknown nested key") {
    CHECK(error_of(replace(kValid, "batch_size: 4", "bach_size: 4")) ==
          "s.yaml:9:28: algorithm.bach_size: unknown key 'bach_size' (did you mean 'batch_size'?)");
  }
  SECTION("missing required key") {
    CHECK(error_of(replace(kValid, "stop: {steps: 5}\n", "")) ==
          "s.yaml:1:1: missing required key 'stop'");
  }
  SECTION("wrong type") {
    CHECK(error_of(replace(kValid, "count: 2", "count: two")) ==
          "s.yaml:5:19: cluster.worker.count: expected an integer, got 'two'");
  }
  SECTION("bad unit") {
    const std::string e = error_of(replace(kValid, "bandwidth: 1Gbps", "bandwidth: 1Gbsp"));
    CHECK_THAT(e, Catch::StartsWith("s.yaml:6:35: topology.bandwidth: "));
  }
  SECTION("zero bandwidth") {
    CHECK(error_of(replace(kValid, "bandwidth: 1Gbps", "bandwidth: 0Gbps")) ==
          "s.yaml:6:35: topology.bandwidth: bandwidth must be greater than zero");
  }
  SECTION("zero workers") {
    CHECK(error_of(replace(kValid, "count: 2", "count: 0")) ==
          "s.yaml:5:19: cluster.worker.count: count must be between 1 and 1000000");
  }
  SECTION("unknown group reference") {
    CHECK(
        error_of(replace(kValid, "kind: ps_sync,", "kind: ps_sync, workers: wrker,")) ==
        "s.yaml:9:37: algorithm.workers: no cluster group named 'wrker' (did you mean 'worker'?)");
  }
  SECTION("model does not fit the data") {
    CHECK(error_of(replace(kValid, "[4, 8, 3]", "[5, 8, 3]")) ==
          "s.yaml:8:17: model.layers: the first layer width must equal the 4 features of the data, "
          "got 5");
  }
  SECTION("no stop condition") {
    CHECK(error_of(replace(kValid, "stop: {steps: 5}", "stop: {target_accuracy: 0.9}")) ==
          "s.yaml:10:7: stop: set at least one of sim_time, epochs or steps, or the run might "
          "never end");
  }
  SECTION("a straggler factor that can be negative") {
    CHECK_THAT(error_of(replace(kValid, "\"lognormal(0, 0.2)\"", "\"normal(1, 0.2)\"")),
               Catch::StartsWith("s.yaml:5:49: cluster.worker.straggler: a straggler factor must"));
  }
  SECTION("a malformed distribution") {
    CHECK(error_of(replace(kValid, "\"lognormal(0, 0.2)\"", "lognormal(0)")) ==
          "s.yaml:5:49: cluster.worker.straggler: lognormal takes 2 argument(s), got 1");
  }
  SECTION("unknown algorithm") {
    CHECK(error_of(replace(kValid, "kind: ps_sync", "kind: ps_magic")) ==
          "s.yaml:9:19: algorithm.kind: unknown algorithm 'ps_magic' (expected one of: ps_sync, "
          "ps_async, ps_ssp, gossip, allreduce_ring, allreduce_tree, allreduce_hierarchical, "
          "local_sgd, fedavg, fedprox, scaffold, fedbuff, fedasync, hierfl)");
    CHECK(error_of(replace(kValid, "kind: ps_sync", "kind: ps_snyc")) ==
          "s.yaml:9:19: algorithm.kind: unknown algorithm 'ps_snyc' (did you mean 'ps_sync'?)");
  }
  SECTION("a server group of several nodes") {
    CHECK_THAT(error_of(replace(kValid, "server: {count: 1", "server: {count: 2")),
               Catch::Contains("ps_sync has one server, but the server group has 2 nodes"));
  }
  SECTION("explicit topology naming an unknown node") {
    const std::string yaml =
        replace(kValid, "topology: {kind: star, bandwidth: 1Gbps, latency: 10us}",
                "topology:\n  kind: explicit\n  switches: [s0]\n  links:\n"
                "    - {from: server, to: s0, bandwidth: 1Gbps}\n"
                "    - {from: workr0, to: s0, bandwidth: 1Gbps}\n");
    CHECK(error_of(yaml) ==
          "s.yaml:11:14: topology.links[1].from: 'workr0' is neither a cluster node nor a switch "
          "(did you mean 'worker0'?)");
  }
  SECTION("both algorithm and algorithms") {
    CHECK_THAT(error_of(kValid + "algorithms: [{kind: ps_sync}]\n"),
               Catch::EndsWith(
                   "algorithms: give either 'algorithm' (one) or 'algorithms' (a list), not both"));
  }
  SECTION("two algorithms with one label") {
    const std::string yaml = replace(kValid, "algorithm: {kind: ps_sync, batch_size: 4}",
                                     "algorithms:\n  - {kind: ps_sync}\n  - {kind: ps_sync}");
    CHECK(error_of(yaml) ==
          "s.yaml:11:5: algorithms[1]: two algorithms are labelled 'ps_sync': give each a distinct "
          "'label'");
  }
  SECTION("missing file") {
    CHECK_THROWS_WITH(app::load_scenario("/nonexistent/x.yaml"),
                      Catch::Contains("/nonexistent/x.yaml"));
  }
}
