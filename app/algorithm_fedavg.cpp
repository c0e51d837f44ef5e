// `algorithm:` for federated averaging (kind: fedavg).
//
//   server             cluster group of the one server            (default "server")
//   clients            cluster group(s) of the clients: a name or a list of names,
//                      clients in cluster order                   (default "client")
//   clients_per_round  K, sampled each round, 1 ... N             (default N: all)
//   local_epochs       E, passes over its shard per round         (default 1)
//   batch_size         B, per local step                          (default 32)
//   deadline           time from round start on the server's clock; later updates
//                      are dropped, and each client gives up once its own clock
//                      reads the announced close time            (default: none)
//   availability       probability a sampled client is online, (0, 1]  (default 1)
//   assignment         equal | random | capacity                  (default equal)
//   aggregator, compressor   plug-ins (plugin_registry.h)
//   server_optimizer   none | sgd | fedavgm | fedadam | fedyogi | fedadagrad, a name
//                      or a map with its keys (server_optimizer_keys.cpp) (default none)
//   holdout            fraction of each shard kept out of training (default 0)
//   availability_trace, diurnal, tiers, device_trace, over_selection, selection,
//   oort               client devices (fl_devices_loader.cpp)
//
// kind: fedprox takes the same keys and
//   mu                 the proximal term's weight, >= 0          (default 0.01)
// kind: scaffold takes the same keys as fedavg (its global step size is
// server_optimizer: {kind: sgd, lr: ...}).
#include <algorithm>

#include "algorithms/runtime/proximal_objective.h"
#include "algorithms/sync/fedavg.h"
#include "app/algorithm_registry.h"
#include "app/fl_devices_loader.h"
#include "app/plugin_registry.h"
#include "app/robust_plugins.h"
#include "app/schema.h"
#include "app/server_optimizer_keys.h"
#include "app/spelling.h"

namespace app {

namespace {

// The keys fedavg, fedprox and scaffold share, read into a config; `section`
// is the kind's schema section (the shared keys and its own).
algo::FedAvgConfig fedavg_config(const ConfigNode& node, const std::vector<NodeGroup>& groups,
                                 std::string_view section) {
  node.check_keys(schema::keys(section));
  const std::vector<int> servers = group_nodes(node, "server", "server", groups);
  algo::FedAvgConfig config;
  config.aggregator = load_aggregator(node);
  config.compressor = load_compressor(node);
  config.clients = group_nodes(node, "clients", "client", groups);
  config.aggregator = with_byzantine(config.aggregator, config.clients, groups, true);
  if (servers.size() != 1) {
    node.fail("fedavg has one server, but the server group has " + std::to_string(servers.size()) +
              " nodes");
  }
  config.server = servers.front();
  if (std::find(config.clients.begin(), config.clients.end(), config.server) !=
      config.clients.end()) {
    node.fail("the server group and the client group must differ");
  }
  const auto n = static_cast<std::int64_t>(config.clients.size());
  if (auto k = node.optional_child("clients_per_round")) {
    config.clients_per_round = static_cast<int>(k->as_int_in(1, n));
  }
  if (auto e = node.optional_child("local_epochs")) {
    config.local_epochs = static_cast<int>(e->as_int_in(1, 1'000'000));
  }
  config.batch_size = batch_size(node);
  if (auto d = node.optional_child("deadline")) {
    config.deadline = d->as_duration();
    d->require(config.deadline > 0, "deadline must be greater than zero (omit it for none)");
  }
  if (auto a = node.optional_child("availability")) {
    config.availability = a->as_double_in(0.0, 1.0);
    a->require(config.availability > 0, "availability must be greater than zero");
  }
  config.assignment = assignment_policy(node);
  config.server_optimizer = load_server_optimizer(node);
  config.devices = load_fl_devices(node, config.clients, groups);
  config.holdout = load_holdout(node);
  return config;
}

AlgorithmChoice fedavg_choice(const algo::FedAvgConfig& config) {
  const auto n = static_cast<std::int64_t>(config.clients.size());
  AlgorithmChoice choice{"fedavg", "fedavg", static_cast<int>(config.clients.size()),
                         [config] { return std::make_unique<algo::FedAvg>(config); }};
  choice.live_replicas = algo::over_selected(
      config.clients_per_round > 0 ? config.clients_per_round : static_cast<int>(n),
      config.devices.over_selection, static_cast<int>(n));
  return choice;
}

}  // namespace

AlgorithmChoice parse_fedavg(const ConfigNode& node, const std::vector<NodeGroup>& groups) {
  return fedavg_choice(fedavg_config(node, groups, "algorithm.fedavg"));
}

AlgorithmChoice parse_fedprox(const ConfigNode& node, const std::vector<NodeGroup>& groups) {
  algo::FedAvgConfig config = fedavg_config(node, groups, "algorithm.fedprox");
  double mu = 0.01;
  if (auto m = node.optional_child("mu")) mu = m->as_double_in(0.0, 1e6);
  config.local_objective = algo::proximal_objective(static_cast<float>(mu));
  return fedavg_choice(config);
}

AlgorithmChoice parse_scaffold(const ConfigNode& node, const std::vector<NodeGroup>& groups) {
  algo::FedAvgConfig config = fedavg_config(node, groups, "algorithm.scaffold");
  config.control_variates = true;
  return fedavg_choice(config);
}

}  // namespace app
