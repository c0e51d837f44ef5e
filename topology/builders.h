// Builders of the standard topologies. Each returns a fresh Topology whose
// hosts are added first, in the order and with the names given (so host i has
// NodeId i), followed by its switches. Bad parameters throw
// std::invalid_argument (zero hosts, duplicate names, bad link parameters, ...).
#pragma once

#include <string>
#include <vector>

#include "sim/time.h"
#include "topology/topology.h"

namespace topology {

// Every host linked to one switch named "switch" by a host_link.
// A host-to-host route crosses two links: latency 2 * host_link.latency.
Topology build_star(const std::vector<std::string>& hosts, LinkParams host_link);
// The same with one link per host: host i is linked by host_links[i] (e.g.
// phones on slow uplinks next to desktops). REQUIRES
// host_links.size() == hosts.size().
Topology build_star(const std::vector<std::string>& hosts,
                    const std::vector<LinkParams>& host_links);

// Host i linked to host (i + 1) mod n, link id i (direction 0 is i -> i+1).
// REQUIRES n >= 2; n == 2 gives a single link (not two parallel ones).
Topology build_ring(const std::vector<std::string>& hosts, LinkParams link);

struct TreeParams {
  int hosts_per_rack = 0;         // >= 1
  LinkParams host_link{};         // host <-> its ToR
  sim::Time uplink_latency = 0;   // ToR <-> spine, >= 0
  double oversubscription = 1.0;  // finite, > 0; 1 = non-blocking
  double uplink_bandwidth = 0.0;  // bytes/s; 0: derived (see tree_uplink_bandwidth)
};

// Every rack's uplink capacity: p.uplink_bandwidth if > 0, else
// hosts_per_rack * host_link.bandwidth / oversubscription, the switch's
// capacity whatever the number of hosts placed under it.
double tree_uplink_bandwidth(const TreeParams& p);

// Two-level tree: consecutive runs of hosts_per_rack hosts (the last rack may
// be partial) under ToR switches "tor0", "tor1", ..., and every ToR under one
// switch "spine" (present even when there is a single rack). Every uplink,
// a partial rack's too, has tree_uplink_bandwidth(p).
// Link ids: host i's link is i, then the uplinks in rack order.
Topology build_two_level_tree(const std::vector<std::string>& hosts, const TreeParams& p);
// The same with one link per host: host i's link to its ToR is
// host_links[i]; p.host_link (the switch's port speed) still sizes the
// uplinks. REQUIRES host_links.size() == hosts.size().
Topology build_two_level_tree(const std::vector<std::string>& hosts, const TreeParams& p,
                              const std::vector<LinkParams>& host_links);

// Rack membership, for hierarchical algorithms. A host's rack is the switch it
// is directly linked to (the lowest-id one if several); racks are numbered
// 0, 1, ... in NodeId order of those switches. So in a two-level tree rack k
// is "tor<k>", in a star every host is in rack 0, and in a ring (no switches)
// no host has a rack.
// Returns a vector indexed by NodeId (size node_count()): the rack index of
// each host, -1 for a host without a switch neighbour and for every switch.
std::vector<int> rack_index(const Topology& topo);

// The hosts of each rack, in NodeId order; racks in rack_index order.
std::vector<std::vector<NodeId>> rack_members(const Topology& topo);

}  // namespace topology
