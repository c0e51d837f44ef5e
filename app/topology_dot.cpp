#include "app/topology_dot.h"

#include <optional>
#include <string>
#include <vector>

#include "app/units.h"
#include "sim/time.h"
#include "topology/builders.h"

namespace app {
namespace {

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + '"';
}

struct LinkText {
  bool bits;
  std::string operator()(const topology::LinkParams& p) const {
    return (bits ? format_bandwidth(p.bandwidth_bytes_per_s)
                 : format_byte_rate(p.bandwidth_bytes_per_s)) +
           ", " + sim::format_time(p.latency);
  }
};

bool same(const topology::LinkParams& a, const topology::LinkParams& b) {
  return a.bandwidth_bytes_per_s == b.bandwidth_bytes_per_s && a.latency == b.latency;
}

// The link between a host and its rack switch, and whether all of the rack's
// hosts have the same one (then the cluster label carries it).
struct Rack {
  topology::NodeId tor = -1;
  std::vector<topology::NodeId> hosts;
  std::optional<topology::LinkParams> common;
};

std::vector<Rack> racks_of(const topology::Topology& topo) {
  std::vector<Rack> racks;
  for (const auto& members : topology::rack_members(topo)) {
    Rack rack;
    rack.hosts = members;
    bool uniform = true;
    for (topology::NodeId h : members) {
      for (const auto& [link, other] : topo.incident_links(h)) {
        if (topo.kind(other) != topology::NodeKind::network_switch) continue;
        if (rack.tor < 0) rack.tor = other;
        if (other != rack.tor) continue;
        const topology::LinkParams p = topo.link(link);
        if (!rack.common) {
          rack.common = p;
        } else if (!same(*rack.common, p)) {
          uniform = false;
        }
        break;
      }
    }
    if (!uniform) rack.common.reset();
    racks.push_back(rack);
  }
  return racks;
}

std::string count(std::size_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

void write_topology_dot(std::ostream& out, const syncsim::Scenario& s,
                        const topology::Topology& topo) {
  const LinkText text{s.topology.bandwidth_in_bits};
  const std::vector<Rack> racks = racks_of(topo);
  int switches = 0;
  for (topology::NodeId n = 0; n < topo.node_count(); ++n) {
    switches += topo.kind(n) == topology::NodeKind::network_switch;
  }
  out << "graph " << quoted(s.name) << " {\n";
  out << "  graph [label="
      << quoted(s.name + ": " + count(topo.hosts().size(), "host", "hosts") + ", " +
                count(static_cast<std::size_t>(switches), "switch", "switches") + ", " +
                count(static_cast<std::size_t>(topo.link_count()), "link", "links"))
      << ", labelloc=t, fontsize=16, nodesep=0.15, ranksep=0.6"
      << (switches == 0 ? ", layout=circo" : "") << "];\n";
  out << "  node [shape=box, fontsize=10, height=0.3, margin=\"0.06,0.03\"];\n";
  out << "  edge [color=gray45];\n";

  std::vector<bool> drawn(topo.node_count(), false);
  for (std::size_t r = 0; r < racks.size(); ++r) {
    const Rack& rack = racks[r];
    std::string label = (rack.tor >= 0 ? topo.name(rack.tor) : "rack " + std::to_string(r)) + ": " +
                        count(rack.hosts.size(), "host", "hosts");
    if (rack.common) label += ", each " + text(*rack.common);
    out << "  subgraph cluster_rack" << r << " {\n    label=" << quoted(label)
        << "; fontsize=12; style=rounded; color=gray60;\n";
    if (rack.tor >= 0) {
      out << "    " << quoted(topo.name(rack.tor)) << " [shape=ellipse];\n";
      drawn[rack.tor] = true;
    }
    for (topology::NodeId h : rack.hosts) {
      out << "    " << quoted(topo.name(h)) << ";\n";
      drawn[h] = true;
    }
    // Rows of at most kDotRowWidth hosts: host i sits above host i + width.
    for (std::size_t i = 0; i + kDotRowWidth < rack.hosts.size(); ++i) {
      out << "    " << quoted(topo.name(rack.hosts[i])) << " -- "
          << quoted(topo.name(rack.hosts[i + kDotRowWidth])) << " [style=invis];\n";
    }
    out << "  }\n";
  }
  for (topology::NodeId n = 0; n < topo.node_count(); ++n) {
    if (drawn[n]) continue;
    out << "  " << quoted(topo.name(n))
        << (topo.kind(n) == topology::NodeKind::network_switch ? " [shape=ellipse]" : "") << ";\n";
  }

  std::vector<int> rack_of(topo.node_count(), -1);
  for (std::size_t r = 0; r < racks.size(); ++r) {
    for (topology::NodeId h : racks[r].hosts) rack_of[h] = static_cast<int>(r);
  }
  // dot ranks each edge's first node above its second: switches above their
  // hosts, and of two switches the one with fewer hosts (the spine) on top.
  auto host_degree = [&](topology::NodeId n) {
    int hosts = 0;
    for (const auto& [link, other] : topo.incident_links(n)) {
      hosts += topo.kind(other) == topology::NodeKind::host;
    }
    return hosts;
  };
  for (int l = 0; l < topo.link_count(); ++l) {
    auto [a, b] = topo.link_ends(l);
    const topology::LinkParams p = topo.link(l);
    const bool a_host = topo.kind(a) == topology::NodeKind::host;
    const bool b_host = topo.kind(b) == topology::NodeKind::host;
    if ((a_host && !b_host) || (!a_host && !b_host && host_degree(b) < host_degree(a))) {
      std::swap(a, b);
    }
    const topology::NodeId host = b;
    const bool in_rack_common = topo.kind(host) == topology::NodeKind::host && rack_of[host] >= 0 &&
                                racks[rack_of[host]].tor == a &&
                                racks[rack_of[host]].common.has_value();
    out << "  " << quoted(topo.name(a)) << " -- " << quoted(topo.name(b));
    if (!in_rack_common) out << " [label=" << quoted(text(p)) << ", fontsize=9]";
    out << ";\n";
  }
  out << "}\n";
}

}  // namespace app
