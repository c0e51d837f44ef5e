// The update-accounting identity, produced = applied + dropped + lost +
// outstanding, on independent counts (docs/accounting.md): the Monitor's
// counts made where each update is made, applied and dropped, against the
// census of the copies really in flight, queued or held at the end.
//   - deleting one update in flight, unrecorded, breaks it (status, gap);
//   - every algorithm kind keeps it under seeded random loss, partitions
//     and crashes, and its drops by reason add up to updates_dropped;
//   - a collective or a gossip ring that cannot go on ends "stalled".
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "app/scenario_loader.h"
#include "run/accounting.h"
#include "run/outputs.h"
#include "run/run.h"
#include "scenario_text.h"

namespace {

// Two racks of two workers and a server in a third rack (tree), small
// synthetic data: a run of 300 ms simulated takes milliseconds.
std::string world(std::uint64_t seed) {
  return "name: t\nseed: " + std::to_string(seed) + R"yaml(
cluster:
  worker: {count: 4, flops: 5GFLOPS, straggler: "uniform(1, 1.5)"}
  server: {count: 1, flops: 10GFLOPS}
  shard: {count: 2, flops: 10GFLOPS}
topology: {kind: tree, hosts_per_rack: 2, bandwidth: 1Gbps, latency: 10us, uplink_latency: 20us}
data: {dataset: synthetic, samples: 400, features: 4, classes: 3}
model: {layers: [4, 8, 3]}
)yaml";
}

const std::string kEveryKind = R"yaml(algorithms:
  - {kind: ps_sync, batch_size: 4, workers: worker, server: server, backup_workers: 1}
  - {kind: ps_sync, label: ps_sync_retry, batch_size: 4, workers: worker, server: server, checkpoint_interval: 5, rpc_timeout: 20ms}
  - {kind: ps_async, batch_size: 4, workers: worker, server: server}
  - {kind: ps_ssp, batch_size: 4, workers: worker, server: server, staleness_bound: 2, rpc_timeout: 20ms}
  - {kind: ps_async, label: ps_sharded, batch_size: 4, workers: worker, servers: shard, rpc_timeout: 20ms}
  - {kind: allreduce_ring, batch_size: 4, workers: worker}
  - {kind: allreduce_tree, batch_size: 4, workers: worker}
  - {kind: allreduce_hierarchical, batch_size: 4, workers: worker}
  - {kind: allreduce_ring, label: ring_elastic, batch_size: 4, workers: worker, elastic: {timeout: 20ms, coordinator: server}}
  - {kind: local_sgd, batch_size: 4, workers: worker, local_steps: 2, elastic: {timeout: 20ms, coordinator: server}}
  - {kind: gossip, batch_size: 4, workers: worker, timeout: 5ms}
  - {kind: gossip, label: gossip_plain, batch_size: 4, workers: worker}
  - {kind: fedavg, clients: worker, server: server, batch_size: 20, deadline: 30ms}
  - {kind: fedavg, label: fedavg_no_deadline, clients: worker, server: server, batch_size: 20}
)yaml";

// A seeded fault timeline: random crashes (the loader's Poisson process), a
// partition and a lossy link whose place and time the seed picks.
std::string faults(std::uint64_t seed) {
  std::uint64_t x = seed * 6364136223846793005ULL + 1442695040888963407ULL;
  auto next = [&](std::uint64_t n) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return (x >> 33) % n;
  };
  const std::string racks[] = {"rack0", "rack1", "worker0", "worker3"};
  const std::string lossy[] = {"worker0", "worker1", "worker2", "worker3"};
  // One draw per statement: the operands of one expression are evaluated in
  // an order the compiler picks, and every compiler must build the same test.
  const std::uint64_t at = 50 + next(150);
  const std::string& partitioned = racks[next(4)];
  const std::uint64_t lasting = 10 + next(60);
  const std::string& lossy_link = lossy[next(4)];
  const std::uint64_t loss_percent = 2 + next(7);
  return "faults:\n"
         "  - random: {crash_rate: 4, mean_downtime: 40ms, nodes: worker, until: 250ms}\n"
         "  - {at: " +
         std::to_string(at) + "ms, partition: " + partitioned + ", for: " + std::to_string(lasting) +
         "ms}\n"
         "  - {link: " +
         lossy_link + ", loss: 0.0" + std::to_string(loss_percent) +
         "}\n"
         "stop: {sim_time: 300ms}\n";
}

syncsim::ScenarioResult run_text(const std::string& yaml, const syncsim::RunOptions& options = {}) {
  return syncsim::run(app::load_scenario_string(yaml, "s.yaml"), options);
}

}  // namespace

TEST_CASE("an update deleted in flight without a record breaks the accounting identity") {
  const std::string yaml =
      world(1) +
      "algorithm: {kind: ps_async, batch_size: 4, workers: worker, server: server}\n"
      "faults:\n  - {link: worker3, loss: 0.05}\nstop: {sim_time: 100ms}\n";
  SECTION("untouched, it holds") {
    const syncsim::ScenarioResult r = run_text(yaml);
    REQUIRE(syncsim::accounting_gap(r.runs[0]).has_value());
    CHECK(*syncsim::accounting_gap(r.runs[0]) == 0);
    CHECK(r.runs[0].totals.status == "ok");
    CHECK_FALSE(syncsim::accounting_broken(r.runs[0]));
  }
  SECTION("one push vanishes: the gap is one update and the status says so") {
    syncsim::RunOptions options;
    options.test_faults.vanish_update = true;
    const syncsim::ScenarioResult r = run_text(yaml, options);
    REQUIRE(syncsim::accounting_gap(r.runs[0]).has_value());
    CHECK(*syncsim::accounting_gap(r.runs[0]) == 1);
    CHECK(syncsim::accounting_broken(r.runs[0]));
    CHECK(r.runs[0].totals.status.rfind("accounting broken: produced ", 0) == 0);
    const auto rows = scenario_text::keyed_rows(app::summary_csv(r));
    CHECK(rows[0].at("status") == r.runs[0].totals.status);
  }
}

TEST_CASE("every algorithm keeps the accounting identity under seeded loss, partitions and crashes",
          "[accounting]") {
  const std::uint64_t seed = GENERATE(1, 2, 3, 4, 5);
  const std::string yaml = world(seed) + kEveryKind + faults(seed);
  INFO(yaml);
  const syncsim::ScenarioResult r = run_text(yaml);
  const auto rows = scenario_text::keyed_rows(app::summary_csv(r));
  REQUIRE(rows.size() == r.runs.size());
  std::int64_t crashes = 0, lost = 0, dropped = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    INFO(row.at("algorithm") << ": " << row.at("status"));
    // The drops by reason add up, for every algorithm.
    std::int64_t by_reason = 0;
    for (const std::string& reason : syncsim::drop_reasons()) {
      by_reason += std::stoll(row.at("updates_dropped_" + reason));
    }
    CHECK(by_reason == std::stoll(row.at("updates_dropped")));
    CHECK(row.at("status").find("accounting") == std::string::npos);
    crashes += std::stoll(row.at("crashes"));
    if (row.at("algorithm") == "gossip_plain") {
      CHECK(row.at("updates_outstanding").empty());  // gossip without a timeout does not count
      continue;
    }
    REQUIRE_FALSE(row.at("updates_outstanding").empty());
    scenario_text::check_accounting(row);
    REQUIRE(syncsim::accounting_gap(r.runs[i]) == std::optional<std::int64_t>(0));
    lost += std::stoll(row.at("updates_lost"));
    dropped += by_reason;
  }
  // The faults really hit: something was lost or dropped, and a node crashed.
  CHECK(crashes > 0);
  CHECK(lost + dropped > 0);
}

TEST_CASE("a collective or a gossip ring that can no longer go on ends with status stalled") {
  const std::string crash = "faults:\n  - {at: 20ms, crash: worker2}\nstop: {sim_time: 200ms}\n";
  SECTION("a non-elastic all-reduce after a crash") {
    const syncsim::ScenarioResult r = run_text(
        world(3) + "algorithm: {kind: allreduce_ring, batch_size: 4, workers: worker}\n" + crash);
    CHECK(r.runs[0].totals.status.rfind("stalled: ", 0) == 0);
    CHECK(r.runs[0].totals.status.find("worker2") != std::string::npos);
    CHECK(*syncsim::accounting_gap(r.runs[0]) == 0);
    CHECK(*r.runs[0].updates_outstanding > 0);  // the stuck round's contributions
  }
  SECTION("gossip without a timeout after a crash") {
    const syncsim::ScenarioResult r =
        run_text(world(3) + "algorithm: {kind: gossip, batch_size: 4, workers: worker}\n" + crash);
    CHECK(r.runs[0].totals.status.rfind("stalled: ", 0) == 0);
  }
  SECTION("the same algorithms without the crash, or elastic, end ok") {
    const std::string none =
        "faults:\n  - {at: 20ms, straggle: worker2, factor: 2, for: 5ms}\n"
        "stop: {sim_time: 100ms}\n";
    for (const std::string& algorithm :
         {std::string("{kind: allreduce_ring, batch_size: 4, workers: worker}"),
          std::string("{kind: gossip, batch_size: 4, workers: worker}")}) {
      const syncsim::ScenarioResult r =
          run_text(world(3) + "algorithm: " + algorithm + "\n" + none);
      CHECK(r.runs[0].totals.status == "ok");
    }
    const syncsim::ScenarioResult elastic =
        run_text(world(3) +
                 "algorithm: {kind: allreduce_ring, batch_size: 4, workers: worker, "
                 "elastic: {timeout: 20ms, coordinator: server}}\n" +
                 crash);
    CHECK(elastic.runs[0].totals.status == "ok");
  }
}
