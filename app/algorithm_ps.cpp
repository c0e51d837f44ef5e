// `algorithm:` for the parameter-server family.
#include "algorithms/sync/ps_sync.h"
#include "app/algorithm_registry.h"

namespace app {

AlgorithmChoice parse_ps_sync(const ConfigNode& node, const std::vector<NodeGroup>& groups) {
  node.check_keys({"kind", "server", "workers", "batch_size", "assignment"});
  const std::vector<int> servers = group_nodes(node, "server", "server", groups);
  algo::PsSyncConfig config;
  config.workers = group_nodes(node, "workers", "worker", groups);
  if (servers.size() != 1) {
    node.fail("ps_sync has one server, but the server group has " +
              std::to_string(servers.size()) + " nodes");
  }
  config.server = servers.front();
  if (std::find(config.workers.begin(), config.workers.end(), config.server) !=
      config.workers.end()) {
    node.fail("the server group and the worker group must differ");
  }
  config.batch_size = batch_size(node);
  config.assignment = assignment_policy(node);
  return {"ps_sync", static_cast<int>(config.workers.size()),
          [config] { return std::make_unique<algo::PsSync>(config); }};
}

}  // namespace app
