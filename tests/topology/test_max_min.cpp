#include "topology/max_min.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <span>
#include <vector>

#include "sim/random.h"

using topology::max_min_rates;

TEST_CASE("max-min fair rates by progressive filling", "[max_min]") {
  SECTION("one flow gets the whole of its narrowest channel") {
    // Oracle: min capacity along the path.
    CHECK(max_min_rates({5.0, 2.0, 9.0}, {{0, 1, 2}}) == std::vector<double>{2.0});
  }
  SECTION("N flows on one channel each get capacity / N") {
    const int n = GENERATE(1, 2, 3, 4, 7);
    const std::vector<std::vector<int>> flows(static_cast<std::size_t>(n), std::vector<int>{0});
    const auto rates = max_min_rates({12.0}, flows);
    for (double r : rates) CHECK(r == Approx(12.0 / n));
  }
  SECTION("textbook: A over L1+L2, B over L1, C over L2, both capacity 1 -> all 0.5") {
    const auto rates = max_min_rates({1.0, 1.0}, {{0, 1}, {0}, {1}});
    CHECK(rates == std::vector<double>{0.5, 0.5, 0.5});
  }
  SECTION("asymmetric: capacities 1 and 2 -> A 0.5, B 0.5, C 1.5") {
    // Oracle: L1 is the bottleneck (1/2 < 2/2); A and B freeze at 0.5, C takes
    // what A leaves of L2.
    const auto rates = max_min_rates({1.0, 2.0}, {{0, 1}, {0}, {1}});
    CHECK(rates == std::vector<double>{0.5, 0.5, 1.5});
  }
  SECTION("a flow limited elsewhere leaves its share to the others") {
    // Channel 0 (cap 10) has flows 0,1,2; flow 2 also crosses channel 1 (cap 1).
    // Oracle: flow 2 = 1, flows 0 and 1 split the remaining 9.
    const auto rates = max_min_rates({10.0, 1.0}, {{0}, {0}, {0, 1}});
    CHECK(rates == std::vector<double>{4.5, 4.5, 1.0});
  }
  SECTION("a flow crossing no channel is unconstrained") {
    const auto rates = max_min_rates({1.0}, {{}, {0}});
    CHECK(std::isinf(rates[0]));
    CHECK(rates[1] == 1.0);
  }
  SECTION("no flows, no rates") { CHECK(max_min_rates({1.0}, {}).empty()); }
  SECTION("unused channels do not matter") {
    CHECK(max_min_rates({0.001, 3.0, 0.002}, {{1}}) == std::vector<double>{3.0});
  }
  SECTION("the allocation is feasible and every flow has a saturated bottleneck") {
    // Oracle: the max-min characterisation itself, on a tangled case.
    const std::vector<double> cap{3.0, 1.0, 4.0, 1.5, 9.0};
    const std::vector<std::vector<int>> flows{{0, 1}, {0, 2}, {2, 3}, {3, 4}, {4}, {0, 2, 4}};
    const auto rates = max_min_rates(cap, flows);
    std::vector<double> load(cap.size(), 0.0);
    for (std::size_t f = 0; f < flows.size(); ++f) {
      for (int c : flows[f]) load[static_cast<std::size_t>(c)] += rates[f];
    }
    for (std::size_t c = 0; c < cap.size(); ++c) CHECK(load[c] <= cap[c] + 1e-12);
    for (std::size_t f = 0; f < flows.size(); ++f) {
      bool has_bottleneck = false;
      for (int c : flows[f]) {
        const auto cu = static_cast<std::size_t>(c);
        bool fastest = true;
        for (std::size_t g = 0; g < flows.size(); ++g) {
          for (int d : flows[g]) {
            if (d == c && rates[g] > rates[f] + 1e-12) fastest = false;
          }
        }
        if (load[cu] >= cap[cu] - 1e-12 && fastest) has_bottleneck = true;
      }
      CHECK(has_bottleneck);
    }
  }
}

namespace {

// The definition executed literally: each round rescans every channel in use
// for the smallest share (strict <, so ties go to the lowest index), freezes
// its flows in index order. The heap-based solver must match it bit for bit,
// since the network's arrival times (and so every output) follow its rates.
// With weights (one per flow), a channel's share is per unit of weight and a
// frozen flow gets share x its weight; its flows are frozen in index order.
std::vector<double> rescan_rates(const std::vector<double>& capacity,
                                 const std::vector<std::vector<int>>& flows,
                                 const std::vector<double>& weights = {}) {
  const auto weight = [&weights](std::size_t f) { return weights.empty() ? 1.0 : weights[f]; };
  std::vector<double> rates(flows.size(), std::numeric_limits<double>::infinity());
  std::vector<double> remaining = capacity;
  std::vector<int> unfrozen(capacity.size(), 0);
  std::vector<double> unfrozen_weight(capacity.size(), 0.0);
  for (std::size_t f = 0; f < flows.size(); ++f) {
    for (int c : flows[f]) {
      ++unfrozen[static_cast<std::size_t>(c)];
      unfrozen_weight[static_cast<std::size_t>(c)] += weight(f);
    }
  }
  std::vector<bool> frozen(flows.size(), false);
  // A flow alone on all its channels gets their narrowest capacity whatever
  // its weight ("a flow alone on its links gets their full bandwidth"); with
  // weight 1 that is what its first round would give it anyway.
  for (std::size_t f = 0; f < flows.size(); ++f) {
    const auto& route = flows[f];
    if (route.empty() || std::any_of(route.begin(), route.end(), [&](int c) {
          return unfrozen[static_cast<std::size_t>(c)] != 1;
        })) {
      continue;
    }
    frozen[f] = true;
    rates[f] = std::numeric_limits<double>::infinity();
    for (int c : route) rates[f] = std::min(rates[f], capacity[static_cast<std::size_t>(c)]);
    for (int c : route) unfrozen[static_cast<std::size_t>(c)] = 0;
  }
  for (;;) {
    int bottleneck = -1;
    double share = std::numeric_limits<double>::infinity();
    for (std::size_t c = 0; c < capacity.size(); ++c) {
      if (unfrozen[c] == 0) continue;
      const double s = remaining[c] / unfrozen_weight[c];
      if (s < share) {
        share = s;
        bottleneck = static_cast<int>(c);
      }
    }
    if (bottleneck < 0) break;
    for (std::size_t f = 0; f < flows.size(); ++f) {
      const auto& route = flows[f];
      if (frozen[f] || std::find(route.begin(), route.end(), bottleneck) == route.end()) continue;
      frozen[f] = true;
      rates[f] = weights.empty() ? share : share * weights[f];
      for (int c : route) {
        auto& r = remaining[static_cast<std::size_t>(c)];
        r = std::max(0.0, r - rates[f]);
        --unfrozen[static_cast<std::size_t>(c)];
        unfrozen_weight[static_cast<std::size_t>(c)] -= weight(f);
      }
    }
  }
  return rates;
}

}  // namespace

TEST_CASE("the heap solver equals a full rescan per round, bit for bit", "[max_min]") {
  // Random problems, some with small integer capacities so that equal shares
  // (ties) are common; one solver reused across all of them, as the network does.
  sim::RandomStream random(GENERATE(1u, 2u, 3u, 4u, 5u));
  topology::MaxMinSolver solver;
  for (int problem = 0; problem < 200; ++problem) {
    const std::size_t channels = 1 + random.below(30);
    const bool ties = random.bernoulli(0.5);
    std::vector<double> capacity;
    for (std::size_t c = 0; c < channels; ++c) {
      capacity.push_back(ties ? static_cast<double>(1 + random.below(4))
                              : random.uniform(0.1, 10.0));
    }
    std::vector<std::vector<int>> flows(random.below(40));
    for (auto& route : flows) {
      const std::size_t hops = random.below(std::min<std::size_t>(channels, 5) + 1);
      while (route.size() < hops) {
        const int c = static_cast<int>(random.below(channels));
        if (std::find(route.begin(), route.end(), c) == route.end()) route.push_back(c);
      }
    }
    std::vector<std::span<const int>> views(flows.begin(), flows.end());
    std::vector<double> rates(flows.size());
    solver.solve(capacity, views, rates);
    const std::vector<double> expected = rescan_rates(capacity, flows);
    for (std::size_t f = 0; f < flows.size(); ++f) {
      INFO("problem " << problem << " flow " << f);
      CHECK(std::memcmp(&rates[f], &expected[f], sizeof(double)) == 0);
    }
  }
}

TEST_CASE("the weighted heap solver equals a full rescan per round, bit for bit", "[max_min]") {
  // As above with a weight per flow (the network's rtt sharing: 1 / latency),
  // where a round's flows subtract different rates, so the order of the
  // subtractions shows in the bits; half the problems use few distinct
  // weights, so equal shares still tie.
  sim::RandomStream random(GENERATE(11u, 12u, 13u, 14u, 15u, 16u, 17u, 18u));
  topology::MaxMinSolver solver;
  for (int problem = 0; problem < 200; ++problem) {
    const std::size_t channels = 1 + random.below(30);
    const bool ties = random.bernoulli(0.5);
    std::vector<double> capacity;
    for (std::size_t c = 0; c < channels; ++c) {
      capacity.push_back(ties ? static_cast<double>(1 + random.below(4))
                              : random.uniform(0.1, 10.0));
    }
    std::vector<std::vector<int>> flows(random.below(60));
    std::vector<double> weights;
    for (auto& route : flows) {
      const std::size_t hops = random.below(std::min<std::size_t>(channels, 5) + 1);
      while (route.size() < hops) {
        const int c = static_cast<int>(random.below(channels));
        if (std::find(route.begin(), route.end(), c) == route.end()) route.push_back(c);
      }
      weights.push_back(ties ? 1.0 / static_cast<double>(1 + random.below(3))
                             : 1.0 / random.uniform(1e-6, 1e-3));
    }
    std::vector<std::span<const int>> views(flows.begin(), flows.end());
    std::vector<double> rates(flows.size());
    solver.solve(capacity, views, rates, weights);
    const std::vector<double> expected = rescan_rates(capacity, flows, weights);
    for (std::size_t f = 0; f < flows.size(); ++f) {
      INFO("problem " << problem << " flow " << f);
      CHECK(std::memcmp(&rates[f], &expected[f], sizeof(double)) == 0);
    }
  }
}
