// The federated test world shared by the fedavg tests: a server and N
// clients on a star, with synthetic data split into a training and a test
// part, and a FedAvg launched on it.
#pragma once

#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "algorithms/ml/synthetic.h"
#include "algorithms/sync/fedavg.h"
#include "star_world.h"

namespace fedavg_world {

constexpr std::uint64_t kSeed = 11;
constexpr double kBandwidth = 1.25e8;  // 1 Gb/s
constexpr sim::Time kLatency = 1'000;  // 1 us per link

struct WorldOptions {
  int clients = 4;
  std::vector<double> client_flops;  // empty: 50 GFLOP/s each
  ml::SyntheticSpec data{512, 20, 4, 1.0f, 3.0f};
  ml::SgdConfig sgd{0.1f, 0.0f, 0.0f, false};
  ml::PartitionSpec partition;
  algo::StopCondition stop{0, 0.0, 5, 0.0};
  algo::EvalSchedule eval{1, 0};
  std::uint64_t seed = kSeed;
};

// One synthetic draw (so both parts share the class centres): part 0 is the
// first spec.samples rows (training), part 1 the 1000 after them (test).
inline ml::Dataset split(ml::SyntheticSpec spec, int part) {
  const std::int64_t train_n = spec.samples;
  spec.samples += 1000;
  const ml::Dataset all = ml::make_synthetic(spec, 3);
  std::vector<std::int32_t> rows(static_cast<std::size_t>(part == 0 ? train_n : 1000));
  std::iota(rows.begin(), rows.end(), static_cast<std::int32_t>(part == 0 ? 0 : train_n));
  ml::Dataset out;
  out.num_classes = all.num_classes;
  ml::gather_batch(all, rows, out.features, out.labels);
  return out;
}

inline std::vector<StarWorld::Host> fed_hosts(const WorldOptions& o) {
  std::vector<StarWorld::Host> hosts{{"server", 100e9}};
  for (int i = 0; i < o.clients; ++i) {
    const auto n = static_cast<std::size_t>(i);
    hosts.push_back(
        {"client" + std::to_string(i), o.client_flops.empty() ? 50e9 : o.client_flops[n]});
  }
  return hosts;
}

// A server and N clients on a star, and everything an algorithm needs.
struct World : StarWorld {
  explicit World(const WorldOptions& o)
      : StarWorld(fed_hosts(o), {kBandwidth, kLatency}, split(o.data, 0), split(o.data, 1),
                  small_mlp(o.data.features, o.data.classes), ml::make_sgd(o.sgd), o.stop, o.eval,
                  o.seed),
        options(o) {
    ctx.partition = o.partition;
  }

  std::vector<int> client_indices() const {
    std::vector<int> indices;
    for (int i = 1; i <= options.clients; ++i) indices.push_back(i);
    return indices;
  }

  algo::FedAvg& run_fedavg(algo::FedAvgConfig config) {
    config.server = 0;
    config.clients = client_indices();
    config.record_rounds = true;
    fedavg = &launch(std::make_unique<algo::FedAvg>(config));
    run();
    return *fedavg;
  }

  WorldOptions options;
  algo::FedAvg* fedavg = nullptr;
  std::vector<sim::NodeClock> clocks;  // set ctx.clocks to use them
};

}  // namespace fedavg_world
