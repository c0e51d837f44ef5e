#include "topology/max_min.h"

#include <catch2/catch.hpp>
#include <cmath>

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
