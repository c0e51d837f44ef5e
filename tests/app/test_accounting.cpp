// The update-accounting identity, produced = applied + dropped + lost +
// outstanding, on independent counts (docs/accounting.md): the Monitor's
// counts made where each update is made, applied and dropped, against the
// census of the copies really in flight, queued or held at the end.
//   - deleting one update in flight, unrecorded, breaks it (status, gap),
//     for every algorithm kind that counts and every collective;
//   - every algorithm kind keeps it under seeded random loss, partitions
//     and crashes, and its drops by reason add up to updates_dropped;
//   - a collective or a gossip ring that cannot go on ends "stalled".
#include <catch2/catch.hpp>
#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "app/algorithm_registry.h"
#include "app/scenario_loader.h"
#include "run/accounting.h"
#include "run/fl_outputs.h"
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
  - {kind: ps_sync, label: ps_sync_retry, batch_size: 4, workers: worker, server: server,
     checkpoint_interval: 5, rpc_timeout: 20ms}
  - {kind: ps_async, batch_size: 4, workers: worker, server: server}
  - {kind: ps_ssp, batch_size: 4, workers: worker, server: server, staleness_bound: 2,
     rpc_timeout: 20ms}
  - {kind: ps_async, label: ps_sharded, batch_size: 4, workers: worker, servers: shard,
     rpc_timeout: 20ms}
  - {kind: allreduce_ring, batch_size: 4, workers: worker}
  - {kind: allreduce_tree, batch_size: 4, workers: worker}
  - {kind: allreduce_hierarchical, batch_size: 4, workers: worker}
  - {kind: allreduce_ring, label: ring_elastic, batch_size: 4, workers: worker,
     elastic: {timeout: 20ms, coordinator: server}}
  - {kind: local_sgd, batch_size: 4, workers: worker, local_steps: 2, elastic: {timeout: 20ms,
     coordinator: server}}
  - {kind: gossip, batch_size: 4, workers: worker, timeout: 5ms}
  - {kind: gossip, label: gossip_plain, batch_size: 4, workers: worker}
  - {kind: fedavg, clients: worker, server: server, batch_size: 20, deadline: 30ms}
  - {kind: fedavg, label: fedavg_no_deadline, clients: worker, server: server, batch_size: 20}
  - {kind: hierfl, clients: worker, edges: shard, server: server, batch_size: 20}
  - {kind: hierfl, label: hierfl_deadlines, clients: worker, edges: shard, server: server,
     batch_size: 20, deadline: 5ms, cloud_deadline: 20ms, clients_per_round: 3}
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
         std::to_string(at) + "ms, partition: " + partitioned +
         ", for: " + std::to_string(lasting) +
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
  SECTION("gossip without a timeout after a crash, its books still balanced") {
    // At 20 ms worker2 is computing and holds nothing; 50 us later it holds
    // replicas it has not mixed yet.
    const std::string at = GENERATE(std::string("20ms"), std::string("20050us"));
    const syncsim::ScenarioResult r =
        run_text(world(3) + "algorithm: {kind: gossip, batch_size: 4, workers: worker}\n" +
                 scenario_text::replace(crash, "20ms", at));
    INFO("crash at " << at);
    const algo::RunTotals& t = r.runs[0].totals;
    CHECK(t.status == "stalled: every gossip worker waits for worker2 (crashed)");
    REQUIRE(syncsim::accounting_gap(r.runs[0]).has_value());
    CHECK(*syncsim::accounting_gap(r.runs[0]) == 0);
    // Its neighbours' replicas for the rounds that never mix wait in their
    // inboxes or with them: outstanding. Those sent to worker2 once it was
    // down are lost; what it held when it crashed is dropped as crashed.
    CHECK(*r.runs[0].updates_outstanding > 0);
    CHECK(t.updates_lost > 0);
    const auto crashed = t.dropped_by_reason.find("crashed");
    const std::int64_t dropped_crashed = crashed == t.dropped_by_reason.end() ? 0 : crashed->second;
    CHECK((dropped_crashed > 0) == (at == "20050us"));
    CHECK(t.updates_dropped == dropped_crashed);
    CHECK(t.updates_produced ==
          t.updates_applied + t.updates_dropped + t.updates_lost + *r.runs[0].updates_outstanding);
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

namespace {

// One algorithm of every kind in the registry, and every collective an
// all-reduce can run (each kind of message that carries an update). No RPC
// retries: a retried push is resent and applied, so losing one copy of it
// loses no update.
const std::vector<std::string> kVanishCases = {
    "{kind: ps_sync, batch_size: 4, workers: worker, server: server}",
    "{kind: ps_async, batch_size: 4, workers: worker, server: server}",
    "{kind: ps_ssp, batch_size: 4, workers: worker, server: server, staleness_bound: 2}",
    "{kind: ps_async, label: ps_sharded, batch_size: 4, workers: worker, servers: shard}",
    "{kind: allreduce_ring, batch_size: 4, workers: worker}",
    "{kind: allreduce_ring, label: ring_segments, batch_size: 4, workers: worker, segments: 3, "
    "protocol: rendezvous}",
    "{kind: allreduce_ring, label: ring_topk, batch_size: 4, workers: worker, compressor: {kind: "
    "topk, fraction: 0.5}}",
    "{kind: allreduce_tree, batch_size: 4, workers: worker}",
    "{kind: allreduce_tree, label: farthest_first, batch_size: 4, workers: worker, order: "
    "farthest_first}",
    "{kind: allreduce_tree, label: binomial, batch_size: 4, workers: worker, variant: "
    "binomial_tree}",
    "{kind: allreduce_tree, label: binary, batch_size: 4, workers: worker, variant: binary_tree}",
    "{kind: allreduce_tree, label: chain, batch_size: 4, workers: worker, variant: "
    "pipelined_chain, segments: 2}",
    "{kind: allreduce_hierarchical, batch_size: 4, workers: worker}",
    "{kind: allreduce_hierarchical, label: rack_flat, batch_size: 4, workers: worker, intra_rack: "
    "flat}",
    "{kind: allreduce_hierarchical, label: rack_ring, batch_size: 4, workers: worker, intra_rack: "
    "ring}",
    "{kind: allreduce_ring, label: ring_elastic, batch_size: 4, workers: worker, elastic: "
    "{timeout: 20ms, coordinator: server}}",
    "{kind: allreduce_tree, label: tree_elastic, batch_size: 4, workers: worker, elastic: "
    "{timeout: 20ms, coordinator: server}}",
    "{kind: local_sgd, batch_size: 4, workers: worker, local_steps: 2}",
    "{kind: local_sgd, label: local_sgd_elastic, batch_size: 4, workers: worker, local_steps: 2, "
    "collective: hierarchical, elastic: {timeout: 20ms, coordinator: server}}",
    "{kind: gossip, batch_size: 4, workers: worker, timeout: 5ms}",
    "{kind: gossip, label: gossip_plain, batch_size: 4, workers: worker}",
    "{kind: fedavg, clients: worker, server: server, batch_size: 20, deadline: 30ms}",
    "{kind: fedavg, label: fedavg_no_deadline, clients: worker, server: server, batch_size: 20}",
    "{kind: fedprox, clients: worker, server: server, batch_size: 20}",
    "{kind: scaffold, clients: worker, server: server, batch_size: 20}",
    "{kind: fedbuff, clients: worker, server: server, batch_size: 20, concurrency: 2, buffer_size: "
    "2}",
    "{kind: fedasync, clients: worker, server: server, batch_size: 20, concurrency: 2}",
    "{kind: hierfl, clients: worker, edges: shard, server: server, batch_size: 20}",
    "{kind: hierfl, label: hierfl_deadlines, clients: worker, edges: shard, server: server, "
    "batch_size: 20, deadline: 5ms, cloud_deadline: 20ms}",
};

// The kinds that do not count their updates (docs/accounting.md): none.
const std::vector<std::string> kNotCounting = {};

std::string kind_of(const std::string& algorithm) {
  const std::string prefix = "{kind: ";
  return algorithm.substr(prefix.size(), algorithm.find(',') - prefix.size());
}

}  // namespace

TEST_CASE("the vanished-update cases cover every algorithm kind in the registry") {
  for (const app::AlgorithmEntry& entry : app::algorithm_registry()) {
    INFO(entry.kind);
    CHECK(std::any_of(kVanishCases.begin(), kVanishCases.end(),
                      [&](const std::string& c) { return kind_of(c) == entry.kind; }));
  }
}

TEST_CASE("one update vanished in flight breaks the identity, whatever the algorithm",
          "[accounting]") {
  const std::string algorithm = GENERATE(from_range(kVanishCases));
  const std::string yaml = world(1) + "algorithm: " + algorithm + "\nstop: {sim_time: 100ms}\n";
  INFO(algorithm);
  const syncsim::ScenarioResult clean = run_text(yaml);
  INFO("untouched: " << clean.runs[0].totals.status);
  const bool counts =
      std::find(kNotCounting.begin(), kNotCounting.end(), kind_of(algorithm)) == kNotCounting.end();
  REQUIRE(syncsim::accounting_gap(clean.runs[0]).has_value() == counts);
  if (!counts) return;
  CHECK(*syncsim::accounting_gap(clean.runs[0]) == 0);
  CHECK(clean.runs[0].totals.updates_produced > 0);

  syncsim::RunOptions options;
  options.test_faults.vanish_update = true;
  const syncsim::ScenarioResult r = run_text(yaml, options);
  INFO("one vanished: " << r.runs[0].totals.status);
  REQUIRE(syncsim::accounting_gap(r.runs[0]).has_value());
  CHECK(*syncsim::accounting_gap(r.runs[0]) == 1);
  CHECK(syncsim::accounting_broken(r.runs[0]));
  CHECK(r.runs[0].totals.status.find("accounting broken: produced ") != std::string::npos);
}

TEST_CASE("hierfl after a crash without recovery ends stalled, saying who waits for whom",
          "[accounting]") {
  // Clients worker0, worker1 belong to edge shard0; worker2, worker3 to shard1.
  const std::string algorithm =
      "algorithm: {kind: hierfl, clients: worker, edges: shard, server: server, batch_size: 20}\n";
  SECTION("an edge aggregator crashes: the cloud waits for it, its books balanced") {
    // A cloud round takes about 140 us here. Near 20.158 ms shard0's two
    // clients upload: crashed before either upload arrives, both are lost;
    // between the two arrivals, one is dropped (held) and one lost; while
    // it averages them, both are dropped as crashed. Either way the round's
    // two uploads are never applied.
    const auto [at_ns, dropped] =
        GENERATE(table<int, int>({{20158100, 0}, {20158300, 1}, {20158540, 2}}));
    const syncsim::ScenarioResult r =
        run_text(world(3) + algorithm + "faults:\n  - {at: " + std::to_string(at_ns) +
                 "ns, crash: shard0}\nstop: {sim_time: 200ms}\n");
    const algo::RunTotals& t = r.runs[0].totals;
    INFO("crash at " << at_ns << " ns: produced " << t.updates_produced << " applied "
                     << t.updates_applied << " dropped " << t.updates_dropped << " lost "
                     << t.updates_lost << " outstanding " << *r.runs[0].updates_outstanding);
    CHECK(t.status == "stalled: the cloud waits for shard0 (crashed)");
    REQUIRE(syncsim::accounting_gap(r.runs[0]).has_value());
    CHECK(*syncsim::accounting_gap(r.runs[0]) == 0);
    CHECK(t.updates_dropped == dropped);
    if (dropped > 0) CHECK(t.dropped_by_reason.at("crashed") == dropped);
    CHECK(t.updates_lost == 2 - dropped);
    CHECK(t.updates_produced == t.updates_applied + 2);
  }
  SECTION("a client crashes: its edge waits for it") {
    const syncsim::ScenarioResult r =
        run_text(world(3) + algorithm +
                 "faults:\n  - {at: 20ms, crash: worker2}\nstop: {sim_time: 200ms}\n");
    const algo::RunTotals& t = r.runs[0].totals;
    CHECK(t.status == "stalled: edge shard1 waits for worker2 (crashed)");
    REQUIRE(syncsim::accounting_gap(r.runs[0]).has_value());
    CHECK(*syncsim::accounting_gap(r.runs[0]) == 0);
    // worker3's upload of the round that never closes waits at shard1.
    CHECK(*r.runs[0].updates_outstanding > 0);
  }
  SECTION("without the crash it ends ok, every upload applied or outstanding") {
    const syncsim::ScenarioResult r = run_text(world(3) + algorithm + "stop: {sim_time: 200ms}\n");
    const algo::RunTotals& t = r.runs[0].totals;
    CHECK(t.status == "ok");
    CHECK(t.updates_dropped + t.updates_lost == 0);
    CHECK(t.updates_produced == t.updates_applied + *r.runs[0].updates_outstanding);
  }
}

TEST_CASE("hierfl with deadlines goes on past what stalls it without them", "[accounting]") {
  // Clients worker0, worker1 belong to edge shard0; worker2, worker3 to shard1.
  const std::string algorithm =
      "algorithm: {kind: hierfl, clients: worker, edges: shard, server: server, batch_size: 20, "
      "deadline: 10ms, cloud_deadline: 30ms}\n";
  SECTION("a client down all along: each of its edge rounds closes at the deadline") {
    const syncsim::ScenarioResult r =
        run_text(world(3) + algorithm +
                 "faults:\n  - {at: 0ms, crash: worker2}\nstop: {steps: 4, sim_time: 1s}\n");
    const algo::RunTotals& t = r.runs[0].totals;
    CHECK(t.status == "ok");
    CHECK(t.steps == 4);
    REQUIRE(syncsim::accounting_gap(r.runs[0]).has_value());
    CHECK(*syncsim::accounting_gap(r.runs[0]) == 0);
    CHECK(t.updates_dropped == 0);  // worker2 never made an update
    const auto rows = scenario_text::keyed_rows(syncsim::rounds_csv(r));
    REQUIRE(rows.size() == 4);
    std::int64_t reported = 0;
    for (const auto& row : rows) {
      INFO("round " << row.at("round"));
      // 2 edge rounds x 4 clients asked; worker2 misses both of its.
      CHECK(row.at("selected") == "8");
      CHECK(row.at("reported") == "6");
      CHECK(row.at("dropped_crashed") == "2");
      // shard1's two edge rounds each last the deadline; the rest (model
      // transfers, averaging) takes well under a millisecond here.
      const double duration = std::stod(row.at("duration_s"));
      CHECK(duration > 0.020);
      CHECK(duration < 0.021);
      reported += std::stoll(row.at("reported"));
    }
    CHECK(reported == t.updates_applied);
  }
  SECTION("an edge crashes and reboots: the cloud closes without it, then takes it back") {
    // Near 20.158 ms shard0's two clients upload; between the two arrivals
    // it crashes (as in the stall test above): one upload dropped, one lost.
    const syncsim::ScenarioResult r =
        run_text(world(3) + algorithm +
                 "faults:\n  - {at: 20158300ns, crash: shard0, for: 40ms}\n"
                 "stop: {sim_time: 200ms}\n");
    const algo::RunTotals& t = r.runs[0].totals;
    CHECK(t.status == "ok");
    REQUIRE(syncsim::accounting_gap(r.runs[0]).has_value());
    CHECK(*syncsim::accounting_gap(r.runs[0]) == 0);
    CHECK(t.dropped_by_reason.at("crashed") == 1);
    CHECK(t.updates_lost == 1);
    const auto rows = scenario_text::keyed_rows(syncsim::rounds_csv(r));
    REQUIRE(rows.size() > 3);
    int closed_without_it = 0;
    for (const auto& row : rows) {
      if (std::stod(row.at("duration_s")) >= 0.030) ++closed_without_it;
    }
    CHECK(closed_without_it >= 1);  // the cloud deadline closed rounds while shard0 was down
    CHECK(rows.back().at("reported") == "8");  // rebooted, shard0 trains again
  }
}
