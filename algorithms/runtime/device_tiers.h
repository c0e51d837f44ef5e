// Federated clients' devices: how fast each one computes and how fast its
// own network links are, drawn from named tiers (a seeded assignment) or
// given per client (a trace).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "algorithms/runtime/cluster.h"
#include "topology/network.h"

namespace algo {

struct DeviceProfile {
  double compute = 1.0;  // factor on the node's FLOP/s, > 0
  double uplink = 0.0;   // bytes/s out of the client's host on each of its links; 0: the topology's
  double downlink = 0.0;  // bytes/s into the client's host on each of its links; 0: the topology's
};

struct DeviceTier {
  std::string name;
  double share = 0.0;  // of the clients, in (0, 1]; the tiers' shares sum to 1
  DeviceProfile profile;
};

// One tier per client: client k draws u ~ U[0, 1) from its own stream
// seeds[k] and takes the first tier whose cumulative share exceeds u (the
// last tier if rounding leaves u past them all). So a client's tier does not
// depend on the other clients. std::invalid_argument on no tiers, a share
// outside (0, 1], or shares that do not sum to 1 (within 1e-9).
std::vector<DeviceProfile> assign_tiers(const std::vector<DeviceTier>& tiers,
                                        const std::vector<std::uint64_t>& seeds);

// The node as its device computes: flop_rate x profile.compute.
Node with_device(Node node, const DeviceProfile& profile);

// Sets the capacity of every link at `host`, per direction: out of the host
// to profile.uplink, into it to profile.downlink (where they are > 0).
void apply_link_speeds(topology::Network& net, topology::NodeId host, const DeviceProfile& profile);

}  // namespace algo
