// Gossip under faults, against oracles:
//  - an exchange that times out ends exactly llround(T / (1 + drift)) of true
//    time after it started, on the waiting worker's own clock;
//  - a worker whose only neighbour is down for good runs rounds of
//    compute + T + mix (hand-computed in ns), one version per round, is
//    plain SGD on its shard (the missing weight stays with it), and its
//    contributions are counted: one lost and one applied per round;
//  - with a timeout and no faults the run is bit-identical to the plain one;
//  - a rebooted worker pulls a neighbour's replica no sooner than a 64-byte
//    request and a P x 4-byte answer allow, then the ring is in step again;
//  - produced = applied + dropped + lost + outstanding; same seed, same run.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <memory>
#include <string>

#include "algorithms/ml/batch_sampler.h"
#include "algorithms/ml/partition.h"
#include "algorithms/services/fault_injector.h"
#include "algorithms/sync/gossip.h"
#include "algorithms/runtime/training_seeds.h"
#include "fault_helpers.h"
#include "star_world.h"

using algo::Fault;
using fault_helpers::check_accounting;
using fault_helpers::crash;
using fault_helpers::dropped;
using fault_helpers::partition;

namespace {

constexpr std::uint64_t kSeed = 5;
constexpr double kBandwidth = 1.25e9;
constexpr sim::Time kLatency = 5'000;
constexpr double kFlops = 18.432e6;
constexpr int kBatch = 8;

// 20-6-4: P = 154 parameters.
ml::MlpSpec model() {
  return {{20, 6, 4}, ml::Activation::relu, ml::LossKind::softmax_cross_entropy};
}

struct GossipFaultWorld : StarWorld {
  // worker1 computes `slower` times slower than the others.
  GossipFaultWorld(int workers, algo::StopCondition stop, double slower = 1.0)
      : StarWorld(hosts(workers, slower), {kBandwidth, kLatency}, synthetic(512, 3),
                  synthetic(128, 4), model(), ml::make_sgd({0.1f, 0.9f, 0.0f, false}), stop, {1, 0},
                  kSeed),
        slowdown(static_cast<std::size_t>(topo.node_count()), 1.0) {
    for (algo::Node& node : ctx.nodes) {
      node.episode_slowdown = &slowdown[static_cast<std::size_t>(node.host)];
    }
  }
  static std::vector<Host> hosts(int workers, double slower) {
    std::vector<Host> h;
    for (int i = 0; i < workers; ++i) {
      h.push_back({"worker" + std::to_string(i), i == 1 ? kFlops / slower : kFlops});
    }
    return h;
  }
  algo::Gossip& start(int workers, sim::Time timeout, const std::vector<Fault>& faults) {
    algo::GossipConfig config;
    for (int i = 0; i < workers; ++i) config.workers.push_back(i);
    config.batch_size = kBatch;
    config.timeout = timeout;
    auto& launched = launch(std::make_unique<algo::Gossip>(config));
    injector = std::make_unique<algo::FaultInjector>(sim, *net, launched, slowdown, kSeed);
    injector->schedule(faults);
    return launched;
  }
  void run_until(sim::Time t) {
    sim.run_until(t);
    monitor->finish("time");
  }
  std::vector<double> slowdown;
  std::unique_ptr<algo::FaultInjector> injector;
  std::vector<sim::NodeClock> clocks;
};

sim::Time compute_ns(double flops) { return sim::from_seconds(flops / kFlops); }

const double kGradientFlops = ml::Mlp(model()).train_flops_per_sample() * kBatch;

}  // namespace

TEST_CASE("gossip: an exchange with a crashed neighbour times out on the waiter's own clock",
          "[gossip_faults]") {
  const sim::Time timeout = 3 * sim::kMillisecond;
  GossipFaultWorld world(3, {0, 0.0, 0, 0.0});
  // worker0's clock runs 1000 ppm fast: its timeout lasts T / 1.001 of true time.
  world.clocks.resize(static_cast<std::size_t>(world.topo.node_count()));
  world.clocks[0] = sim::NodeClock({0, 1000.0}, sim::RandomStream(1, "worker0", "clock"));
  world.ctx.clocks = &world.clocks;
  // A ring of 3 is complete: worker0 and worker1 each wait on worker2.
  auto& g = world.start(3, timeout, {crash(2, 1, 0)});
  world.run_until(40 * sim::kMillisecond);
  int seen[2] = {0, 0};
  for (const auto& t : g.timeouts()) {
    INFO("worker" << t.worker << " round " << t.round);
    REQUIRE(t.worker < 2);
    const sim::Time expected =
        t.worker == 0 ? std::llround(static_cast<double>(timeout) / 1.001) : timeout;
    CHECK(t.ended - t.started == expected);
    ++seen[t.worker];
  }
  CHECK(seen[0] >= 5);
  CHECK(seen[1] >= 5);
  CHECK(world.monitor->totals().steps >= 5);  // the survivors go on
  check_accounting(g, world.monitor->totals());
}

TEST_CASE("gossip: a worker whose only neighbour is down for good progresses at compute + T + mix",
          "[gossip_faults]") {
  const sim::Time timeout = 2 * sim::kMillisecond;
  const sim::Time period = compute_ns(kGradientFlops) + timeout + compute_ns(2.0 * 154);
  // Stop half-way through the wait of round 5: rounds 0..4 mixed, round 5 sent.
  const sim::Time horizon = 5 * period + compute_ns(kGradientFlops) + timeout / 2;
  GossipFaultWorld world(2, {0, 0.0, 0, 0.0});
  auto& g = world.start(2, timeout, {crash(1, 1, 0)});  // worker1 dies computing round 0
  world.run_until(horizon);
  REQUIRE(g.timeouts().size() == 5);
  for (std::size_t r = 0; r < 5; ++r) {
    const auto& t = g.timeouts()[r];
    CHECK(t.worker == 0);
    CHECK(t.round == static_cast<std::int64_t>(r));
    CHECK(t.started == static_cast<sim::Time>(r) * period + compute_ns(kGradientFlops));
    CHECK(t.ended == t.started + timeout);
  }
  const algo::RunTotals& t = world.monitor->totals();
  CHECK(t.steps == 5);  // one version per round of the survivor
  CHECK(t.samples == 5 * kBatch);
  CHECK(t.updates_produced == 12);       // 6 rounds sent, 2 contributions each
  CHECK(t.updates_lost == 6);            // each copy to the dead host, at once
  CHECK(t.updates_applied == 5);         // its own, in each mix
  CHECK(t.updates_dropped == 0);         // worker1 never sent anything
  CHECK(*g.updates_outstanding() == 1);  // round 5's own contribution, held
  check_accounting(g, t);
  // Mixing alone keeps the missing neighbour's weight on the replica
  // (1/2 + 1/2): the survivor is plain SGD on its own shard, bit for bit.
  ml::Mlp oracle(world.spec);
  oracle.initialize(algo::model_init_seed(kSeed));
  auto optimizer = ml::make_sgd({0.1f, 0.9f, 0.0f, false});
  const auto shards = ml::partition_iid(world.train.size(), 2, algo::partition_seed(kSeed));
  ml::BatchSampler sampler(shards[0], algo::batch_order_seed(kSeed, "worker0"));
  ml::RowMatrix x;
  std::vector<std::int32_t> y;
  ml::Vector grad;
  for (int s = 0; s < 5; ++s) {
    ml::gather_batch(world.train, sampler.next_batch(kBatch), x, y);
    oracle.loss_and_gradient(x, y, grad);
    optimizer->step(oracle.parameters(), grad);
  }
  CHECK(g.global_parameters() == oracle.parameters());
}

TEST_CASE("gossip with a timeout and no faults is the plain gossip run, bit for bit",
          "[gossip_faults]") {
  ml::Vector parameters[2];
  std::int64_t applied[2] = {0, 0};
  sim::Time ended[2] = {0, 0};
  for (const bool timeout : {false, true}) {
    GossipFaultWorld world(4, {0, 0.0, 30, 0.0});
    auto& g = world.start(4, timeout ? sim::kMillisecond : 0, {});
    world.sim.run();
    world.monitor->finish("done");
    parameters[timeout] = g.global_parameters();
    applied[timeout] = world.monitor->totals().updates_applied;
    ended[timeout] = world.monitor->totals().time;
    if (timeout) CHECK(g.timeouts().empty());
  }
  CHECK(parameters[0] == parameters[1]);
  CHECK(ended[0] == ended[1]);
  // Both count one contribution per worker and round, for itself and each
  // of its 2 ring neighbours.
  CHECK(applied[0] == 4 * 3 * 30);
  CHECK(applied[1] == 4 * 3 * 30);
}

TEST_CASE("gossip: a rebooted worker pulls a neighbour's replica and the ring gets back in step",
          "[gossip_faults]") {
  const sim::Time timeout = 2 * sim::kMillisecond;
  const sim::Time reboot = 15 * sim::kMillisecond;
  GossipFaultWorld world(4, {0, 0.0, 0, 0.0});
  auto& g = world.start(4, timeout, {crash(3, 5 * sim::kMillisecond, 10 * sim::kMillisecond)});
  world.run_until(60 * sim::kMillisecond);
  REQUIRE(g.rejoins().size() == 1);
  const auto& rejoin = g.rejoins().front();
  CHECK(rejoin.worker == 3);
  CHECK(rejoin.from == 0);  // its lowest neighbour, up and answering
  // A 64-byte request then a 616-byte replica, each two star hops.
  const double pull = 4.0 * kLatency + (64.0 + 154.0 * 4.0) / kBandwidth * 1e9;
  CHECK(static_cast<double>(rejoin.at - reboot) >= pull - 1.0);
  CHECK(static_cast<double>(rejoin.at - reboot) <= pull + 616.0 / kBandwidth * 1e9 + 1.0);
  // Its neighbours waited out their timeouts while it was down, and at most
  // a round after the rejoin nobody waits any more.
  sim::Time last_timeout = 0;
  for (const auto& t : g.timeouts()) last_timeout = std::max(last_timeout, t.ended);
  CHECK(last_timeout > 5 * sim::kMillisecond);
  CHECK(last_timeout <= rejoin.at + timeout + 1);
  const algo::RunTotals& t = world.monitor->totals();
  CHECK(dropped(t, "crashed") + t.updates_lost > 0);
  check_accounting(g, t);
  // Back in the mixing: the rejoined replica is near the others.
  const float spread = (g.replica(3) - g.replica(0)).norm();
  CHECK(spread < 0.5f * g.replica(0).norm());
}

TEST_CASE("gossip: a partitioned worker's late replicas are dropped as late, and the rest go on",
          "[gossip_faults]") {
  GossipFaultWorld world(4, {0, 0.0, 0, 0.0});
  auto& g = world.start(4, 2 * sim::kMillisecond,
                        {partition(1, 5 * sim::kMillisecond, 10 * sim::kMillisecond)});
  world.run_until(40 * sim::kMillisecond);
  const algo::RunTotals& t = world.monitor->totals();
  CHECK(t.updates_lost > 0);   // copies across the cut
  CHECK(g.rejoins().empty());  // nobody crashed
  check_accounting(g, t);
}

TEST_CASE("the same faults and seed give the same gossip run", "[gossip_faults]") {
  const auto once = [] {
    GossipFaultWorld world(4, {0, 0.0, 0, 0.0});
    auto& g = world.start(4, 2 * sim::kMillisecond,
                          {crash(3, 2'500'000, 10 * sim::kMillisecond),
                           partition(1, 16'000'000, 5 * sim::kMillisecond)});
    world.run_until(30 * sim::kMillisecond);
    std::vector<sim::Time> times;
    for (const auto& t : g.timeouts()) times.push_back(t.ended);
    return std::make_pair(times, ml::Vector(g.global_parameters()));
  };
  const auto a = once();
  const auto b = once();
  CHECK(!a.first.empty());
  CHECK(a.first == b.first);
  CHECK(a.second == b.second);
}

TEST_CASE("gossip: a worker crashing inside an exchange drops what it held as crashed",
          "[gossip_faults]") {
  const sim::Time timeout = 2 * sim::kMillisecond;
  // worker2 is dead from the start, so worker0 and worker1 wait out T each
  // round, in step: compute + T + a mix of 2 replicas.
  const sim::Time period = compute_ns(kGradientFlops) + timeout + compute_ns(2.0 * 2 * 154);
  const sim::Time round2_wait = 2 * period + compute_ns(kGradientFlops);
  GossipFaultWorld world(3, {0, 0.0, 0, 0.0});
  auto& g = world.start(3, timeout, {crash(2, 1, 0), crash(1, round2_wait + timeout / 2, 0)});
  world.run_until(round2_wait + 3 * period);
  const algo::RunTotals& t = world.monitor->totals();
  // worker1 held its own round-2 replica and worker0's: both die with it.
  CHECK(dropped(t, "crashed") == 2);
  CHECK(t.updates_dropped == 2);
  // worker0 mixed worker1's round-2 replica (it arrived before the crash).
  // Rounds 0-1: two workers mix 2 each; round 2: worker0 mixes 2; 3 and 4: alone.
  CHECK(t.updates_applied == 2 * 2 * 2 + 2 + 1 + 1);
  check_accounting(g, t);
}

TEST_CASE("gossip: a slow neighbour's replicas that miss their round are dropped as late",
          "[gossip_faults]") {
  // worker1 computes 4x slower; worker0 waits only half its own compute time,
  // so from round 1 on each of worker1's replicas reaches worker0 after
  // worker0 has mixed that round without it. worker1 never times out: worker0's
  // replicas are ahead of it and are held for their round.
  const sim::Time timeout = compute_ns(kGradientFlops) / 2;
  GossipFaultWorld world(2, {0, 0.0, 0, 0.0}, 4.0);
  auto& g = world.start(2, timeout, {});
  world.run_until(10 * compute_ns(4.0 * kGradientFlops));
  const algo::RunTotals& t = world.monitor->totals();
  for (const auto& out : g.timeouts()) CHECK(out.worker == 0);
  CHECK(dropped(t, "late") >= 8);
  CHECK(t.updates_lost == 0);
  CHECK(t.updates_dropped == dropped(t, "late"));
  check_accounting(g, t);
}
