#include "topology/max_min.h"

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cmath>
#include <limits>

namespace topology {
namespace {

// std::push_heap/pop_heap keep the largest element first under this "less":
// so the smallest share comes first, and among equal shares the lowest channel.
struct After {
  template <class E>
  bool operator()(const E& a, const E& b) const {
    if (a.share != b.share) return a.share > b.share;
    return a.channel > b.channel;
  }
};

}  // namespace

void MaxMinSolver::reserve(std::size_t flows, std::size_t crossings, std::size_t channels) {
  if (channels_.size() < channels) channels_.resize(channels);
  const std::size_t used = std::min(channels, crossings);
  used_.reserve(used);
  changed_.reserve(used);
  members_.reserve(crossings);
  frozen_.reserve(flows);
  heap_.reserve(used + crossings);  // the first entries, then at most one per crossing frozen
}

void MaxMinSolver::solve(std::span<const double> capacity,
                         std::span<const std::span<const int>> flows, std::span<double> rates,
                         std::span<const double> weights) {
  assert(rates.size() == flows.size());
  assert(weights.empty() || weights.size() == flows.size());
  const auto weight = [&weights](std::size_t f) { return weights.empty() ? 1.0 : weights[f]; };
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  std::fill(rates.begin(), rates.end(), kInfinity);
  if (channels_.size() < capacity.size()) channels_.resize(capacity.size());
  ++solves_;

  // The channels in use, and how many flows cross each.
  used_.clear();
  for (std::size_t f = 0; f < flows.size(); ++f) {
    for (int c : flows[f]) {
      assert(c >= 0 && static_cast<std::size_t>(c) < capacity.size());
      Channel& state = channels_[static_cast<std::size_t>(c)];
      if (state.solve != solves_) {
        state.solve = solves_;
        state.remaining = capacity[static_cast<std::size_t>(c)];
        state.unfrozen = 0;
        state.unfrozen_weight = 0.0;
        used_.push_back(c);
      }
      ++state.unfrozen;
      state.unfrozen_weight += weight(f);
    }
  }
  // Each channel's flows, contiguous in members_ (in flow index order).
  std::uint32_t offset = 0;
  for (int c : used_) {
    Channel& state = channels_[static_cast<std::size_t>(c)];
    state.first = offset;
    state.count = 0;
    offset += static_cast<std::uint32_t>(state.unfrozen);
  }
  members_.resize(offset);
  for (std::size_t f = 0; f < flows.size(); ++f) {
    for (int c : flows[f]) {
      Channel& state = channels_[static_cast<std::size_t>(c)];
      members_[state.first + state.count++] = static_cast<std::uint32_t>(f);
    }
  }
  frozen_.assign(flows.size(), 0);

  // A flow alone on every channel it crosses (a ring step's flows, each on its
  // own links) is a component of its own: the first of its channels to become
  // the bottleneck is its narrowest (capacity / 1, ties to the lower index),
  // so its rate is its narrowest capacity, exactly; it needs no heap rounds.
  for (std::size_t f = 0; f < flows.size(); ++f) {
    if (flows[f].empty()) continue;
    bool alone = true;
    double narrowest = kInfinity;
    for (int c : flows[f]) {
      const Channel& state = channels_[static_cast<std::size_t>(c)];
      if (state.unfrozen != 1) {
        alone = false;
        break;
      }
      narrowest = std::min(narrowest, state.remaining);
    }
    if (!alone) continue;
    frozen_[f] = 1;
    rates[f] = narrowest;
    for (int c : flows[f]) channels_[static_cast<std::size_t>(c)].unfrozen = 0;
  }

  heap_.clear();
  for (int c : used_) {
    Channel& state = channels_[static_cast<std::size_t>(c)];
    if (state.unfrozen == 0) continue;
    state.key = state.remaining / state.unfrozen_weight;
    heap_.push_back(Entry{state.key, c, ++state.version});
  }
  std::make_heap(heap_.begin(), heap_.end(), After{});

  while (!heap_.empty()) {
    std::pop_heap(heap_.begin(), heap_.end(), After{});
    const Entry top = heap_.back();
    heap_.pop_back();
    Channel& bottleneck = channels_[static_cast<std::size_t>(top.channel)];
    if (top.version != bottleneck.version || bottleneck.unfrozen == 0) continue;  // superseded
    // The entry's key is a lower bound of the channel's share: if the share
    // grew since, the channel goes back with its share as key.
    const double share = bottleneck.remaining / bottleneck.unfrozen_weight;
    if (share != top.share && !std::isnan(share)) {
      bottleneck.key = share;
      heap_.push_back(Entry{share, top.channel, ++bottleneck.version});
      std::push_heap(heap_.begin(), heap_.end(), After{});
      continue;
    }
    ++round_;
    changed_.clear();
    for (std::uint32_t m = bottleneck.first; m < bottleneck.first + bottleneck.count; ++m) {
      const std::uint32_t f = members_[m];
      if (frozen_[f]) continue;
      frozen_[f] = 1;
      rates[f] = weights.empty() ? share : share * weights[f];
      for (int c : flows[f]) {
        Channel& state = channels_[static_cast<std::size_t>(c)];
        // Clamp: rounding must not leave a tiny negative capacity behind.
        state.remaining = std::max(0.0, state.remaining - rates[f]);
        --state.unfrozen;
        state.unfrozen_weight -= weight(f);
        if (state.round != round_) {
          state.round = round_;
          changed_.push_back(c);
        }
      }
    }
    // A changed channel's share normally grows (it gave up no more than its
    // own share per flow), and its old key stays a valid lower bound; only a
    // share that rounding made smaller needs a new entry now.
    for (int c : changed_) {
      Channel& state = channels_[static_cast<std::size_t>(c)];
      if (state.unfrozen == 0) continue;
      const double now_share = state.remaining / state.unfrozen_weight;
      if (!(now_share < state.key)) continue;
      state.key = now_share;
      heap_.push_back(Entry{now_share, c, ++state.version});
      std::push_heap(heap_.begin(), heap_.end(), After{});
    }
  }
}

std::vector<double> max_min_rates(std::span<const double> capacity,
                                  std::span<const std::span<const int>> flows) {
  std::vector<double> rates(flows.size());
  MaxMinSolver solver;
  solver.solve(capacity, flows, rates);
  return rates;
}

std::vector<double> max_min_rates(const std::vector<double>& capacity,
                                  const std::vector<std::vector<int>>& flows) {
  std::vector<std::span<const int>> views(flows.begin(), flows.end());
  return max_min_rates(std::span<const double>(capacity),
                       std::span<const std::span<const int>>(views));
}

std::vector<double> max_min_rates(const std::vector<double>& capacity,
                                  const std::vector<std::vector<int>>& flows,
                                  const std::vector<double>& weights) {
  std::vector<std::span<const int>> views(flows.begin(), flows.end());
  std::vector<double> rates(flows.size());
  MaxMinSolver solver;
  solver.solve(capacity, views, rates, weights);
  return rates;
}

}  // namespace topology
