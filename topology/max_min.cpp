#include "topology/max_min.h"

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <limits>

namespace topology {
namespace {

// Per-channel state of one solve, for the channels that some flow crosses.
struct ChannelState {
  int channel;                     // index into capacity
  double remaining;                // capacity not yet handed out
  int unfrozen;                    // flows crossing it that have no rate yet
  std::vector<std::size_t> flows;  // flows crossing it, in flow index order
};

}  // namespace

std::vector<double> max_min_rates(std::span<const double> capacity,
                                  std::span<const std::span<const int>> flows) {
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  std::vector<double> rates(flows.size(), kInfinity);

  // Compact the channels in use, in channel index order, so each round scans
  // only those (and ties go to the lowest channel index). Sorted and searched
  // rather than indexed by channel: the work stays proportional to the flows
  // given, not to the network's size (a 100,000-host star has 200,000 channels).
  std::vector<int> used;
  for (const auto& route : flows) {
    for (int c : route) {
      assert(c >= 0 && static_cast<std::size_t>(c) < capacity.size());
      used.push_back(c);
    }
  }
  std::sort(used.begin(), used.end());
  used.erase(std::unique(used.begin(), used.end()), used.end());
  std::vector<ChannelState> channels;
  channels.reserve(used.size());
  for (int c : used) channels.push_back(ChannelState{c, capacity[static_cast<std::size_t>(c)], 0, {}});
  for (std::size_t f = 0; f < flows.size(); ++f) {
    for (int c : flows[f]) {
      const auto slot = std::lower_bound(used.begin(), used.end(), c) - used.begin();
      ChannelState& state = channels[static_cast<std::size_t>(slot)];
      ++state.unfrozen;
      state.flows.push_back(f);
    }
  }

  std::vector<bool> frozen(flows.size(), false);
  for (;;) {
    // The bottleneck: smallest fair share; strict < keeps the lowest index.
    ChannelState* bottleneck = nullptr;
    double share = kInfinity;
    for (ChannelState& state : channels) {
      if (state.unfrozen == 0) continue;
      const double s = state.remaining / state.unfrozen;
      if (s < share) {
        share = s;
        bottleneck = &state;
      }
    }
    if (bottleneck == nullptr) break;
    for (std::size_t f : bottleneck->flows) {
      if (frozen[f]) continue;
      frozen[f] = true;
      rates[f] = share;
      for (int c : flows[f]) {
        const auto slot = std::lower_bound(used.begin(), used.end(), c) - used.begin();
        ChannelState& state = channels[static_cast<std::size_t>(slot)];
        // Clamp: rounding must not leave a tiny negative capacity behind.
        state.remaining = std::max(0.0, state.remaining - share);
        --state.unfrozen;
      }
    }
  }
  return rates;
}

std::vector<double> max_min_rates(const std::vector<double>& capacity,
                                  const std::vector<std::vector<int>>& flows) {
  std::vector<std::span<const int>> views(flows.begin(), flows.end());
  return max_min_rates(std::span<const double>(capacity),
                       std::span<const std::span<const int>>(views));
}

}  // namespace topology
