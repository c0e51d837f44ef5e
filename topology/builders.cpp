#include "topology/builders.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>

namespace topology {
namespace {

// Adds the hosts, in order; throws if there are none (or a name is bad).
void add_hosts(Topology& topo, const std::vector<std::string>& hosts, const char* builder) {
  if (hosts.empty()) throw std::invalid_argument(std::string(builder) + ": no hosts");
  for (const std::string& name : hosts) topo.add_host(name);
}

// One valid link per host.
void check_host_links(const std::vector<std::string>& hosts,
                      const std::vector<LinkParams>& host_links, const char* builder) {
  if (host_links.size() != hosts.size()) {
    throw std::invalid_argument(std::string(builder) + ": " + std::to_string(host_links.size()) +
                                " host links for " + std::to_string(hosts.size()) + " hosts");
  }
  for (const LinkParams& link : host_links) {
    validate_link_params(link, std::string(builder) + " host link");
  }
}

}  // namespace

Topology build_star(const std::vector<std::string>& hosts, LinkParams host_link) {
  validate_link_params(host_link, "star host link");
  return build_star(hosts, std::vector<LinkParams>(hosts.size(), host_link));
}

Topology build_star(const std::vector<std::string>& hosts,
                    const std::vector<LinkParams>& host_links) {
  check_host_links(hosts, host_links, "star");
  Topology topo;
  add_hosts(topo, hosts, "star");
  const NodeId center = topo.add_switch("switch");
  for (NodeId h = 0; h < center; ++h) {
    topo.add_link(h, center, host_links[static_cast<std::size_t>(h)]);
  }
  return topo;
}

Topology build_ring(const std::vector<std::string>& hosts, LinkParams link) {
  validate_link_params(link, "ring link");
  if (hosts.size() < 2) {
    throw std::invalid_argument("ring: needs at least 2 hosts, got " +
                                std::to_string(hosts.size()));
  }
  Topology topo;
  add_hosts(topo, hosts, "ring");
  const auto n = static_cast<NodeId>(hosts.size());
  const NodeId links = n == 2 ? 1 : n;
  for (NodeId i = 0; i < links; ++i) topo.add_link(i, (i + 1) % n, link);
  return topo;
}

Topology build_two_level_tree(const std::vector<std::string>& hosts, const TreeParams& p) {
  validate_link_params(p.host_link, "tree host link");
  return build_two_level_tree(hosts, p, std::vector<LinkParams>(hosts.size(), p.host_link));
}

Topology build_two_level_tree(const std::vector<std::string>& hosts, const TreeParams& p,
                              const std::vector<LinkParams>& host_links) {
  if (p.hosts_per_rack < 1) {
    throw std::invalid_argument("tree: hosts_per_rack must be >= 1, got " +
                                std::to_string(p.hosts_per_rack));
  }
  if (!std::isfinite(p.oversubscription) || p.oversubscription <= 0) {
    throw std::invalid_argument("tree: oversubscription must be finite and > 0, got " +
                                std::to_string(p.oversubscription));
  }
  check_host_links(hosts, host_links, "tree");
  validate_link_params(p.host_link, "tree host link");
  const double uplink = tree_uplink_bandwidth(p);
  validate_link_params(LinkParams{uplink, p.uplink_latency}, "tree uplink");
  Topology topo;
  add_hosts(topo, hosts, "tree");
  const auto n = static_cast<int>(hosts.size());
  const int racks = (n + p.hosts_per_rack - 1) / p.hosts_per_rack;
  std::vector<NodeId> tors;
  for (int r = 0; r < racks; ++r) tors.push_back(topo.add_switch("tor" + std::to_string(r)));
  const NodeId spine = topo.add_switch("spine");
  for (int h = 0; h < n; ++h) {
    topo.add_link(h, tors[h / p.hosts_per_rack], host_links[static_cast<std::size_t>(h)]);
  }
  // The uplink belongs to the switch: its capacity is the same for every
  // rack, however many hosts are placed in it.
  for (int r = 0; r < racks; ++r) {
    topo.add_link(tors[r], spine, LinkParams{uplink, p.uplink_latency});
  }
  return topo;
}

double tree_uplink_bandwidth(const TreeParams& p) {
  if (p.uplink_bandwidth > 0.0) return p.uplink_bandwidth;
  return p.hosts_per_rack * p.host_link.bandwidth_bytes_per_s / p.oversubscription;
}

std::vector<int> rack_index(const Topology& topo) {
  std::vector<int> rack(static_cast<std::size_t>(topo.node_count()), -1);
  std::vector<NodeId> rack_switch(static_cast<std::size_t>(topo.node_count()), -1);
  std::map<NodeId, int> switch_rack;  // ordered: racks numbered by switch id
  for (NodeId h : topo.hosts()) {
    for (const auto& [link, neighbour] : topo.incident_links(h)) {
      if (topo.kind(neighbour) != NodeKind::network_switch) continue;
      NodeId& chosen = rack_switch[static_cast<std::size_t>(h)];
      if (chosen < 0 || neighbour < chosen) chosen = neighbour;
    }
    if (rack_switch[static_cast<std::size_t>(h)] >= 0) {
      switch_rack.emplace(rack_switch[static_cast<std::size_t>(h)], 0);
    }
  }
  int next = 0;
  for (auto& [sw, index] : switch_rack) index = next++;
  for (NodeId h : topo.hosts()) {
    const NodeId sw = rack_switch[static_cast<std::size_t>(h)];
    if (sw >= 0) rack[static_cast<std::size_t>(h)] = switch_rack.at(sw);
  }
  return rack;
}

std::vector<std::vector<NodeId>> rack_members(const Topology& topo) {
  const std::vector<int> rack = rack_index(topo);
  std::vector<std::vector<NodeId>> members;
  for (NodeId id = 0; id < topo.node_count(); ++id) {
    const int r = rack[static_cast<std::size_t>(id)];
    if (r < 0) continue;
    if (static_cast<std::size_t>(r) >= members.size())
      members.resize(static_cast<std::size_t>(r) + 1);
    members[static_cast<std::size_t>(r)].push_back(id);
  }
  return members;
}

}  // namespace topology
