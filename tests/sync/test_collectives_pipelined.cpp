// The pipelined collectives against their alpha-beta formulas on a uniform
// star (link bandwidth B, link latency L, so a host-to-host path has latency
// a = 2L). A rank's segments to its neighbour leave one after another, each
// m = segment bytes / B after the one before, and a segment is forwarded as
// soon as it has arrived, so the formulas follow from two rules: a segment
// leaves when it has arrived and when the previous one on the same
// connection has drained. The sizes make m a whole number of nanoseconds, so
// the simulated times equal the formulas to a few nanoseconds.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "algorithms/runtime/collectives.h"
#include "allreduce_run.h"
#include "topology/builders.h"

namespace {

void check_exact(const AllreduceRun& run, double expected_seconds) {
  const double got = sim::to_seconds(run.time());
  INFO("simulated " << got << " s, formula " << expected_seconds << " s");
  CHECK(std::abs(got - expected_seconds) <= 4e-9);
}

}  // namespace

// Ring with k segments per chunk of S/N: 2(N-1) steps, m = S/(N k B). On
// each connection the segments of step t+1 queue behind those of step t,
// and segment s of step t+1 leaves only after segment s of step t has
// arrived (m + a after it left). The last segment arrives at
//   (2(N-1) - 1) max(k m, m + a) + k m + a,
// which is 2(N-1)(a + S/(N B)) for k = 1; with k m >= m + a the latency is
// paid once instead of once per step.
TEST_CASE(
    "a ring all-reduce with k segments on a star pipelines: "
    "(2(N-1) - 1) max(k m, m + a) + k m + a") {
  const int n = GENERATE(2, 4, 8);
  const int k = GENERATE(2, 4, 16);
  const std::size_t per_segment = GENERATE(as<std::size_t>{}, 250, 25'000);  // floats
  const std::size_t elements = static_cast<std::size_t>(n * k) * per_segment;
  AllreduceRun run(star(n), n, elements, spec_of(algo::CollectiveKind::ring, k));
  const double a = sim::to_seconds(2 * kLinkLatency);
  const double m = static_cast<double>(per_segment) * sizeof(float) / kBandwidth;
  const int steps = 2 * (n - 1);
  INFO(n << " ranks, " << k << " segments of " << per_segment << " floats");
  check_exact(run, (steps - 1) * std::max(k * m, m + a) + k * m + a);
  CHECK(run.largest_error() < 1e-5 * n);
  CHECK(run.all_ranks_identical());
}

TEST_CASE(
    "a ring all-reduce with many segments beats the unsegmented one by the latency of "
    "all but one step") {
  const int n = 8;
  const std::size_t elements = 8 * 16 * 25'000;
  AllreduceRun whole(star(n), n, elements, spec_of(algo::CollectiveKind::ring, 1));
  AllreduceRun piped(star(n), n, elements, spec_of(algo::CollectiveKind::ring, 16));
  const double a = sim::to_seconds(2 * kLinkLatency);
  const double saved = sim::to_seconds(whole.time()) - sim::to_seconds(piped.time());
  INFO("saved " << saved << " s");
  CHECK(saved == Approx((2 * (n - 1) - 1) * a).epsilon(1e-6));
}

// Pipelined chain, k segments of S/k, m = S/(k B): the reduce down the chain
// N-1 -> ... -> 0 delivers its last segment to rank 0 after
// (N-1)(a + m) + (k-1) m (the last segment's N-1 hops, behind the k-1
// segments ahead of it on the first connection), and the broadcast back up
// takes as long again: 2((N-1)(a + m) + (k-1) m). k = 1: 2(N-1)(a + S/B).
TEST_CASE("a pipelined chain all-reduce on a star takes 2((N-1)(a + m) + (k-1) m)") {
  const int n = GENERATE(2, 3, 5, 8);
  const int k = GENERATE(1, 4, 16);
  const std::size_t per_segment = GENERATE(as<std::size_t>{}, 250, 25'000);
  const std::size_t elements = static_cast<std::size_t>(k) * per_segment;
  AllreduceRun run(star(n), n, elements, spec_of(algo::CollectiveKind::pipelined_chain, k));
  const double a = sim::to_seconds(2 * kLinkLatency);
  const double m = static_cast<double>(per_segment) * sizeof(float) / kBandwidth;
  INFO(n << " ranks, " << k << " segments of " << per_segment << " floats");
  check_exact(run, 2.0 * ((n - 1) * (a + m) + (k - 1) * m));
  CHECK(run.largest_error() < 1e-5 * n);
  CHECK(run.all_ranks_identical());
}
