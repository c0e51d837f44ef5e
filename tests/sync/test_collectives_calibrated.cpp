// The ring all-reduce on a calibrated star against its alpha-beta formula:
// each of the 2(N-1) steps pays the path latency alpha and the message
// overhead o once, and moves S/N bytes per link at e x B, so
//   T = 2(N-1)(alpha + o) + 2(N-1)/N x S / (e B),
// to the nanosecond each step rounds to; e = 1, o = 0 gives today's time.
#include <catch2/catch.hpp>
#include <cstdlib>

#include "allreduce_run.h"

TEST_CASE("a ring all-reduce on a calibrated star takes 2(N-1)(alpha + o) + 2(N-1)/N S/(e B)") {
  const int n = GENERATE(2, 4, 8);
  const double efficiency = GENERATE(1.0, 0.9, 0.5);
  const sim::Time overhead = GENERATE(sim::Time{0}, sim::Time{30'000});
  const std::size_t elements = static_cast<std::size_t>(n) * 25'000;  // chunks of equal size
  AllreduceRun run(star(n), n, elements, spec_of(algo::CollectiveKind::ring), true,
                   topology::Calibration{efficiency, overhead});
  REQUIRE(run.all_finished());
  const sim::Time alpha = 2 * kLinkLatency;
  const double chunk = static_cast<double>(elements) / n * sizeof(float);
  const sim::Time step = alpha + overhead + sim::from_seconds(chunk / (efficiency * kBandwidth));
  INFO(n << " ranks, efficiency " << efficiency << ", overhead " << overhead << " ns");
  CHECK(std::llabs(run.time() - 2 * (n - 1) * step) <= 2 * (n - 1));
}
