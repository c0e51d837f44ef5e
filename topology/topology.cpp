#include "topology/topology.h"

#include <boost/graph/graphviz.hpp>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <stdexcept>

#include "topology/graph_impl.h"

namespace topology {
namespace {

// A DOT double-quoted string: escapes the two characters that would end it.
std::string dot_quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

struct VertexWriter {
  const Graph* graph;
  void operator()(std::ostream& out, Graph::vertex_descriptor v) const {
    const VertexProperties& p = (*graph)[v];
    out << "[label=" << dot_quoted(p.name)
        << ",shape=" << (p.kind == NodeKind::host ? "box" : "ellipse") << "]";
  }
};

struct EdgeWriter {
  const Topology::Impl* impl;
  void operator()(std::ostream& out, Graph::edge_descriptor e) const {
    const LinkParams& p = impl->link_params[impl->graph[e].link_id];
    char bandwidth[32];
    std::snprintf(bandwidth, sizeof bandwidth, "%.6g GB/s", p.bandwidth_bytes_per_s * 1e-9);
    out << "[label=" << dot_quoted(std::string(bandwidth) + ", " + sim::format_time(p.latency))
        << "]";
  }
};

}  // namespace

void validate_link_params(const LinkParams& p, std::string_view what) {
  if (!std::isfinite(p.bandwidth_bytes_per_s) || p.bandwidth_bytes_per_s <= 0) {
    throw std::invalid_argument(std::string(what) + ": bandwidth must be finite and > 0, got " +
                                std::to_string(p.bandwidth_bytes_per_s) + " bytes/s");
  }
  if (p.latency < 0) {
    throw std::invalid_argument(std::string(what) + ": latency must be >= 0, got " +
                                sim::format_time(p.latency));
  }
}

Topology::Topology() : impl_(std::make_unique<Impl>()) {}
Topology::~Topology() = default;
Topology::Topology(const Topology& other) : impl_(std::make_unique<Impl>(*other.impl_)) {}
Topology& Topology::operator=(const Topology& other) {
  if (this != &other) impl_ = std::make_unique<Impl>(*other.impl_);
  return *this;
}
Topology::Topology(Topology&& other) noexcept = default;
Topology& Topology::operator=(Topology&& other) noexcept = default;

NodeId Topology::add_node(std::string name, NodeKind kind) {
  if (name.empty()) throw std::invalid_argument("node name must not be empty");
  if (impl_->by_name.count(name) != 0) {
    throw std::invalid_argument("duplicate node name '" + name + "'");
  }
  // add_vertex(g) then assign: add_vertex(properties, g) goes through
  // named_graph's boost::optional, which trips a GCC 12 -Wmaybe-uninitialized
  // false positive under -fsanitize.
  const auto v = boost::add_vertex(impl_->graph);
  impl_->graph[v] = VertexProperties{name, kind};
  const auto id = static_cast<NodeId>(v);
  impl_->by_name.emplace(std::move(name), id);
  return id;
}

NodeId Topology::add_host(std::string name) { return add_node(std::move(name), NodeKind::host); }

NodeId Topology::add_switch(std::string name) {
  return add_node(std::move(name), NodeKind::network_switch);
}

int Topology::add_link(NodeId a, NodeId b, LinkParams p) {
  if (!contains(a) || !contains(b)) {
    throw std::invalid_argument("link " + std::to_string(a) + " <-> " + std::to_string(b) +
                                ": unknown node (have " + std::to_string(node_count()) + ")");
  }
  if (a == b) throw std::invalid_argument("link from '" + name(a) + "' to itself");
  validate_link_params(p, "link " + name(a) + " <-> " + name(b));
  const int id = link_count();
  boost::add_edge(static_cast<Graph::vertex_descriptor>(a),
                  static_cast<Graph::vertex_descriptor>(b), EdgeProperties{id}, impl_->graph);
  impl_->link_ends.emplace_back(a, b);
  impl_->link_params.push_back(p);
  return id;
}

std::optional<NodeId> Topology::find(std::string_view name) const {
  const auto it = impl_->by_name.find(name);
  if (it == impl_->by_name.end()) return std::nullopt;
  return it->second;
}

const std::string& Topology::name(NodeId id) const {
  if (!contains(id)) throw std::out_of_range("unknown node id " + std::to_string(id));
  return impl_->graph[static_cast<Graph::vertex_descriptor>(id)].name;
}

NodeKind Topology::kind(NodeId id) const {
  if (!contains(id)) throw std::out_of_range("unknown node id " + std::to_string(id));
  return impl_->graph[static_cast<Graph::vertex_descriptor>(id)].kind;
}

std::vector<NodeId> Topology::hosts() const {
  std::vector<NodeId> result;
  for (NodeId id = 0; id < node_count(); ++id) {
    if (impl_->graph[static_cast<Graph::vertex_descriptor>(id)].kind == NodeKind::host) {
      result.push_back(id);
    }
  }
  return result;
}

std::vector<std::pair<int, NodeId>> Topology::incident_links(NodeId id) const {
  if (!contains(id)) throw std::out_of_range("unknown node id " + std::to_string(id));
  std::vector<std::pair<int, NodeId>> result;
  for (auto [it, end] = boost::out_edges(static_cast<Graph::vertex_descriptor>(id), impl_->graph);
       it != end; ++it) {
    result.emplace_back(impl_->graph[*it].link_id,
                        static_cast<NodeId>(boost::target(*it, impl_->graph)));
  }
  return result;
}

int Topology::node_count() const { return static_cast<int>(boost::num_vertices(impl_->graph)); }
int Topology::link_count() const { return static_cast<int>(impl_->link_ends.size()); }

LinkParams Topology::link(int link_id) const {
  if (link_id < 0 || link_id >= link_count()) {
    throw std::out_of_range("unknown link id " + std::to_string(link_id));
  }
  return impl_->link_params[static_cast<std::size_t>(link_id)];
}

std::pair<NodeId, NodeId> Topology::link_ends(int link_id) const {
  if (link_id < 0 || link_id >= link_count()) {
    throw std::out_of_range("unknown link id " + std::to_string(link_id));
  }
  return impl_->link_ends[static_cast<std::size_t>(link_id)];
}

void Topology::write_graphviz(std::ostream& out) const {
  boost::write_graphviz(out, impl_->graph, VertexWriter{&impl_->graph}, EdgeWriter{impl_.get()});
}

}  // namespace topology
