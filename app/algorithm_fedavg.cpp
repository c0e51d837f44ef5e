// `algorithm:` for federated averaging (kind: fedavg).
//
//   server             cluster group of the one server            (default "server")
//   clients            cluster group(s) of the clients: a name or a list of names,
//                      clients in cluster order                   (default "client")
//   clients_per_round  K, sampled each round, 1 ... N             (default N: all)
//   local_epochs       E, passes over its shard per round         (default 1)
//   batch_size         B, per local step                          (default 32)
//   deadline           simulated time from round start; later updates are dropped
//                                                                  (default: none)
//   availability       probability a sampled client is online, (0, 1]  (default 1)
//   assignment         equal | random | capacity                  (default equal)
#include <algorithm>

#include "algorithms/sync/fedavg.h"
#include "app/algorithm_registry.h"
#include "app/spelling.h"

namespace app {
namespace {

// `clients`: one group name (or absent: "client"), or a list of group names;
// the nodes of all of them, in the cluster's node order.
std::vector<int> client_nodes(const ConfigNode& node, const std::vector<NodeGroup>& groups) {
  const auto list = node.optional_child("clients");
  if (!list || !list->is_sequence()) return group_nodes(node, "clients", "client", groups);
  if (list->size() == 0) list->fail("expected a group name or a non-empty list of group names");
  std::vector<std::string> names;
  for (const NodeGroup& g : groups) names.push_back(g.name);
  std::vector<bool> chosen(groups.size(), false);
  for (std::size_t i = 0; i < list->size(); ++i) {
    const ConfigNode item = list->at(i);
    const std::string name = item.as_string();
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) {
      const std::string hint = did_you_mean(name, names);
      item.fail("no cluster group named '" + name + "'" +
                (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
    const auto g = static_cast<std::size_t>(it - names.begin());
    if (chosen[g]) item.fail("group '" + name + "' is listed twice");
    chosen[g] = true;
  }
  std::vector<int> indices;
  int next = 0;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    for (int i = 0; i < groups[g].count; ++i, ++next) {
      if (chosen[g]) indices.push_back(next);
    }
  }
  return indices;
}

}  // namespace

AlgorithmChoice parse_fedavg(const ConfigNode& node, const std::vector<NodeGroup>& groups) {
  node.check_keys({"kind", "label", "server", "clients", "clients_per_round", "local_epochs",
                   "batch_size", "deadline", "availability", "assignment"});
  const std::vector<int> servers = group_nodes(node, "server", "server", groups);
  algo::FedAvgConfig config;
  config.clients = client_nodes(node, groups);
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
  return {"fedavg", "fedavg", static_cast<int>(config.clients.size()),
          [config] { return std::make_unique<algo::FedAvg>(config); }};
}

}  // namespace app
