// Internal to topology/: the Boost.Graph representation behind Topology.
// Not a public header: only topology/*.cpp include it, so Boost.Graph stays
// out of every other module (DESIGN.md, "Layout").
#pragma once

#include <boost/graph/adjacency_list.hpp>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "topology/topology.h"

namespace topology {

struct VertexProperties {
  std::string name;
  NodeKind kind = NodeKind::host;
};

struct EdgeProperties {
  int link_id = -1;
};

// vecS/vecS: vertex descriptor == NodeId, and out-edges are kept in insertion
// (link id) order, so every traversal is deterministic.
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, VertexProperties,
                                    EdgeProperties>;

struct Topology::Impl {
  Graph graph;
  // Indexed by link id; mirrors the edges of `graph`.
  std::vector<std::pair<NodeId, NodeId>> link_ends;
  std::vector<LinkParams> link_params;
  std::map<std::string, NodeId, std::less<>> by_name;
};

}  // namespace topology
