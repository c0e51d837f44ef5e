// What a federated population's devices do, for FedAvg and the strategies
// built on it: when each client is online (a trace or a diurnal generator),
// how fast it computes and how fast its links are (tiers or a trace), how
// many clients a round over-selects, and how it selects them.
// Everything empty or zero: every client always online at the cluster's
// speeds, K clients sampled uniformly (the plain FedAvg round).
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "algorithms/runtime/algorithm.h"

#include "algorithms/runtime/client_availability.h"
#include "algorithms/runtime/client_selection.h"
#include "algorithms/runtime/device_tiers.h"

namespace algo {

struct FlDevicesConfig {
  // Online intervals per client position (a trace); nullopt: no trace.
  std::optional<std::vector<std::vector<OnlineInterval>>> availability_trace;
  std::optional<DiurnalAvailability> diurnal;  // a drawn schedule; nullopt: none
  std::vector<DeviceTier> tiers;               // empty: no tiers
  std::vector<DeviceProfile> device_trace;     // per client position; empty: none
  double over_selection = 0.0;  // o >= 0: a round samples ceil(K (1 + o)), keeps the first K
  SelectionPolicy selection = SelectionPolicy::uniform;
  OortConfig oort;

  bool schedules() const { return availability_trace.has_value() || diurnal.has_value(); }
  bool devices() const { return !tiers.empty() || !device_trace.empty(); }
};

// What launch_fl_devices builds for a run (fl_devices.cpp).
struct FlDevices {
  std::optional<ClientAvailability> schedule;  // nullopt: always online
  std::vector<Node> nodes;                     // with device speeds; empty: the cluster's nodes
  std::unique_ptr<ClientSelector> selector;    // null: uniform
};

// The schedules (a trace, or diurnal draws on each client's stream (seed,
// node name, "fl-availability")), the devices (a trace, or tiers drawn on
// (seed, node name, "fl-device-tier")) with their link speeds applied to
// ctx.net, and the selector (Oort's T defaults to `preferred_duration`).
// `clients`: node indices, in client order. std::invalid_argument when a
// trace does not have one entry per client.
FlDevices launch_fl_devices(RunContext& ctx, const FlDevicesConfig& devices,
                            const std::vector<int>& clients, sim::Time preferred_duration);

// How many clients a round samples: ceil(K (1 + o)), at most n.
int over_selected(int k, double over_selection, int n);

}  // namespace algo
