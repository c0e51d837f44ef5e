// `algorithm:` for gossip (D-PSGD).
#include <algorithm>
#include <set>
#include <utility>

#include "algorithms/sync/gossip.h"
#include "app/algorithm_registry.h"
#include "app/schema.h"

namespace app {
namespace {

algo::GossipGraph graph_kind(const ConfigNode& node) {
  const std::string name = node.as_string();
  static const std::vector<std::pair<std::string, algo::GossipGraph>> kinds = {
      {"ring", algo::GossipGraph::ring},   {"complete", algo::GossipGraph::complete},
      {"torus", algo::GossipGraph::torus}, {"exponential", algo::GossipGraph::exponential},
      {"edges", algo::GossipGraph::edges}, {"topology", algo::GossipGraph::topology}};
  for (const auto& [key, kind] : kinds) {
    if (key == name) return kind;
  }
  node.fail("unknown graph '" + name +
            "' (expected ring, complete, torus, exponential, edges or topology)");
}

// `graph: ring | complete | exponential | topology`, or a map
// `{kind: torus, dims: [rows, columns]}` / `{kind: edges, edges: [[0, 1], ...]}`.
algo::GossipGraphSpec parse_graph(const ConfigNode& node, int workers) {
  if (!node.is_map()) {
    algo::GossipGraphSpec spec(graph_kind(node));
    if (spec.kind == algo::GossipGraph::torus) {
      node.fail("a torus needs its dims: graph: {kind: torus, dims: [rows, columns]}");
    }
    if (spec.kind == algo::GossipGraph::edges) {
      node.fail("an edge list needs its edges: graph: {kind: edges, edges: [[0, 1], [1, 2]]}");
    }
    return spec;
  }
  const ConfigNode kind = node.child("kind");
  algo::GossipGraphSpec spec(graph_kind(kind));
  if (spec.kind == algo::GossipGraph::torus) {
    node.check_keys(schema::keys("algorithm.gossip.graph.torus"));
    const ConfigNode dims = node.child("dims");
    if (!dims.is_sequence() || dims.size() != 2) dims.fail("expected [rows, columns]");
    for (std::size_t d = 0; d < 2; ++d) {
      spec.dims.push_back(static_cast<int>(dims.at(d).as_int_in(1, workers)));
    }
    dims.require(spec.dims[0] * spec.dims[1] == workers,
                 "rows x columns must be the " + std::to_string(workers) + " workers");
  } else if (spec.kind == algo::GossipGraph::edges) {
    node.check_keys(schema::keys("algorithm.gossip.graph.edges"));
    const ConfigNode edges = node.child("edges");
    if (!edges.is_sequence()) edges.fail("expected a list of worker pairs, e.g. [[0, 1], [1, 2]]");
    std::set<std::pair<int, int>> seen;
    for (std::size_t e = 0; e < edges.size(); ++e) {
      const ConfigNode edge = edges.at(e);
      if (!edge.is_sequence() || edge.size() != 2) edge.fail("expected a pair [a, b]");
      const auto a = static_cast<int>(edge.at(0).as_int_in(0, workers - 1));
      const auto b = static_cast<int>(edge.at(1).as_int_in(0, workers - 1));
      edge.require(a != b, "an edge joins two different workers");
      edge.require(seen.insert(std::minmax(a, b)).second, "this edge is listed twice");
      spec.edges.emplace_back(a, b);
    }
  } else {
    node.check_keys(schema::keys("algorithm.gossip.graph.named"));
  }
  if (spec.kind != algo::GossipGraph::topology) {
    node.require(algo::connected(algo::gossip_neighbours(spec, workers)),
                 "the graph is not connected: the replicas could never agree");
  }
  return spec;
}

}  // namespace

AlgorithmChoice parse_gossip(const ConfigNode& node, const std::vector<NodeGroup>& groups) {
  node.check_keys(schema::keys("algorithm.gossip"));
  algo::GossipConfig config;
  config.workers = group_nodes(node, "workers", "worker", groups);
  config.batch_size = batch_size(node);
  config.assignment = assignment_policy(node);
  if (const auto graph = node.optional_child("graph")) {
    config.graph = parse_graph(*graph, static_cast<int>(config.workers.size()));
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
