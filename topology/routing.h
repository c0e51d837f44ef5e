// topology::Routing: which channels a message from src to dst crosses.
//
// A route is the shortest path by total latency. Ties are broken
// deterministically: first by fewer hops, then, walking back from dst, each
// node's predecessor is the lowest NodeId that lies on an equally short path
// (and between parallel links, the lowest link id). Routes are computed
// lazily, one Dijkstra run (boost::dijkstra_shortest_paths) per source for all
// destinations at once, and cached.
//
// Faults: a link can be made unusable (set_link_usable); routes are then
// recomputed around it. Routes handed out before stay valid (the old tables
// are retired, not freed), because flows in flight still point at them.
//
// A channel is one direction of a link: channel = 2 * link_id + direction,
// where direction 0 is link_ends(link_id).first -> .second (as added) and 1
// is the reverse. There are 2 * link_count() channels.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sim/time.h"
#include "topology/topology.h"

namespace topology {

constexpr int channel_of(int link_id, int direction) { return 2 * link_id + direction; }
constexpr int link_of_channel(int channel) { return channel / 2; }

class Routing {
 public:
  // REQUIRES: topo outlives this Routing and is not modified while it lives
  // (cached routes would go stale).
  explicit Routing(const Topology& topo);
  ~Routing();
  Routing(const Routing&) = delete;
  Routing& operator=(const Routing&) = delete;

  struct Route {
    std::vector<int> channels;          // in path order, src to dst
    sim::Time latency = 0;              // sum of the links' latencies
    double bottleneck_bandwidth = 0.0;  // min bandwidth along the path; +inf if empty
  };

  // The route src -> dst. src == dst: no channels, latency 0.
  // Throws std::invalid_argument for an unknown node id and std::runtime_error
  // naming both nodes if dst is unreachable from src.
  // The reference stays valid for the lifetime of this Routing.
  const Route& route(NodeId src, NodeId dst);

  // False if no usable path joins them (only possible once a link is unusable).
  bool reachable(NodeId src, NodeId dst);

  // Marks a link usable or not; a change drops every cached route.
  void set_link_usable(int link_id, bool usable);
  bool link_usable(int link_id) const { return usable_[static_cast<std::size_t>(link_id)] != 0; }
  bool all_links_usable() const { return unusable_count_ == 0; }

  const Topology& topology() const { return *topo_; }
  int channel_count() const { return 2 * topo_->link_count(); }

 private:
  struct SourceTable;              // every route from one source
  SourceTable& table(NodeId src);  // runs Dijkstra on first use
  const Route& leaf_route(NodeId src, int link, NodeId next, NodeId dst);

  const Topology* topo_;
  std::vector<std::unique_ptr<SourceTable>> tables_;  // by source; null until first asked
  // Nodes with exactly one link: (link id, the other end). Looked up, never iterated.
  std::unordered_map<NodeId, std::pair<int, NodeId>> leaves_;
  std::unordered_map<std::uint64_t, Route> leaf_routes_;  // (src << 32 | dst); stable references
  std::vector<std::unique_ptr<SourceTable>> retired_;     // stale tables whose routes may be in use
  // Stale leaf routes, likewise (moving a map keeps its elements in place).
  std::vector<std::unordered_map<std::uint64_t, Route>> retired_leaf_routes_;
  std::vector<char> usable_;  // by link
  int unusable_count_ = 0;
};

}  // namespace topology
