// `algorithm:` for hierarchical federated learning (kind: hierfl,
// algorithms/sync/hierfl.h).
//
//   server        cluster group of the one cloud server          (default "server")
//   edges         cluster group(s) of the edge aggregators, 1 ... N (default "edge")
//   clients       cluster group(s) of the clients; client k belongs to edge
//                 floor(k * E / N)                               (default "client")
//   local_epochs  kappa_1: local epochs per edge round           (default 1)
//   edge_rounds   kappa_2: edge rounds per cloud round           (default 2)
//   batch_size, assignment   as fedavg
//   clients_per_round  K sampled by the cloud per cloud round, in total (default all)
//   deadline           an edge round's length on the edge's clock  (default none)
//   cloud_deadline     a cloud round's length on the cloud's clock (default none)
//   availability_trace, diurnal, tiers, device_trace, over_selection, selection,
//   oort               client devices (fl_devices_loader.cpp), as fedavg
//   holdout            fraction of each shard kept out of training    (default 0)
#include <algorithm>

#include "algorithms/sync/hierfl.h"
#include "app/algorithm_registry.h"
#include "app/fl_devices_loader.h"
#include "app/schema.h"

namespace app {

AlgorithmChoice parse_hierfl(const ConfigNode& node, const std::vector<NodeGroup>& groups) {
  node.check_keys(schema::keys("algorithm.hierfl"));
  algo::HierFlConfig config;
  const std::vector<int> servers = group_nodes(node, "server", "server", groups);
  config.edges = group_nodes(node, "edges", "edge", groups);
  config.clients = group_nodes(node, "clients", "client", groups);
  if (servers.size() != 1) {
    node.fail("hierfl has one cloud server, but the server group has " +
              std::to_string(servers.size()) + " nodes");
  }
  config.server = servers.front();
  auto overlaps = [](const std::vector<int>& a, const std::vector<int>& b) {
    return std::any_of(a.begin(), a.end(),
                       [&](int x) { return std::find(b.begin(), b.end(), x) != b.end(); });
  };
  if (overlaps(servers, config.edges) || overlaps(servers, config.clients) ||
      overlaps(config.edges, config.clients)) {
    node.fail("the server, edge and client groups must differ");
  }
  if (config.edges.size() > config.clients.size()) {
    node.fail("hierfl needs at least one client per edge: " + std::to_string(config.edges.size()) +
              " edges, " + std::to_string(config.clients.size()) + " clients");
  }
  if (auto e = node.optional_child("local_epochs")) {
    config.local_epochs = static_cast<int>(e->as_int_in(1, 1'000'000));
  }
  config.edge_rounds = 2;
  if (auto r = node.optional_child("edge_rounds")) {
    config.edge_rounds = static_cast<int>(r->as_int_in(1, 1'000'000));
  }
  config.batch_size = batch_size(node);
  config.assignment = assignment_policy(node);
  const auto n = static_cast<std::int64_t>(config.clients.size());
  if (auto k = node.optional_child("clients_per_round")) {
    config.clients_per_round = static_cast<int>(k->as_int_in(1, n));
  }
  if (auto d = node.optional_child("deadline")) {
    config.edge_deadline = d->as_duration();
    d->require(config.edge_deadline > 0, "deadline must be greater than zero (omit it for none)");
  }
  if (auto d = node.optional_child("cloud_deadline")) {
    config.cloud_deadline = d->as_duration();
    d->require(config.cloud_deadline > 0,
               "cloud_deadline must be greater than zero (omit it for none)");
  }
  config.devices = load_fl_devices(node, config.clients, groups);
  config.holdout = load_holdout(node);
  AlgorithmChoice choice;
  choice.kind = "hierfl";
  choice.label = "hierfl";
  choice.participants = static_cast<int>(config.clients.size());
  if (config.clients_per_round > 0) {  // only the sampled clients hold a replica
    choice.live_replicas = algo::over_selected(config.clients_per_round,
                                               config.devices.over_selection, static_cast<int>(n));
  }
  choice.build = [config] { return std::make_unique<algo::HierFl>(config); };
  return choice;
}

}  // namespace app
