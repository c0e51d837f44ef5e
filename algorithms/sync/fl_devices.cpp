// The device side every federated algorithm shares: the availability
// schedules, each client's device (compute node, link speeds) and the
// selector, built once at launch from FlDevicesConfig.
#include "algorithms/sync/fl_devices.h"

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "sim/random.h"

namespace algo {

FlPopulation build_fl_population(RunContext& ctx, const std::vector<int>& clients,
                                 const FlDevicesConfig& devices, sim::Time preferred_duration,
                                 std::string_view kind) {
  FlPopulation population;
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
  const std::string name(kind);
  if (devices.availability_trace) {
    if (devices.availability_trace->size() != n) {
      throw std::invalid_argument(name + " availability trace: one schedule per client needed");
    }
    population.schedule = ClientAvailability::from_intervals(*devices.availability_trace);
  } else if (devices.diurnal) {
    population.schedule =
        ClientAvailability::diurnal(*devices.diurnal, seeds_for("fl-availability"));
  }
  std::vector<DeviceProfile> profiles = devices.device_trace;
  if (profiles.empty() && !devices.tiers.empty()) {
    profiles = assign_tiers(devices.tiers, seeds_for("fl-device-tier"));
  }
  if (!profiles.empty()) {
    if (profiles.size() != n) {
      throw std::invalid_argument(name + " device trace: one device per client needed");
    }
    for (std::size_t k = 0; k < n; ++k) {
      const Node& node = ctx.nodes[static_cast<std::size_t>(clients[k])];
      population.device_nodes.push_back(with_device(node, profiles[k]));
      apply_link_speeds(*ctx.net, node.host, profiles[k]);
    }
  }
  if (devices.selection != SelectionPolicy::uniform) {
    OortConfig oort = devices.oort;
    if (oort.preferred_duration == 0) oort.preferred_duration = preferred_duration;
    population.selector =
        std::make_unique<ClientSelector>(devices.selection, oort, static_cast<int>(n));
  }
  return population;
}

std::vector<int> FlPopulation::sample(int n, int count, sim::Time now,
                                      sim::RandomStream& sampling) {
  std::vector<int> candidates;  // increasing
  for (int c = 0; c < n; ++c) {
    if (!schedule || schedule->online(c, now)) candidates.push_back(c);
  }
  if (selector) return selector->select(candidates, count, sampling);
  return ClientSelector::uniform(std::move(candidates), count, sampling);
}

std::optional<sim::Time> FlPopulation::next_online(int n, sim::Time now) {
  if (!schedule) return now;
  std::optional<sim::Time> next;
  for (int c = 0; c < n; ++c) {
    if (schedule->online(c, now)) return now;
    const std::optional<sim::Time> back = schedule->next_online(c, now);
    if (back && (!next || *back < *next)) next = back;
  }
  return next;
}

}  // namespace algo
