// FedAvg's device side: who is online when (availability schedules), how
// fast each client's device computes and talks (tiers, device traces), and
// how a round picks its clients (uniform or oort, with over-selection).
// The round itself is in fedavg.cpp.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "algorithms/sync/fedavg.h"
#include "algorithms/sync/fedavg_client_round.h"
#include "sim/random.h"

namespace algo {

int over_selected(int k, double over_selection, int n) {
  if (!(over_selection >= 0)) throw std::invalid_argument("over_selection must be >= 0");
  // K (1 + o) in floating point may land a hair above an integer (10 x 1.1).
  const double wanted = std::ceil(static_cast<double>(k) * (1.0 + over_selection) - 1e-9);
  return static_cast<int>(std::min(wanted, static_cast<double>(n)));
}

void FedAvg::launch_devices(RunContext& ctx) {
  population_ =
      build_fl_population(ctx, config_.clients, config_.devices, config_.deadline, "fedavg");
}

const Node& FedAvg::compute_node(int client) const {
  if (population_.device_nodes.empty()) return client_node(client);
  return population_.device_nodes[static_cast<std::size_t>(client)];
}

std::vector<int> FedAvg::sample_clients() {
  const auto n = static_cast<int>(config_.clients.size());
  const int count = over_selected(config_.clients_per_round, config_.devices.over_selection, n);
  return population_.sample(n, count, ctx_->sim->now(), *sampling_);
}

std::optional<sim::Time> FedAvg::offline_at(int client) {
  if (!population_.schedule) return std::nullopt;
  return population_.schedule->online_until(client, ctx_->sim->now());
}

sim::Task FedAvg::wait_for_online(bool& any) {
  const sim::Time now = ctx_->sim->now();
  const std::optional<sim::Time> next =
      population_.next_online(static_cast<int>(config_.clients.size()), now);
  any = next.has_value();
  if (!any) {
    none_left_online_ = true;
    co_return;
  }
  if (*next > now) co_await ctx_->sim->sleep(*next - now);
}

std::optional<sim::Time> FedAvg::next_offline() const {
  std::optional<sim::Time> earliest;
  for (const auto& state : in_round_) {
    if (!state->offline_at || state->received || state->gone_offline) continue;
    if (!earliest || *state->offline_at < *earliest) earliest = state->offline_at;
  }
  return earliest;
}

std::size_t FedAvg::mark_offline() {
  std::size_t marked = 0;
  const sim::Time now = ctx_->sim->now();
  for (const auto& state : in_round_) {
    if (!state->offline_at || state->received || state->gone_offline) continue;
    if (*state->offline_at <= now) {
      state->gone_offline = true;
      ++marked;
    }
  }
  return marked;
}

}  // namespace algo
