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
  FlDevices devices = launch_fl_devices(ctx, config_.devices, config_.clients, config_.deadline);
  schedule_ = std::move(devices.schedule);
  device_nodes_ = std::move(devices.nodes);
  selector_ = std::move(devices.selector);
}

const Node& FedAvg::compute_node(int client) const {
  if (device_nodes_.empty()) return client_node(client);
  return device_nodes_[static_cast<std::size_t>(client)];
}

std::vector<int> FedAvg::sample_clients() {
  const auto n = static_cast<int>(config_.clients.size());
  std::vector<int> candidates;  // increasing
  const sim::Time now = ctx_->sim->now();
  for (int c = 0; c < n; ++c) {
    if (!schedule_ || schedule_->online(c, now)) candidates.push_back(c);
  }
  const int count = over_selected(config_.clients_per_round, config_.devices.over_selection, n);
  if (selector_) return selector_->select(candidates, count, *sampling_);
  return ClientSelector::uniform(std::move(candidates), count, *sampling_);
}

std::optional<sim::Time> FedAvg::offline_at(int client) {
  if (!schedule_) return std::nullopt;
  return schedule_->online_until(client, ctx_->sim->now());
}

sim::Task FedAvg::wait_for_online(bool& any) {
  any = true;
  if (!schedule_) co_return;
  const auto n = static_cast<int>(config_.clients.size());
  const sim::Time now = ctx_->sim->now();
  std::optional<sim::Time> next;
  for (int c = 0; c < n; ++c) {
    if (schedule_->online(c, now)) co_return;
    const std::optional<sim::Time> back = schedule_->next_online(c, now);
    if (back && (!next || *back < *next)) next = back;
  }
  if (!next) {
    any = false;
    none_left_online_ = true;
    co_return;
  }
  co_await ctx_->sim->sleep(*next - now);
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
