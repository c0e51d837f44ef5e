// Algorithms under faults: timing oracles computed by hand from a
// fault-free run, the reactions of ps_sync / ps_async / fedavg, and the
// accounting identity: every update produced is applied, dropped, lost, or
// still in transit when the run ends.
#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "algorithms/services/fault_injector.h"
#include "algorithms/sync/fedavg.h"
#include "algorithms/sync/ps_async.h"
#include "algorithms/sync/ps_sync.h"
#include "fault_world.h"

using algo::Fault;
using namespace fault_world;

TEST_CASE("a single worker that crashes and recovers resumes a join and one step later",
          "[faults][ps]") {
  // One server, one slow worker (compute dominates the step). Without faults
  // version v is published at v * T. The worker crashes during the compute of
  // step 4 (or with its gradient on the wire) and comes back at t_r: it sends
  // a 64-byte join (2 latencies + 64 B / bandwidth), the server answers at
  // once, so version 4 is at t_r + join + T, and each later one T after.
  const algo::StopCondition stop{0, 0.0, 8, 0.0};
  FaultWorld baseline(ps_hosts(1, 2e7), stop);
  baseline.start(std::make_unique<algo::PsAsync>(ps_config(1)), {});
  baseline.run();
  const sim::Time period = baseline.time_of(1);
  for (int v = 1; v <= 8; ++v) CHECK(baseline.time_of(v) == v * period);
  const sim::Time params_time = 2 * kLatency + sim::from_seconds(404 * 4 / kBandwidth);
  const sim::Time join =
      2 * kLatency + sim::from_seconds(algo::ParameterServer::kJoinBytes / kBandwidth);

  const bool on_the_wire = GENERATE(false, true);
  // Compute ends at 3T + params_time + compute; the gradient is on the wire
  // for the next 2 latencies + its bytes.
  const sim::Time compute = period - 2 * params_time - 1;  // at least this long
  const sim::Time crash_at =
      on_the_wire ? 4 * period - params_time : 3 * period + params_time + compute / 2;
  const sim::Time recover_at = 6 * period + 123;
  FaultWorld world(ps_hosts(1, 2e7), stop);
  auto& ps = world.start(std::make_unique<algo::PsAsync>(ps_config(1)),
                         {crash(1, crash_at, recover_at - crash_at)});
  world.run();
  for (int v = 1; v <= 3; ++v) CHECK(world.time_of(v) == v * period);
  for (int v = 4; v <= 8; ++v) CHECK(world.time_of(v) == recover_at + join + (v - 3) * period);
  const algo::RunTotals& t = world.monitor->totals();
  CHECK(t.updates_applied == 8);
  CHECK(t.updates_lost == (on_the_wire ? 1 : 0));
  CHECK(t.updates_produced == (on_the_wire ? 9 : 8));
  CHECK(t.updates_produced ==
        t.updates_applied + dropped_total(t) + t.updates_lost + ps.gradients_outstanding());
}

TEST_CASE("ps_sync goes on without a dead worker only with backup workers", "[faults][ps]") {
  const algo::StopCondition stop{0, 0.0, 20, 0.0};
  SECTION("b = 1: all 20 steps, every update accounted for") {
    FaultWorld world(ps_hosts(4, 5e9), stop);
    algo::PsSyncConfig config;
    static_cast<algo::PsConfig&>(config) = ps_config(4);
    config.backup_workers = 1;
    auto& ps = world.start(std::make_unique<algo::PsSync>(config), {crash(4, 1'000'000, 0)});
    world.run();
    const algo::RunTotals& t = world.monitor->totals();
    CHECK(t.steps == 20);
    CHECK(t.updates_applied == 3 * 20);
    CHECK(t.updates_produced ==
          t.updates_applied + dropped_total(t) + t.updates_lost + ps.gradients_outstanding());
  }
  SECTION("b = 0: the step the worker never answers stalls the run; recovery unblocks it") {
    const bool recovers = GENERATE(false, true);
    FaultWorld world(ps_hosts(4, 5e9), stop);
    algo::PsSyncConfig config;
    static_cast<algo::PsConfig&>(config) = ps_config(4);
    auto& ps = world.start(std::make_unique<algo::PsSync>(config),
                           {crash(4, 200'000, recovers ? 50'000'000 : 0)});
    world.run();
    const algo::RunTotals& t = world.monitor->totals();
    if (recovers) {
      CHECK(t.steps == 20);
      CHECK(world.time_of(20) > 50'200'000);
    } else {
      CHECK(t.steps < 20);
      CHECK(world.time_of(t.steps) < 200'000);
    }
    CHECK(t.updates_applied == 4 * t.steps);
    CHECK(t.updates_produced ==
          t.updates_applied + dropped_total(t) + t.updates_lost + ps.gradients_outstanding());
  }
}

TEST_CASE("ps_async goes on through crashes, partitions and lossy links, counting every update",
          "[faults][ps]") {
  FaultWorld world(ps_hosts(3, 5e9), {0, 0.0, 200, 0.0});
  Fault partition;
  partition.kind = Fault::Kind::partition;
  partition.hosts = {2};
  partition.at = 2'000'000;
  partition.duration = 3'000'000;
  Fault loss;
  loss.kind = Fault::Kind::loss;
  loss.links = {3};  // worker2's link
  loss.probability = 0.2;
  Fault slow;
  slow.kind = Fault::Kind::straggle;
  slow.hosts = {1};
  slow.factor = 4.0;
  slow.at = 0;
  slow.duration = 4'000'000;
  auto& ps = world.start(std::make_unique<algo::PsAsync>(ps_config(3)),
                         {crash(1, 1'000'000, 2'000'000), partition, loss, slow});
  world.run();
  const algo::RunTotals& t = world.monitor->totals();
  CHECK(t.steps == 200);
  CHECK(t.updates_lost > 0);
  CHECK(t.updates_produced ==
        t.updates_applied + dropped_total(t) + t.updates_lost + ps.gradients_outstanding());
  // A lost reply or join leaves worker2 waiting for good: it rejoins only
  // after a crash. The run still finishes on the other workers.
}

TEST_CASE("fedavg treats crashed and partitioned clients as dropouts", "[faults][fedavg]") {
  std::vector<StarWorld::Host> hosts{{"server", 100e9}};
  for (int i = 0; i < 4; ++i) hosts.push_back({"client" + std::to_string(i), 5e9});
  FaultWorld world(hosts, {0, 0.0, 12, 0.0});
  algo::FedAvgConfig config;
  config.server = 0;
  config.clients = {1, 2, 3, 4};
  config.batch_size = 16;
  config.deadline = sim::milliseconds(5);
  config.record_rounds = true;
  // Round length without faults, to place the faults.
  Fault partition;
  partition.kind = Fault::Kind::partition;
  partition.hosts = {2};
  partition.at = sim::milliseconds(8);
  partition.duration = sim::milliseconds(12);
  Fault loss;
  loss.kind = Fault::Kind::loss;
  loss.links = {4};  // client3's link
  loss.probability = 0.3;
  auto& fed = world.start(std::make_unique<algo::FedAvg>(config),
                          {crash(1, 40'000, sim::milliseconds(15)), partition, loss});
  world.run();
  const algo::RunTotals& t = world.monitor->totals();
  CHECK(t.steps == 12);
  CHECK(t.dropped_by_reason.count("crashed") == 1);
  CHECK(t.dropped_by_reason.count("unreachable") == 1);
  CHECK(t.updates_lost + t.dropped_by_reason.at("unreachable") > 1);  // the lossy link bit
  // Rounds end cleanly: nothing is in transit.
  CHECK(t.updates_produced == t.updates_applied + dropped_total(t) + t.updates_lost);
  CHECK(fed.stats().sampled == t.updates_produced);
  CHECK(fed.stats().failed + fed.stats().late + fed.stats().offline + fed.stats().accepted ==
        fed.stats().sampled);
  // A round takes about 84 us without faults. client0 crashes at 40 us, in
  // mid-training of round 0: a dropout of that round (not a late one), and
  // of every round that starts before its reboot at 15.04 ms; it is
  // accepted again afterwards.
  const auto has = [](const std::vector<int>& list, int c) {
    return std::find(list.begin(), list.end(), c) != list.end();
  };
  REQUIRE(fed.rounds().front().end > 40'000);
  CHECK(has(fed.rounds().front().failed, 0));
  CHECK_FALSE(has(fed.rounds().front().late, 0));
  bool accepted_after = false;
  for (const algo::FedAvgRound& r : fed.rounds()) {
    if (r.start < 40'000 + sim::milliseconds(15)) {
      CHECK(has(r.failed, 0));
      CHECK_FALSE(has(r.accepted, 0));
    } else {
      accepted_after = accepted_after || has(r.accepted, 0);
    }
  }
  CHECK(accepted_after);
}

TEST_CASE("the same faults and seed give the same run", "[faults]") {
  auto run = [] {
    auto world =
        std::make_unique<FaultWorld>(ps_hosts(3, 5e9), algo::StopCondition{0, 0.0, 60, 0.0});
    Fault loss;
    loss.kind = Fault::Kind::loss;
    loss.links = {1, 2, 3};
    loss.probability = 0.1;
    world->start(std::make_unique<algo::PsAsync>(ps_config(3)), {crash(2, 500'000, 700'000), loss});
    world->run();
    return world;
  };
  const auto a = run();
  const auto b = run();
  CHECK(a->algorithm->global_parameters() == b->algorithm->global_parameters());
  REQUIRE(a->monitor->rows().size() == b->monitor->rows().size());
  for (std::size_t i = 0; i < a->monitor->rows().size(); ++i) {
    CHECK(a->monitor->rows()[i].time == b->monitor->rows()[i].time);
  }
  CHECK(a->monitor->totals().updates_lost == b->monitor->totals().updates_lost);
}

TEST_CASE("a loss episode ends: the link carries messages again after it", "[faults]") {
  // Worker 0's link loses everything for 2 ms. Its worker resends an
  // unanswered push every 500 us, so after the episode it gets through again;
  // the same loss for good leaves it cut off for the rest of the run.
  auto run = [](sim::Time duration) {
    auto world =
        std::make_unique<FaultWorld>(ps_hosts(2, 5e9), algo::StopCondition{0, 0.0, 200, 0.0});
    Fault loss;
    loss.kind = Fault::Kind::loss;
    loss.links = {1};  // worker0's link
    loss.probability = 1.0;
    loss.at = 100'000;
    loss.duration = duration;
    algo::PsConfig config = ps_config(2);
    config.rpc_timeout = 500'000;
    auto& ps = world->start(std::make_unique<algo::PsAsync>(config), {loss});
    world->run();
    const auto& log = ps.applied_log();
    const auto applied = std::count(log.begin(), log.end(), 0);
    return applied;
  };
  const auto episode_applied = run(2'000'000);
  const auto forever_applied = run(0);
  INFO("worker 0 applied " << episode_applied << " with an episode, " << forever_applied
                           << " with the loss for good");
  CHECK(forever_applied < 5);  // only what got through before the loss
  CHECK(episode_applied > forever_applied + 10);
}
