// `algorithm:` for asynchronous federated learning (algorithms/sync/fedbuff.h).
//
// kind: fedbuff (buffered asynchronous aggregation)
//   server             cluster group of the one server            (default "server")
//   clients            cluster group(s) of the clients            (default "client")
//   concurrency        C, clients training at once, 1 ... N       (default N)
//   buffer_size        K, arrivals per server step, 1 ... C       (default min(10, C))
//   server_lr          eta_g, > 0                                 (default 1)
//   staleness_exponent a: an update s versions stale weighs (1 + s)^-a, >= 0 (default 0.5)
//   local_epochs, batch_size, assignment   as fedavg
//   client_timeout     drop a client's update this long after its model was sent (default none)
//   holdout            fraction of each shard kept out of training    (default 0)
//   availability_trace, diurnal, tiers, device_trace, selection, oort
//                      client devices, as fedavg (fl_devices_loader.cpp);
//                      over_selection is refused (no rounds)
// kind: fedasync (the server mixes in every arrival)
//   server, clients, concurrency, staleness_exponent, local_epochs, batch_size,
//   assignment   as above
//   mixing             alpha, in (0, 1]                           (default 0.6)
#include <algorithm>

#include "algorithms/sync/fedbuff.h"
#include "app/algorithm_registry.h"
#include "app/fl_devices_loader.h"
#include "app/schema.h"

namespace app {

namespace {

AlgorithmChoice async_fl(const ConfigNode& node, const std::vector<NodeGroup>& groups,
                         algo::AsyncRule rule) {
  node.check_keys(
      schema::keys(rule == algo::AsyncRule::buffered ? "algorithm.fedbuff" : "algorithm.fedasync"));
  algo::FedBuffConfig config;
  config.rule = rule;
  const std::vector<int> servers = group_nodes(node, "server", "server", groups);
  config.clients = group_nodes(node, "clients", "client", groups);
  if (servers.size() != 1) {
    node.fail("an asynchronous federated run has one server, but the server group has " +
              std::to_string(servers.size()) + " nodes");
  }
  config.server = servers.front();
  if (std::find(config.clients.begin(), config.clients.end(), config.server) !=
      config.clients.end()) {
    node.fail("the server group and the client group must differ");
  }
  const auto n = static_cast<std::int64_t>(config.clients.size());
  config.concurrency = static_cast<int>(n);
  if (auto c = node.optional_child("concurrency")) {
    config.concurrency = static_cast<int>(c->as_int_in(1, n));
  }
  if (rule == algo::AsyncRule::buffered) {
    config.buffer_size = std::min(10, config.concurrency);
    if (auto k = node.optional_child("buffer_size")) {
      config.buffer_size = static_cast<int>(k->as_int_in(1, config.concurrency));
    }
    if (auto lr = node.optional_child("server_lr")) {
      config.server_lr = lr->as_double_in(0.0, 1e6);
      lr->require(config.server_lr > 0, "server_lr must be greater than zero");
    }
  } else if (auto m = node.optional_child("mixing")) {
    config.mixing = m->as_double_in(0.0, 1.0);
    m->require(config.mixing > 0, "mixing must be greater than zero");
  }
  if (auto a = node.optional_child("staleness_exponent")) {
    config.staleness_exponent = a->as_double_in(0.0, 100.0);
  }
  if (auto e = node.optional_child("local_epochs")) {
    config.local_epochs = static_cast<int>(e->as_int_in(1, 1'000'000));
  }
  config.batch_size = batch_size(node);
  config.assignment = assignment_policy(node);
  if (auto t = node.optional_child("client_timeout")) {
    config.client_timeout = t->as_duration();
    t->require(config.client_timeout > 0,
               "client_timeout must be greater than zero (omit it for none)");
  }
  config.holdout = load_holdout(node);
  if (auto o = node.optional_child("over_selection")) {
    o->fail(
        "over_selection needs rounds, and fedbuff and fedasync have none: the server keeps "
        "`concurrency` clients training and starts another as each update arrives (remove "
        "the key)");
  }
  config.devices = load_fl_devices(node, config.clients, groups);
  const char* kind = rule == algo::AsyncRule::buffered ? "fedbuff" : "fedasync";
  AlgorithmChoice choice;
  choice.kind = kind;
  choice.label = kind;
  choice.participants = static_cast<int>(n);
  choice.build = [config] { return std::make_unique<algo::FedBuff>(config); };
  choice.live_replicas = config.concurrency;
  return choice;
}

}  // namespace

AlgorithmChoice parse_fedbuff(const ConfigNode& node, const std::vector<NodeGroup>& groups) {
  return async_fl(node, groups, algo::AsyncRule::buffered);
}

AlgorithmChoice parse_fedasync(const ConfigNode& node, const std::vector<NodeGroup>& groups) {
  return async_fl(node, groups, algo::AsyncRule::mixing);
}

}  // namespace app
