// topology::Topology: the graph of hosts, switches and full-duplex links.
//
// Nodes get dense ids (NodeId) in insertion order, links dense ids (int) in
// insertion order. A link joins two distinct nodes and has one LinkParams that
// holds for each direction separately (full duplex: a->b and b->a each carry
// bandwidth_bytes_per_s). The graph itself is a Boost.Graph adjacency_list
// kept behind a pimpl, so Boost never reaches this header's users.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/time.h"

namespace topology {

using NodeId = std::int32_t;  // dense index, in insertion order

enum class NodeKind { host, network_switch };

struct LinkParams {
  double bandwidth_bytes_per_s;  // per direction; finite, > 0
  sim::Time latency;             // one-way propagation delay; >= 0
};

// Throws std::invalid_argument naming `what` if p has a non-positive or
// non-finite bandwidth or a negative latency. Used by add_link and builders.
void validate_link_params(const LinkParams& p, std::string_view what);

class Topology {
 public:
  Topology();
  ~Topology();
  Topology(const Topology& other);
  Topology& operator=(const Topology& other);
  Topology(Topology&& other) noexcept;
  Topology& operator=(Topology&& other) noexcept;

  // Adds a node and returns its id (= node_count() before the call).
  // Throws std::invalid_argument if the name is empty or already taken.
  NodeId add_host(std::string name);
  NodeId add_switch(std::string name);

  // Adds a full-duplex link a <-> b and returns its id (= link_count() before
  // the call). link_ends(id) is (a, b) in the order given: direction 0 of the
  // link is a->b, direction 1 is b->a. Parallel links are allowed.
  // Throws std::invalid_argument on an unknown node, a == b, bandwidth <= 0 or
  // non-finite, or latency < 0.
  int add_link(NodeId a, NodeId b, LinkParams p);

  std::optional<NodeId> find(std::string_view name) const;
  // REQUIRES (else std::out_of_range): 0 <= id < node_count(). The reference
  // stays valid until the Topology is destroyed or assigned to.
  const std::string& name(NodeId id) const;
  NodeKind kind(NodeId id) const;
  bool contains(NodeId id) const { return id >= 0 && id < node_count(); }

  // Host ids in insertion order.
  std::vector<NodeId> hosts() const;
  // (link id, neighbour) of every link at `id`, in link id order.
  std::vector<std::pair<int, NodeId>> incident_links(NodeId id) const;

  int node_count() const;
  int link_count() const;
  // REQUIRES (else std::out_of_range): 0 <= link_id < link_count().
  LinkParams link(int link_id) const;
  std::pair<NodeId, NodeId> link_ends(int link_id) const;

  // Writes the graph in DOT (via boost::write_graphviz): hosts as boxes,
  // switches as ellipses, each edge labelled with bandwidth and latency.
  void write_graphviz(std::ostream& out) const;

  // The Boost graph; defined in topology/graph_impl.h, for topology/ only.
  struct Impl;

 private:
  friend class Routing;  // runs Dijkstra on the Boost graph
  const Impl& impl() const { return *impl_; }
  NodeId add_node(std::string name, NodeKind kind);

  std::unique_ptr<Impl> impl_;  // null only in a moved-from Topology (destroy or assign it)
};

}  // namespace topology
