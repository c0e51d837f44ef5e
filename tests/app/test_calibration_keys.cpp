// The topology's calibration keys: they load on every topology kind, reach
// the network of a whole run (checked against the ring all-reduce's
// alpha-beta formula), and bad values are reported with location and key.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

#include "app/scenario_loader.h"
#include "run/run.h"
#include "scenario_text.h"

using scenario_text::error_of;
using scenario_text::replace;

namespace {

// Four workers in a ring on a star; one step of a timing-only model of
// (100 + 1) x 1000 + (1000 + 1) x 12 = 113012 parameters, 28253 per chunk.
const std::string kRing = R"yaml(name: t
seed: 3
cluster:
  worker: {count: 4, flops: 5GFLOPS}
topology: {kind: star, bandwidth: 10Gbps, latency: 5us}
data: {dataset: synthetic, samples: 400, features: 100, classes: 12}
model: {layers: [100, 1000, 12]}
algorithm: {kind: allreduce_ring, batch_size: 4}
math: none
stop: {steps: 1}
)yaml";

const std::string kStar = "topology: {kind: star, bandwidth: 10Gbps, latency: 5us";

sim::Time run_time(const std::string& yaml) {
  const app::Scenario s = app::load_scenario_string(yaml, "s.yaml");
  return syncsim::run(s).runs.at(0).totals.time;
}

}  // namespace

TEST_CASE("the calibration keys load on every topology kind") {
  const std::string keys = ", bandwidth_efficiency: 0.95, message_overhead: 30us";
  CHECK(error_of(replace(kRing, kStar, kStar + keys)) == "(no error)");
  CHECK(error_of(replace(kRing, kStar,
                         "topology: {kind: ring, bandwidth: 10Gbps, latency: 5us" + keys)) ==
        "(no error)");
  CHECK(error_of(replace(kRing, kStar,
                         "topology: {kind: tree, hosts_per_rack: 2, bandwidth: 10Gbps, latency: "
                         "5us" +
                             keys)) == "(no error)");
  CHECK(error_of(replace(kRing, kStar + "}",
                         "topology: {kind: explicit, switches: [s], links: ["
                         "{from: worker0, to: s, bandwidth: 10Gbps}, "
                         "{from: worker1, to: s, bandwidth: 10Gbps}, "
                         "{from: worker2, to: s, bandwidth: 10Gbps}, "
                         "{from: worker3, to: s, bandwidth: 10Gbps}]" +
                             keys + "}")) == "(no error)");
}

TEST_CASE("bad calibration values are reported at their key") {
  SECTION("an efficiency of zero") {
    CHECK(error_of(replace(kRing, kStar, kStar + ", bandwidth_efficiency: 0")) ==
          "s.yaml:5:79: topology.bandwidth_efficiency: bandwidth_efficiency is the share of the "
          "bandwidth a transfer gets: it must be greater than 0");
  }
  SECTION("an efficiency above one") {
    CHECK(error_of(replace(kRing, kStar, kStar + ", bandwidth_efficiency: 1.2")) ==
          "s.yaml:5:79: topology.bandwidth_efficiency: must be between 0 and 1, got 1.2");
  }
  SECTION("an efficiency that is not a number") {
    CHECK(error_of(replace(kRing, kStar, kStar + ", bandwidth_efficiency: 95%")) ==
          "s.yaml:5:79: topology.bandwidth_efficiency: expected a number, got '95%'");
  }
  SECTION("an efficiency that leaves a link under 1kbps") {
    const std::string slow = "topology: {kind: star, bandwidth: 10kbps, latency: 5us";
    CHECK(error_of(replace(kRing, kStar, slow + ", bandwidth_efficiency: 0.01")) ==
          "s.yaml:5:79: topology.bandwidth_efficiency: bandwidth_efficiency 0.01 leaves the "
          "slowest link (10kbps) 100bps, under 1kbps (a slower link outlasts simulated time)");
  }
  SECTION("an overhead without a unit") {
    CHECK(error_of(replace(kRing, kStar, kStar + ", message_overhead: 30"))
              .find("s.yaml:5:75: topology.message_overhead: ") == 0);
  }
  SECTION("a negative overhead") {
    CHECK(error_of(replace(kRing, kStar, kStar + ", message_overhead: -1us"))
              .find("s.yaml:5:75: topology.message_overhead: ") == 0);
  }
  SECTION("an overhead over a minute") {
    CHECK(error_of(replace(kRing, kStar, kStar + ", message_overhead: 2min")) ==
          "s.yaml:5:75: topology.message_overhead: message_overhead must be at most 1min per "
          "message, got 120s");
  }
  SECTION("a misspelt key") {
    CHECK(error_of(replace(kRing, kStar, kStar + ", message_overheads: 1us")) ==
          "s.yaml:5:57: topology.message_overheads: unknown key 'message_overheads' (did you mean "
          "'message_overhead'?)");
  }
}

TEST_CASE(
    "a calibrated ring all-reduce step takes 2(N-1)(overhead + chunk / (e B)) more than "
    "an exact one") {
  // Everything else in the step (compute, the apply) is the same in both
  // runs; each of the 2(N-1) ring steps moves one chunk of C bytes per link
  // at e x B instead of B and pays the overhead once.
  const int n = 4;
  const double chunk = 113012.0 / n * 4, bandwidth = 1.25e9;
  const double efficiency = GENERATE(1.0, 0.95, 0.5);
  const sim::Time overhead = GENERATE(sim::Time{0}, sim::Time{30'000});
  INFO("efficiency " << efficiency << ", overhead " << overhead << " ns");
  const sim::Time exact = run_time(kRing);
  const sim::Time calibrated =
      run_time(replace(kRing, kStar,
                       kStar + ", bandwidth_efficiency: " + std::to_string(efficiency) +
                           ", message_overhead: " + std::to_string(overhead) + "ns"));
  const sim::Time per_step = overhead + sim::from_seconds(chunk / (efficiency * bandwidth)) -
                             sim::from_seconds(chunk / bandwidth);
  // To 10 ns a ring step: drain ends are rounded to the nanosecond at each
  // rate change, and the two runs need not change rates at the same points.
  CHECK(std::llabs(calibrated - exact - 2 * (n - 1) * per_step) <= 10 * 2 * (n - 1));
}
