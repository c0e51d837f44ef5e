// `faults:` in scenarios: loading and name resolution, every mistake at its
// key, and whole runs: the summary's update accounting adds up for each
// algorithm, and the same seed gives byte-identical outputs.
#include <catch2/catch.hpp>
#include <map>
#include <sstream>
#include <string>

#include "app/scenario_loader.h"
#include "run/outputs.h"
#include "run/run.h"
#include "scenario_text.h"

using algo::Fault;
using scenario_text::error_of;
using scenario_text::replace;

namespace {

// Two racks of two workers under a tree, the server in a third rack.
const std::string kFaults = R"yaml(name: t
seed: 4
cluster:
  worker: {count: 4, flops: 5GFLOPS}
  server: {count: 1, flops: 10GFLOPS}
topology: {kind: tree, hosts_per_rack: 2, bandwidth: 1Gbps, latency: 10us, uplink_latency: 20us}
data: {dataset: synthetic, samples: 400, features: 4, classes: 3}
model: {layers: [4, 8, 3]}
algorithms:
  - {kind: ps_sync, batch_size: 4, backup_workers: 1}
  - {kind: ps_async, batch_size: 4}
  - {kind: fedavg, clients: worker, batch_size: 20, deadline: 50ms}
faults:
  - {at: 100ms, crash: worker1, for: 150ms}
  - {at: 300ms, partition: rack1, for: 200ms}
  - {at: 50ms, straggle: worker0, factor: 3, for: 100ms}
  - {at: 0s, degrade: [tor0, spine], factor: 0.5, for: 1s}
  - {at: 600ms, link_down: worker2, for: 50ms}
  - {link: [worker3, tor1], loss: 0.05}
stop: {sim_time: 1s}
eval: {every: 100ms}
)yaml";

}  // namespace

TEST_CASE("faults load with names resolved to hosts and links") {
  const app::Scenario s = app::load_scenario_string(kFaults, "s.yaml");
  REQUIRE(s.faults);
  const std::vector<Fault>& f = *s.faults;
  REQUIRE(f.size() == 6);
  CHECK(f[0].kind == Fault::Kind::crash);
  CHECK(f[0].hosts == std::vector<topology::NodeId>{1});
  CHECK(f[0].at == sim::milliseconds(100));
  CHECK(f[0].duration == sim::milliseconds(150));
  CHECK(f[1].kind == Fault::Kind::partition);
  CHECK(f[1].hosts == std::vector<topology::NodeId>{2, 3});  // rack1: worker2, worker3
  CHECK(f[2].factor == 3.0);
  CHECK(f[3].kind == Fault::Kind::degrade);
  CHECK(f[3].links.size() == 1);
  CHECK(f[4].links == std::vector<int>{2});  // worker2's one link
  CHECK(f[5].kind == Fault::Kind::loss);
  CHECK(f[5].probability == 0.05);
  CHECK(f[5].links == std::vector<int>{3});

  SECTION("a group names all its nodes; random crashes are drawn from the seed") {
    std::string yaml = replace(kFaults, "crash: worker1", "crash: worker");
    yaml = replace(yaml, "  - {link: [worker3, tor1], loss: 0.05}\n",
                   "  - random: {crash_rate: 5, mean_downtime: 50ms, nodes: [worker0, worker2]}\n");
    const app::Scenario r = app::load_scenario_string(yaml, "s.yaml");
    CHECK((*r.faults)[0].hosts == std::vector<topology::NodeId>{0, 1, 2, 3});
    std::map<topology::NodeId, int> crashes;
    for (std::size_t i = 5; i < r.faults->size(); ++i) {
      const Fault& c = (*r.faults)[i];
      CHECK(c.kind == Fault::Kind::crash);
      CHECK(c.at < sim::kSecond);
      CHECK(c.duration > 0);
      ++crashes[c.hosts.at(0)];
    }
    CHECK(crashes.size() == 2);  // 5 per second over 1 s each: both crash (p = 0.99 each)
    const app::Scenario again = app::load_scenario_string(yaml, "s.yaml");
    for (std::size_t i = 0; i < r.faults->size(); ++i)
      CHECK((*again.faults)[i].at == (*r.faults)[i].at);
  }
}

TEST_CASE("fault mistakes are reported at their key") {
  auto with = [](const std::string& fault) {
    return error_of(
        replace(kFaults, "  - {at: 100ms, crash: worker1, for: 150ms}\n", fault + "\n"));
  };
  CHECK(with("  - {at: 100ms, crash: wroker1}") ==
        "s.yaml:14:24: faults[0].crash: no node, group or rack named 'wroker1' (did you mean "
        "'worker1'?)");
  CHECK(with("  - {at: 100ms, crash: worker1, fro: 1s}") ==
        "s.yaml:14:33: faults[0].fro: unknown key 'fro' (did you mean 'for'?)");
  CHECK(with("  - {at: 100ms, link_down: [worker0, worker1]}") ==
        "s.yaml:14:28: faults[0].link_down: no link joins 'worker0' and 'worker1'");
  CHECK(with("  - {at: 1s, degrade: [tor0, spine], factor: 2}") ==
        "s.yaml:14:46: faults[0].factor: a degrade factor (of the bandwidth) must be in (0, 1]");
  CHECK(with("  - {at: 1s, straggle: worker0, factor: 0.5}") ==
        "s.yaml:14:41: faults[0].factor: a straggle factor (of the compute time) must be >= 1");
  CHECK(with("  - {at: -1s, crash: worker1}") ==
        "s.yaml:14:10: faults[0].at: '-1s' must not be negative");
  CHECK(with("  - {at: 1s, crash: worker1, partition: rack0}")
            .find("faults[0]: a fault needs exactly one of") != std::string::npos);
  CHECK(with("  - {link: worker0, loss: 1.5}") ==
        "s.yaml:14:27: faults[0].loss: must be between 0 and 1, got 1.5");
  CHECK(with("  - {at: 1s, partition: [server, worker]}") ==
        "s.yaml:14:25: faults[0].partition: a partition must leave some node outside it");
  CHECK(with("  - {at: 1s, crash: rack9}").find("no node, group or rack named 'rack9'") !=
        std::string::npos);
  CHECK(error_of(replace(kFaults, "stop: {sim_time: 1s}", "stop: {steps: 10}") + "") ==
        "(no error)");
  CHECK(error_of(replace(replace(kFaults, "stop: {sim_time: 1s}", "stop: {steps: 10}"),
                         "  - {link: [worker3, tor1], loss: 0.05}",
                         "  - random: {crash_rate: 1, mean_downtime: 1s}")) ==
        "s.yaml:19:13: faults[5].random: random faults need an end: give 'until' or stop.sim_time");
}

TEST_CASE("a fault target list made of YAML aliases is an error at its key and never a crash") {
  auto with = [](const std::string& fault) {
    return error_of(
        replace(kFaults, "  - {at: 100ms, crash: worker1, for: 150ms}\n", fault + "\n"));
  };
  SECTION("a crash list that contains itself") {
    CHECK(with("  - {at: 100ms, crash: &c [worker0, *c]}") ==
          "s.yaml:14:24: faults[0].crash[1]: this list contains itself (through a YAML alias): "
          "list node names instead");
  }
  SECTION("a partition list that contains itself one level down") {
    CHECK(with("  - {at: 1s, partition: &p [worker0, [worker1, *p]]}") ==
          "s.yaml:14:25: faults[0].partition[1][1]: this list contains itself (through a YAML "
          "alias): list node names instead");
  }
  SECTION("nested aliases that would expand to 9^12 names (billion laughs)") {
    std::string lists = "[&a0 [worker0]";
    for (int level = 1; level <= 12; ++level) {
      const std::string previous = "*a" + std::to_string(level - 1);
      lists += ", &a" + std::to_string(level) + " [" + previous;
      for (int copy = 1; copy < 9; ++copy) lists += ", " + previous;
      lists += "]";
    }
    lists += "]";
    CHECK(with("  - {at: 1s, crash: " + lists + "}")
              .find("faults[0].crash[1][0]: this list is given twice in one target (through a "
                    "YAML alias): give it once") != std::string::npos);
  }
  SECTION("an aliased list shared by two faults is still fine") {
    CHECK(with("  - {at: 1s, crash: &both [worker0, worker1], for: 1ms}\n"
               "  - {at: 2s, straggle: *both, factor: 2, for: 1ms}") == "(no error)");
  }
}

TEST_CASE("a random crash rate so small that no crash fits in the run loads with none") {
  const app::Scenario s =
      app::load_scenario_string(replace(kFaults, "  - {link: [worker3, tor1], loss: 0.05}",
                                        "  - random: {crash_rate: 1e-300, mean_downtime: 1s}"),
                                "s.yaml");
  REQUIRE(s.faults);
  CHECK(s.faults->size() == 5);  // the five named faults; no random one
}

TEST_CASE("under faults every update is applied, dropped, lost or outstanding") {
  const app::Scenario s = app::load_scenario_string(kFaults, "s.yaml");
  const app::ScenarioResult result = syncsim::run(s);
  const std::string summary = app::summary_csv(result);
  const auto rows = scenario_text::keyed_rows(summary);
  REQUIRE(rows.size() == 3);
  for (const auto& row : rows) {
    INFO(row.at("algorithm"));
    const auto n = [&](const char* key) { return std::stoll(row.at(key)); };
    CHECK(n("crashes") == 1);
    scenario_text::check_accounting(row);
    CHECK(n("updates_produced") > n("updates_applied"));  // the faults cost something
  }
  CHECK(std::stoll(rows[2].at("updates_dropped_crashed")) +
            std::stoll(rows[2].at("updates_dropped_unreachable")) >
        0);

  SECTION("the same seed gives byte-identical outputs") {
    const app::ScenarioResult again = syncsim::run(s);
    CHECK(app::summary_csv(again) == summary);
    CHECK(app::metrics_csv(again) == app::metrics_csv(result));
  }
  SECTION("without faults the accounting columns are empty, not 0") {
    std::string yaml = kFaults.substr(0, kFaults.find("faults:"));
    yaml += kFaults.substr(kFaults.find("stop:"));
    const app::ScenarioResult plain = syncsim::run(app::load_scenario_string(yaml, "s.yaml"));
    const auto plain_rows = scenario_text::keyed_rows(app::summary_csv(plain));
    REQUIRE(!plain_rows.empty());
    for (const auto& row : plain_rows) {
      for (const char* column :
           {"crashes", "updates_produced", "updates_lost", "updates_outstanding", "rpc_retries"}) {
        INFO(column);
        REQUIRE(row.count(column) == 1);
        CHECK(row.at(column).empty());
      }
    }
  }
}

TEST_CASE("a server crash with checkpoints and retries: every update accounted for, same bytes") {
  // The three parameter servers with checkpoint_interval and rpc_timeout;
  // the server crashes for 100 ms at 200 ms and worker3's link is lossy.
  std::string yaml =
      replace(kFaults, R"(  - {kind: ps_sync, batch_size: 4, backup_workers: 1}
  - {kind: ps_async, batch_size: 4}
  - {kind: fedavg, clients: worker, batch_size: 20, deadline: 50ms}
)",
              R"(  - {kind: ps_sync, batch_size: 4, checkpoint_interval: 7, rpc_timeout: 20ms}
  - {kind: ps_async, batch_size: 4, checkpoint_interval: 50, rpc_timeout: 5ms}
  - {kind: ps_ssp, batch_size: 4, staleness_bound: 2, checkpoint_interval: 10, rpc_timeout: 5ms}
)");
  yaml = replace(yaml, "  - {at: 100ms, crash: worker1, for: 150ms}\n",
                 "  - {at: 100ms, crash: worker1, for: 150ms}\n"
                 "  - {at: 200ms, crash: server, for: 100ms}\n");
  const app::Scenario s = app::load_scenario_string(yaml, "s.yaml");
  const app::ScenarioResult result = syncsim::run(s);
  const std::string summary = app::summary_csv(result);
  const auto rows = scenario_text::keyed_rows(summary);
  REQUIRE(rows.size() == 3);
  for (const auto& row : rows) {
    INFO(row.at("algorithm"));
    const auto n = [&](const char* key) { return std::stoll(row.at(key)); };
    CHECK(n("crashes") == 2);
    CHECK(n("updates_dropped_rolled_back") > 0);  // no checkpoint falls exactly on the crash
    CHECK(n("rpc_retries") > 0);
    scenario_text::check_accounting(row);
  }
  const app::ScenarioResult again = syncsim::run(s);
  CHECK(app::summary_csv(again) == summary);
  CHECK(app::metrics_csv(again) == app::metrics_csv(result));
}
