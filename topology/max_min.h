// Max-min fair rate allocation by progressive filling: the pure solver, with
// no simulator in sight, so it can be tested on textbook examples.
//
// Given channels with capacities and flows that each cross a list of
// channels, the max-min fair allocation is the one where no flow's rate can
// grow without shrinking the rate of a flow that is no faster. Progressive
// filling reaches it: repeatedly take the channel with the smallest fair
// share (remaining capacity / number of its unfrozen flows; ties to the lowest
// channel index), give that share to each of its unfrozen flows, freeze them,
// and subtract their rates from every channel they cross.
//
// The bottleneck of each round comes from a min-heap of (key, channel index)
// whose keys are lower bounds of the channels' shares. A round only takes
// capacity a channel's flows would get anyway, so the shares of the channels
// it touches grow and their keys stay valid: they are not pushed again. A
// popped channel whose share has grown since its push goes back with its
// share as key; one whose key equals its share is the bottleneck (no other
// channel's share can be below it). Only a share that rounding made smaller
// is pushed at once. So a round costs its frozen flows' crossings plus
// O(log m) per channel it really reorders, not a push per touched channel:
// O(k + (m + r) log m) for k crossings, m channels and r re-pushes.
//
// Deterministic: the heap picks the same bottleneck as a scan would (the
// smallest share, ties to the lowest channel index), and within a round every
// frozen flow subtracts the same share, so the rates do not depend on the
// order of the flows, and the arithmetic is the same on every run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace topology {

// Reusable solver: its scratch (per-channel state, heap, flow lists) grows to
// the largest problem seen and is kept, so a warm solver allocates nothing.
class MaxMinSolver {
 public:
  // rates[i] = the max-min fair rate of flows[i], in the units of `capacity`.
  // REQUIRES: rates.size() == flows.size(); every channel index in flows is in
  // [0, capacity.size()), every capacity is finite and > 0, and no flow lists
  // a channel twice. A flow that crosses no channel is unconstrained: its
  // rate is +infinity.
  //
  // weights (optional: empty means every flow weighs 1): weighted max-min,
  // where a bottleneck channel's remaining capacity is split in proportion
  // to the weights of its unfrozen flows (a flow of weight w gets w x the
  // channel's share per unit of weight). REQUIRES: weights empty or one per
  // flow, each finite and > 0. With all weights 1 the rates are bit for bit
  // those of the unweighted solve.
  void solve(std::span<const double> capacity, std::span<const std::span<const int>> flows,
             std::span<double> rates, std::span<const double> weights = {});
  // Sizes the scratch for solves of up to `flows` flows crossing, in all, up
  // to `crossings` (flow, channel) pairs of `channels` channels, so that such
  // solves allocate nothing.
  void reserve(std::size_t flows, std::size_t crossings, std::size_t channels);

 private:
  struct Channel {
    double remaining = 0.0;        // capacity not yet handed out
    int unfrozen = 0;              // flows crossing it that have no rate yet
    double unfrozen_weight = 0.0;  // their summed weights (== unfrozen when unweighted)
    std::uint32_t first = 0;       // its flows are members_[first, first + count)
    std::uint32_t count = 0;
    double key = 0.0;           // share of its live heap entry: <= its share while unfrozen
    std::uint32_t version = 0;  // of its live heap entry: older entries are superseded
    std::uint64_t solve = 0;    // == solves_ while the channel is in use this solve
    std::uint64_t round = 0;    // == round_ once queued for a re-push this round
  };
  struct Entry {
    double share;
    int channel;
    std::uint32_t version;
  };

  std::vector<Channel> channels_;       // by channel index; only used ones are touched
  std::vector<int> used_;               // channels crossed by this solve's flows
  std::vector<std::uint32_t> members_;  // flow indices, grouped by channel
  std::vector<char> frozen_;            // by flow
  std::vector<Entry> heap_;             // min-heap by (share, channel)
  std::vector<int> changed_;            // channels changed by the current round
  std::uint64_t solves_ = 0;
  std::uint64_t round_ = 0;
};

// One-off solve (a fresh solver each call), for tests and one-off use.
std::vector<double> max_min_rates(const std::vector<double>& capacity,
                                  const std::vector<std::vector<int>>& flows,
                                  const std::vector<double>& weights);
std::vector<double> max_min_rates(std::span<const double> capacity,
                                  std::span<const std::span<const int>> flows);
std::vector<double> max_min_rates(const std::vector<double>& capacity,
                                  const std::vector<std::vector<int>>& flows);

}  // namespace topology
