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
// Deterministic: flows are visited in index order, channels in index order,
// and the arithmetic is the same on every run.
#pragma once

#include <span>
#include <vector>

namespace topology {

// rates[i] is the max-min fair rate of flow i, in the units of `capacity`.
// REQUIRES: every channel index in flows is in [0, capacity.size()), every
// capacity is finite and > 0, and no flow lists a channel twice.
// A flow that crosses no channel is unconstrained: its rate is +infinity.
std::vector<double> max_min_rates(std::span<const double> capacity,
                                  std::span<const std::span<const int>> flows);

// Convenience overload for tests and one-off use.
std::vector<double> max_min_rates(const std::vector<double>& capacity,
                                  const std::vector<std::vector<int>>& flows);

}  // namespace topology
