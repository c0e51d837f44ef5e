// The device side every federated algorithm shares: the availability
// schedules, each client's device (compute node, link speeds) and the
// selector, built once at launch from FlDevicesConfig.
#include "algorithms/sync/fl_devices.h"

#include <stdexcept>
#include <string_view>

#include "sim/random.h"

namespace algo {

FlDevices launch_fl_devices(RunContext& ctx, const FlDevicesConfig& devices,
                            const std::vector<int>& clients, sim::Time preferred_duration) {
  FlDevices out;
  const auto n = clients.size();
  std::vector<std::uint64_t> seeds;  // per client, for the given purpose
  const auto seeds_for = [&](std::string_view purpose) {
    seeds.clear();
    for (int c : clients) {
      seeds.push_back(
          sim::derive_seed(ctx.seed, ctx.nodes[static_cast<std::size_t>(c)].name, purpose));
    }
    return seeds;
  };
  if (devices.availability_trace) {
    if (devices.availability_trace->size() != n) {
      throw std::invalid_argument("availability trace: one schedule per client needed");
    }
    out.schedule = ClientAvailability::from_intervals(*devices.availability_trace);
  } else if (devices.diurnal) {
    out.schedule = ClientAvailability::diurnal(*devices.diurnal, seeds_for("fl-availability"));
  }
  std::vector<DeviceProfile> profiles = devices.device_trace;
  if (profiles.empty() && !devices.tiers.empty()) {
    profiles = assign_tiers(devices.tiers, seeds_for("fl-device-tier"));
  }
  if (!profiles.empty()) {
    if (profiles.size() != n) {
      throw std::invalid_argument("device trace: one device per client needed");
    }
    for (std::size_t k = 0; k < n; ++k) {
      const Node& node = ctx.nodes[static_cast<std::size_t>(clients[k])];
      out.nodes.push_back(with_device(node, profiles[k]));
      apply_link_speeds(*ctx.net, node.host, profiles[k]);
    }
  }
  if (devices.selection != SelectionPolicy::uniform) {
    OortConfig oort = devices.oort;
    if (oort.preferred_duration == 0) oort.preferred_duration = preferred_duration;
    out.selector = std::make_unique<ClientSelector>(devices.selection, oort, static_cast<int>(n));
  }
  return out;
}

}  // namespace algo
