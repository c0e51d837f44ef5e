// `algorithm:` for the parameter-server family.
#include <algorithm>
#include <initializer_list>
#include <string>
#include <string_view>

#include "algorithms/sync/ps_async.h"
#include "algorithms/sync/ps_ssp.h"
#include "algorithms/sync/ps_sync.h"
#include "app/algorithm_registry.h"
#include "app/plugin_registry.h"
#include "app/schema.h"
#include "app/robust_plugins.h"

namespace app {

namespace {

// The keys every parameter server reads: `server` (a group of one node,
// default "server") or `servers` (a group of k >= 1 nodes: a sharded PS),
// `workers` (default "worker"), `batch_size`, `assignment`; for faults,
// `checkpoint_interval` (versions) and `rpc_timeout` (a duration).
algo::PsConfig ps_config(const ConfigNode& node, const std::vector<NodeGroup>& groups,
                         const std::string& kind) {
  algo::PsConfig config;
  config.workers = group_nodes(node, "workers", "worker", groups);
  if (node.has("servers")) {
    if (node.has("server")) {
      node.child("servers").fail("give either 'server' or 'servers', not both");
    }
    config.servers = group_nodes(node, "servers", "servers", groups);
    config.server = config.servers.front();
  } else {
    const std::vector<int> servers = group_nodes(node, "server", "server", groups);
    if (servers.size() != 1) {
      node.fail(kind + " has one server, but the server group has " +
                std::to_string(servers.size()) +
                " nodes (name a group with 'servers:' for a sharded parameter server)");
    }
    config.server = servers.front();
  }
  for (int server : config.server_nodes()) {
    if (std::find(config.workers.begin(), config.workers.end(), server) != config.workers.end()) {
      node.fail("the server group and the worker group must differ");
    }
  }
  config.batch_size = batch_size(node);
  config.assignment = assignment_policy(node);
  if (auto k = node.optional_child("checkpoint_interval")) {
    config.checkpoint_interval = k->as_int_in(1, 1'000'000'000);
  }
  if (auto t = node.optional_child("rpc_timeout")) {
    config.rpc_timeout = t->as_duration();
    t->require(config.rpc_timeout > 0, "rpc_timeout must be greater than zero (omit it for none)");
  }
  config.aggregator = with_byzantine(load_aggregator(node), config.workers, groups, false);
  config.compressor = load_compressor(node);
  return config;
}

// `bucket_cap` (a size), `overlap` (default true) and `priority` (none or
// layer_order): ps_sync's per-bucket push and pull with a layer profile
// (parameter_server_layers.cpp). Returns where the first of them stands, if
// any, for the check that the scenario has a profile.
SourceLocation layer_options(const ConfigNode& node, algo::PsSyncConfig& config) {
  SourceLocation at;
  const auto cap = node.optional_child("bucket_cap");
  if (cap) {
    config.bucket_cap_bytes = cap->as_bytes();
    cap->require(config.bucket_cap_bytes >= 4, "bucket_cap must be at least 4 bytes (one float)");
    for (const char* other : {"backup_workers", "timeout", "rpc_timeout", "checkpoint_interval"}) {
      if (node.has(other)) {
        cap->fail(std::string("per-bucket push and pull has no ") + other +
                  ": drop one of them (docs/dnn-profiles.md)");
      }
    }
    at = {cap->file(), cap->line(), cap->column(), cap->path()};
  }
  for (const char* key : {"overlap", "priority"}) {
    if (const auto given = node.optional_child(key); given && !cap) {
      given->fail(std::string(key) + " applies to per-bucket push and pull: give bucket_cap too");
    }
  }
  if (node.has("overlap")) config.overlap = node.get_bool("overlap", true);
  if (const auto priority = node.optional_child("priority")) {
    const std::string name = priority->as_string();
    if (name != "none" && name != "layer_order") {
      priority->fail("unknown priority '" + name + "' (expected none or layer_order)");
    }
    config.layer_priority = name == "layer_order";
  }
  return at;
}

}  // namespace

AlgorithmChoice parse_ps_sync(const ConfigNode& node, const std::vector<NodeGroup>& groups) {
  node.check_keys(schema::keys("algorithm.ps_sync"));
  algo::PsSyncConfig config;
  static_cast<algo::PsConfig&>(config) = ps_config(node, groups, "ps_sync");
  const int n = static_cast<int>(config.workers.size());
  if (node.has("backup_workers")) {
    const ConfigNode b = node.child("backup_workers");
    config.backup_workers = static_cast<int>(b.as_int_in(0, n - 1));
    b.require(config.backup_workers == 0 || config.server_nodes().size() == 1,
              "backup workers need a single server (not 'servers:')");
  }
  if (auto t = node.optional_child("timeout")) {
    config.timeout = t->as_duration();
    t->require(config.timeout > 0, "timeout must be greater than zero (omit it for none)");
    t->require(config.server_nodes().size() == 1,
               "a timeout needs a single server (not 'servers:')");
  }
  AlgorithmChoice choice{"ps_sync", "ps_sync", n, {}};
  choice.profile_key_at = layer_options(node, config);
  choice.build = [config] { return std::make_unique<algo::PsSync>(config); };
  return choice;
}

AlgorithmChoice parse_ps_async(const ConfigNode& node, const std::vector<NodeGroup>& groups) {
  node.check_keys(schema::keys("algorithm.ps_async"));
  const algo::PsAsyncConfig config = ps_config(node, groups, "ps_async");
  return {"ps_async", "ps_async", static_cast<int>(config.workers.size()),
          [config] { return std::make_unique<algo::PsAsync>(config); }};
}

AlgorithmChoice parse_ps_ssp(const ConfigNode& node, const std::vector<NodeGroup>& groups) {
  node.check_keys(schema::keys("algorithm.ps_ssp"));
  algo::PsSspConfig config;
  static_cast<algo::PsConfig&>(config) = ps_config(node, groups, "ps_ssp");
  if (node.has("staleness_bound")) {
    config.staleness_bound =
        static_cast<int>(node.child("staleness_bound").as_int_in(0, 1'000'000));
  }
  return {"ps_ssp", "ps_ssp", static_cast<int>(config.workers.size()),
          [config] { return std::make_unique<algo::PsSsp>(config); }};
}

}  // namespace app
