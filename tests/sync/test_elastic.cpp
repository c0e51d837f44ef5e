// Elastic all-reduce and local SGD under faults (issue #6).
#include <catch2/catch.hpp>
#include <cmath>
#include <iostream>
#include <memory>
#include <string>

#include "algorithms/sync/data_parallel.h"
#include "algorithms/sync/fault_injector.h"
#include "star_world.h"

using algo::Fault;

namespace {

constexpr std::uint64_t kSeed = 5;
constexpr double kBandwidth = 1.25e9;
constexpr sim::Time kLatency = 5'000;
constexpr double kFlops = 18.432e6;

struct ElasticWorld : StarWorld {
  ElasticWorld(int workers, algo::StopCondition stop)
      : StarWorld(hosts(workers), {kBandwidth, kLatency}, synthetic(512, 3), synthetic(128, 4),
                  small_mlp(), ml::make_sgd({0.1f, 0.0f, 0.0f, false}), stop, {1, 0}, kSeed),
        slowdown(static_cast<std::size_t>(topo.node_count()), 1.0) {
    for (algo::Node& node : ctx.nodes) {
      node.episode_slowdown = &slowdown[static_cast<std::size_t>(node.host)];
    }
  }
  static std::vector<Host> hosts(int workers) {
    std::vector<Host> h;
    for (int i = 0; i < workers; ++i) h.push_back({"worker" + std::to_string(i), kFlops});
    return h;
  }
  algo::DataParallel& start(algo::DataParallelConfig config, const std::vector<Fault>& faults) {
    auto& launched = launch(std::make_unique<algo::DataParallel>(std::move(config)));
    injector = std::make_unique<algo::FaultInjector>(sim, *net, launched, slowdown, kSeed);
    injector->schedule(faults);
    return launched;
  }
  std::vector<double> slowdown;
  std::unique_ptr<algo::FaultInjector> injector;
};

algo::DataParallelConfig ring_config(int workers, sim::Time timeout) {
  algo::DataParallelConfig config;
  for (int i = 0; i < workers; ++i) config.workers.push_back(i);
  config.batch_size = 8;
  config.elastic.timeout = timeout;
  return config;
}

Fault crash(topology::NodeId host, sim::Time at, sim::Time duration) {
  Fault f;
  f.kind = Fault::Kind::crash;
  f.hosts = {host};
  f.at = at;
  f.duration = duration;
  return f;
}

void print(const algo::DataParallel& dp, const StarWorld& world) {
  for (const auto& e : dp.epochs()) {
    std::cout << "epoch formed " << e.formed << " root " << e.root << " version " << e.version
              << " members";
    for (int m : e.members) std::cout << ' ' << m;
    std::cout << " synced";
    for (int m : e.synced) std::cout << ' ' << m;
    std::cout << '\n';
  }
  for (const auto& a : dp.aborts())
    std::cout << "abort w" << a.worker << " epoch " << a.epoch << " round " << a.round << " at "
              << a.at << '\n';
  for (const auto& c : dp.commits())
    std::cout << "commit " << c.version << " at " << c.at << " members " << c.members << '\n';
  const auto& t = world.monitor->totals();
  std::cout << "produced " << t.updates_produced << " applied " << t.updates_applied
            << " dropped " << t.updates_dropped << " outstanding " << *dp.updates_outstanding()
            << '\n';
}

}  // namespace

TEST_CASE("debug elastic", "[elastic][.]") {
  ElasticWorld world(4, {30 * sim::kMillisecond, 0, 0, 0});
  auto& dp = world.start(ring_config(4, 5 * sim::kMillisecond),
                         {crash(3, 2'500'000, 10 * sim::kMillisecond)});
  world.sim.run_until(30 * sim::kMillisecond);
  world.monitor->finish("time");
  print(dp, world);
}
