// What a federated population's devices do, for FedAvg and the strategies
// built on it: when each client is online (a trace or a diurnal generator),
// how fast it computes and how fast its links are (tiers or a trace), how
// many clients a round over-selects, and how it selects them.
// Everything empty or zero: every client always online at the cluster's
// speeds, K clients sampled uniformly (the plain FedAvg round).
#pragma once

#include <memory>
#include <optional>
#include <string_view>
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

// How many clients a round samples: ceil(K (1 + o)), at most n.
int over_selected(int k, double over_selection, int n);

// A population's device state for one run (fl_devices.cpp), shared by
// every federated algorithm that takes the device keys.
struct FlPopulation {
  std::optional<ClientAvailability> schedule;  // nullopt: always online
  std::vector<Node> device_nodes;              // with device speeds; empty: the cluster's nodes
  std::unique_ptr<ClientSelector> selector;    // null: uniform

  // The clients (positions) among `n` online at `now` (all without a
  // schedule), then `count` of them by the selection policy, increasing.
  std::vector<int> sample(int n, int count, sim::Time now, sim::RandomStream& sampling);
  // The first instant >= now at which some client is online; nullopt if
  // none ever is again. Now without a schedule.
  std::optional<sim::Time> next_online(int n, sim::Time now);
};

// Builds the schedules and the selector, and applies device speeds to the
// clients' links (ctx.net). `clients`: node indices; `preferred_duration`:
// Oort's T when its keys leave it 0; `kind` names the algorithm in errors.
// std::invalid_argument on a trace that does not cover every client.
FlPopulation build_fl_population(RunContext& ctx, const std::vector<int>& clients,
                                 const FlDevicesConfig& devices, sim::Time preferred_duration,
                                 std::string_view kind);

}  // namespace algo
