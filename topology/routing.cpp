#include "topology/routing.h"

#include <algorithm>
#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <boost/property_map/function_property_map.hpp>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>

#include "topology/graph_impl.h"

namespace topology {
namespace {

// Path length as Dijkstra sees it: latency first, then hop count, so that
// among equally fast paths the one with fewer hops wins.
struct PathCost {
  sim::Time latency;
  int hops;
  friend bool operator==(const PathCost&, const PathCost&) = default;
  friend bool operator<(const PathCost& a, const PathCost& b) {
    if (a.latency != b.latency) return a.latency < b.latency;
    return a.hops < b.hops;
  }
};

constexpr PathCost kUnreached{sim::kTimeMax, std::numeric_limits<int>::max()};

struct CombineCost {
  PathCost operator()(const PathCost& a, const PathCost& b) const {
    if (a == kUnreached || b == kUnreached) return kUnreached;  // saturate, never overflow
    return PathCost{a.latency + b.latency, a.hops + b.hops};
  }
};

}  // namespace

struct Routing::SourceTable {
  std::vector<PathCost> cost;                // by node; kUnreached if unreachable
  std::vector<NodeId> predecessor;           // by node; -1 for the source and unreachable nodes
  std::vector<int> predecessor_link;         // link from predecessor[v] to v
  std::vector<std::optional<Route>> routes;  // by destination, built on first use
};

Routing::Routing(const Topology& topo)
    : topo_(&topo),
      tables_(static_cast<std::size_t>(topo.node_count())),
      usable_(static_cast<std::size_t>(topo.link_count()), 1) {
  for (NodeId v = 0; v < topo.node_count(); ++v) {
    const auto links = topo.incident_links(v);
    if (links.size() == 1) leaves_.emplace(v, links.front());
  }
}

void Routing::set_link_usable(int link_id, bool usable) {
  char& state = usable_.at(static_cast<std::size_t>(link_id));
  if ((state != 0) == usable) return;
  state = usable ? 1 : 0;
  unusable_count_ += usable ? -1 : 1;
  for (auto& table : tables_) {
    if (table) retired_.push_back(std::move(table));
  }
  if (!leaf_routes_.empty()) {
    retired_leaf_routes_.push_back(std::move(leaf_routes_));
    leaf_routes_.clear();  // a moved-from map is valid but unspecified
  }
}

bool Routing::reachable(NodeId src, NodeId dst) {
  if (!topo_->contains(src) || !topo_->contains(dst)) return false;
  return table(src).cost[static_cast<std::size_t>(dst)] != kUnreached;
}

Routing::~Routing() = default;

Routing::SourceTable& Routing::table(NodeId src) {
  std::unique_ptr<SourceTable>& slot = tables_[static_cast<std::size_t>(src)];
  if (slot) return *slot;

  const Topology::Impl& impl = topo_->impl();
  const Graph& g = impl.graph;
  const auto n = static_cast<std::size_t>(topo_->node_count());
  auto table = std::make_unique<SourceTable>();
  table->cost.assign(n, kUnreached);
  table->predecessor.assign(n, -1);
  table->predecessor_link.assign(n, -1);
  table->routes.resize(n);

  // An unusable link costs kUnreached, which never relaxes a distance.
  const auto weight = boost::make_function_property_map<Graph::edge_descriptor, PathCost>(
      [&impl, this](Graph::edge_descriptor e) {
        const auto link = static_cast<std::size_t>(impl.graph[e].link_id);
        if (!usable_[link]) return kUnreached;
        return PathCost{impl.link_params[link].latency, 1};
      });
  boost::dijkstra_shortest_paths(g, static_cast<Graph::vertex_descriptor>(src),
                                 boost::weight_map(weight)
                                     .distance_map(boost::make_iterator_property_map(
                                         table->cost.begin(), boost::get(boost::vertex_index, g)))
                                     .distance_compare(std::less<PathCost>())
                                     .distance_combine(CombineCost())
                                     .distance_inf(kUnreached)
                                     .distance_zero(PathCost{0, 0}));

  // Dijkstra's own predecessor depends on its heap's tie order; pick the
  // documented one instead: the lowest-id neighbour on an equally short path.
  for (NodeId v = 0; v < static_cast<NodeId>(n); ++v) {
    if (v == src || table->cost[static_cast<std::size_t>(v)] == kUnreached) continue;
    for (const auto& [link, u] : topo_->incident_links(v)) {
      if (!usable_[static_cast<std::size_t>(link)]) continue;
      const PathCost via = CombineCost()(table->cost[static_cast<std::size_t>(u)],
                                         PathCost{topo_->link(link).latency, 1});
      if (!(via == table->cost[static_cast<std::size_t>(v)])) continue;
      NodeId& best = table->predecessor[static_cast<std::size_t>(v)];
      if (best < 0 || u < best) {  // links come in id order: the first to u wins
        best = u;
        table->predecessor_link[static_cast<std::size_t>(v)] = link;
      }
    }
  }
  slot = std::move(table);
  return *slot;
}

const Routing::Route& Routing::route(NodeId src, NodeId dst) {
  if (!topo_->contains(src) || !topo_->contains(dst)) {
    throw std::invalid_argument("route " + std::to_string(src) + " -> " + std::to_string(dst) +
                                ": unknown node id");
  }
  if (src != dst) {
    const auto leaf = leaves_.find(src);
    if (leaf != leaves_.end()) return leaf_route(src, leaf->second.first, leaf->second.second, dst);
  }
  SourceTable& t = table(src);
  std::optional<Route>& cached = t.routes[static_cast<std::size_t>(dst)];
  if (cached) return *cached;
  if (t.cost[static_cast<std::size_t>(dst)] == kUnreached) {
    throw std::runtime_error("no route from '" + topo_->name(src) + "' to '" + topo_->name(dst) +
                             "': they are not connected");
  }
  Route route;
  route.latency = t.cost[static_cast<std::size_t>(dst)].latency;
  route.bottleneck_bandwidth = std::numeric_limits<double>::infinity();
  for (NodeId v = dst; v != src; v = t.predecessor[static_cast<std::size_t>(v)]) {
    const NodeId u = t.predecessor[static_cast<std::size_t>(v)];
    const int link = t.predecessor_link[static_cast<std::size_t>(v)];
    const int direction = topo_->link_ends(link).first == u ? 0 : 1;
    route.channels.push_back(channel_of(link, direction));
    route.bottleneck_bandwidth =
        std::min(route.bottleneck_bandwidth, topo_->link(link).bandwidth_bytes_per_s);
  }
  std::reverse(route.channels.begin(), route.channels.end());
  cached = std::move(route);
  return *cached;
}

// A source with one link reaches everything through that link's other end,
// and the tie-breaking rules pick the same predecessors from there as from
// the source (every cost is shifted by the same first hop), so its route is
// the first hop plus the neighbour's route: no table of its own. This keeps
// memory and time linear in the hosts of a star or tree.
const Routing::Route& Routing::leaf_route(NodeId src, int link, NodeId next, NodeId dst) {
  const std::uint64_t key =
      (static_cast<std::uint64_t>(src) << 32) | static_cast<std::uint32_t>(dst);
  const auto cached = leaf_routes_.find(key);
  if (cached != leaf_routes_.end()) return cached->second;
  if (!usable_[static_cast<std::size_t>(link)]) {
    throw std::runtime_error("no route from '" + topo_->name(src) + "' to '" + topo_->name(dst) +
                             "': they are not connected");
  }
  Route route;
  const LinkParams& first = topo_->link(link);
  route.channels.push_back(channel_of(link, topo_->link_ends(link).first == src ? 0 : 1));
  route.latency = first.latency;
  route.bottleneck_bandwidth = first.bandwidth_bytes_per_s;
  if (dst != next) {
    const Route* rest = nullptr;
    try {
      // Two hosts joined only to each other reach nothing else.
      if (leaves_.contains(next)) throw std::runtime_error("unreachable");
      rest = &this->route(next, dst);
    } catch (const std::runtime_error&) {
      throw std::runtime_error("no route from '" + topo_->name(src) + "' to '" + topo_->name(dst) +
                               "': they are not connected");
    }
    route.channels.insert(route.channels.end(), rest->channels.begin(), rest->channels.end());
    route.latency += rest->latency;
    route.bottleneck_bandwidth = std::min(route.bottleneck_bandwidth, rest->bottleneck_bandwidth);
  }
  return leaf_routes_.emplace(key, std::move(route)).first->second;
}

}  // namespace topology
