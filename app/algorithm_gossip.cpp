// `algorithm:` for gossip (D-PSGD).
#include "algorithms/sync/gossip.h"
#include "app/algorithm_registry.h"

namespace app {

AlgorithmChoice parse_gossip(const ConfigNode& node, const std::vector<NodeGroup>& groups) {
  node.check_keys({"kind", "label", "workers", "batch_size", "assignment", "graph", "timeout"});
  algo::GossipConfig config;
  config.workers = group_nodes(node, "workers", "worker", groups);
  config.batch_size = batch_size(node);
  config.assignment = assignment_policy(node);
  if (const auto graph = node.optional_child("graph")) {
    const std::string name = graph->as_string();
    if (name == "ring") {
      config.graph = algo::GossipGraph::ring;
    } else if (name == "complete") {
      config.graph = algo::GossipGraph::complete;
    } else {
      graph->fail("unknown graph '" + name + "' (expected ring or complete)");
    }
  }
  // `timeout: 200ms`: wait at most this long on the worker's clock
  // for the neighbours' replicas, then mix without the missing ones.
  if (const auto timeout = node.optional_child("timeout")) {
    config.timeout = timeout->as_duration();
    timeout->require(config.timeout > 0, "timeout must be greater than zero");
  }
  return {"gossip", "gossip", static_cast<int>(config.workers.size()),
          [config] { return std::make_unique<algo::Gossip>(config); }};
}

}  // namespace app
