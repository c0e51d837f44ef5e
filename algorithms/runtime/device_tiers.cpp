#include "algorithms/runtime/device_tiers.h"

#include <cmath>
#include <stdexcept>

#include "sim/random.h"
#include "topology/routing.h"

namespace algo {

std::vector<DeviceProfile> assign_tiers(const std::vector<DeviceTier>& tiers,
                                        const std::vector<std::uint64_t>& seeds) {
  if (tiers.empty()) throw std::invalid_argument("device tiers: need at least one tier");
  double total = 0.0;
  for (const DeviceTier& tier : tiers) {
    if (!(tier.share > 0 && tier.share <= 1)) {
      throw std::invalid_argument("device tier " + tier.name + ": share must be in (0, 1]");
    }
    total += tier.share;
  }
  if (std::abs(total - 1.0) > 1e-9) {
    throw std::invalid_argument("device tiers: shares must sum to 1");
  }
  std::vector<DeviceProfile> profiles;
  profiles.reserve(seeds.size());
  for (std::uint64_t seed : seeds) {
    sim::RandomStream stream(seed);
    const double u = stream.uniform();
    double cumulative = 0.0;
    const DeviceTier* chosen = &tiers.back();
    for (const DeviceTier& tier : tiers) {
      cumulative += tier.share;
      if (u < cumulative) {
        chosen = &tier;
        break;
      }
    }
    profiles.push_back(chosen->profile);
  }
  return profiles;
}

Node with_device(Node node, const DeviceProfile& profile) {
  node.flop_rate *= profile.compute;
  return node;
}

void apply_link_speeds(topology::Network& net, topology::NodeId host,
                       const DeviceProfile& profile) {
  const topology::Topology& topo = net.topology();
  for (const auto& [link, neighbour] : topo.incident_links(host)) {
    // Direction 0 runs from the link's first end to its second.
    const int out = topo.link_ends(link).first == host ? 0 : 1;
    if (profile.uplink > 0)
      net.set_channel_bandwidth(topology::channel_of(link, out), profile.uplink);
    if (profile.downlink > 0) {
      net.set_channel_bandwidth(topology::channel_of(link, 1 - out), profile.downlink);
    }
  }
}

}  // namespace algo
