// The all-reduces on an oversubscribed two-level tree against the
// bottleneck formula: 4 racks of 8 hosts (10 Gb/s host links, latency L),
// uplinks 4:1 oversubscribed (8 x 10 / 4 = 20 Gb/s, latency U), ranks placed
// rack by rack. A step in which every rank sends `bytes` at once takes
//   2L (+ 2U if the partner is in another rack)
//   + bytes / min(B, uplink bandwidth / flows sharing an uplink)
// and the steps follow one another (every rank starts a step when its
// previous one has ended, all at the same time by symmetry).
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "algorithms/runtime/collectives.h"
#include "allreduce_run.h"
#include "topology/builders.h"

namespace {

constexpr int kRacks = 4;
constexpr int kPerRack = 8;
constexpr int kRanks = kRacks * kPerRack;
constexpr sim::Time kUplinkLatency = 10'000;
constexpr double kOversubscription = 4.0;
constexpr double kUplinkBandwidth = kPerRack * kBandwidth / kOversubscription;

topology::Topology oversubscribed_tree() {
  topology::TreeParams p;
  p.hosts_per_rack = kPerRack;
  p.host_link = {kBandwidth, kLinkLatency};
  p.uplink_latency = kUplinkLatency;
  p.oversubscription = kOversubscription;
  return topology::build_two_level_tree(host_names(kRanks), p);
}

// One step: every rank sends `bytes`; `flows` of them share each uplink
// they cross (0 when the step stays inside the racks).
double step_seconds(double bytes, int flows) {
  const double latency = sim::to_seconds(2 * kLinkLatency + (flows > 0 ? 2 * kUplinkLatency : 0));
  const double rate = flows > 0 ? std::min(kBandwidth, kUplinkBandwidth / flows) : kBandwidth;
  return latency + bytes / rate;
}

// The simulated time matches the formula to a few nanoseconds of rounding
// per step.
void check_exact(const AllreduceRun& run, double expected_seconds, int steps) {
  const double got = sim::to_seconds(run.time());
  INFO("simulated " << got << " s, formula " << expected_seconds << " s");
  CHECK(std::abs(got - expected_seconds) <= steps * 2e-9);
}

// Rabenseifner's time: the halving sends S/2, S/4, ... to partners at the
// distances in `order`; the doubling sends the same sizes to the same
// partners in reverse. A partner 8 or more ranks away is in another rack,
// and then every rank of the rack crosses the same uplink.
double rabenseifner_seconds(double bytes, algo::HalvingOrder order) {
  std::vector<int> distances;
  for (int d = 1; d < kRanks; d *= 2) distances.push_back(d);
  if (order == algo::HalvingOrder::farthest_first) {
    std::reverse(distances.begin(), distances.end());
  }
  double total = 0.0;
  double share = bytes;
  for (int d : distances) {
    share /= 2.0;
    total += 2.0 * step_seconds(share, d >= kPerRack ? kPerRack : 0);
  }
  return total;
}

}  // namespace

TEST_CASE("a Rabenseifner all-reduce on a 4:1 tree takes the bottleneck formula in either order") {
  const std::size_t elements = GENERATE(as<std::size_t>{}, 32'000, 3'200'000);
  const auto order =
      GENERATE(algo::HalvingOrder::nearest_first, algo::HalvingOrder::farthest_first);
  const double bytes = static_cast<double>(elements) * sizeof(float);
  INFO(algo::halving_order_name(order) << ", " << bytes << " bytes");
  AllreduceRun run(oversubscribed_tree(), kRanks, elements,
                   algo::CollectiveSpec{algo::CollectiveKind::rabenseifner, 1, order});
  check_exact(run, rabenseifner_seconds(bytes, order), 10);
  CHECK(run.largest_error() < 1e-5 * kRanks);
  CHECK(run.all_ranks_identical());
}

TEST_CASE("on a 4:1 tree the libraries' nearest-first order is 2.6x faster for 100 MB") {
  const std::size_t elements = 25'000'000;  // 100 MB
  const double bytes = static_cast<double>(elements) * sizeof(float);
  const auto time_of = [&](algo::HalvingOrder order) {
    AllreduceRun run(oversubscribed_tree(), kRanks, elements,
                     algo::CollectiveSpec{algo::CollectiveKind::rabenseifner, 1, order}, true);
    check_exact(run, rabenseifner_seconds(bytes, order), 10);
    return sim::to_seconds(run.time());
  };
  const double nearest = time_of(algo::HalvingOrder::nearest_first);
  const double farthest = time_of(algo::HalvingOrder::farthest_first);
  AllreduceRun by_default(oversubscribed_tree(), kRanks, elements,
                          algo::CollectiveSpec{algo::CollectiveKind::rabenseifner}, true);
  CHECK(sim::to_seconds(by_default.time()) == nearest);
  INFO("nearest first " << nearest << " s, farthest first " << farthest << " s");
  // In units of S/B: nearest 2 (7/8 + 4 x 3/32), farthest 2 (4 x 3/4 + 7/32).
  CHECK(farthest / nearest == Approx(3.21875 / 1.25).epsilon(0.001));
}

// Binomial tree: at mask 8 and 16 a single rank per rack crosses an uplink
// (rate B); in the broadcast a parent's sends follow one another, so both
// phases take the sum of the five levels.
TEST_CASE("a binomial-tree all-reduce on a 4:1 tree takes its levels' sum twice") {
  const std::size_t elements = GENERATE(as<std::size_t>{}, 1000, 1'000'000);
  const double bytes = static_cast<double>(elements) * sizeof(float);
  AllreduceRun run(oversubscribed_tree(), kRanks, elements,
                   algo::CollectiveSpec{algo::CollectiveKind::binomial_tree});
  double levels = 0.0;
  for (int mask = 1; mask < kRanks; mask *= 2)
    levels += step_seconds(bytes, mask >= kPerRack ? 1 : 0);
  INFO(bytes << " bytes");
  check_exact(run, 2.0 * levels, 10);
  CHECK(run.largest_error() < 1e-5 * kRanks);
  CHECK(run.all_ranks_identical());
}

// Hierarchical: each rack reduces to its leader and broadcasts back (flat:
// 7 vectors share the leader's link; binomial: 3 levels of one vector), and
// the 4 leaders run a ring, one flow per uplink (rate B), chunks of S/4.
TEST_CASE("a hierarchical all-reduce on a 4:1 tree takes its rack phases and the leaders' ring") {
  const std::size_t elements = GENERATE(as<std::size_t>{}, 1000, 1'000'000);
  const auto intra = GENERATE(algo::IntraRack::binomial, algo::IntraRack::flat);
  const double bytes = static_cast<double>(elements) * sizeof(float);
  algo::CollectiveSpec spec{algo::CollectiveKind::hierarchical};
  spec.intra_rack = intra;
  AllreduceRun run(oversubscribed_tree(), kRanks, elements, spec);
  const double rack_phase = intra == algo::IntraRack::flat ? step_seconds((kPerRack - 1) * bytes, 0)
                                                           : 3.0 * step_seconds(bytes, 0);
  const double ring = 2.0 * (kRacks - 1) * step_seconds(bytes / kRacks, 1);
  INFO(algo::intra_rack_name(intra) << ", " << bytes << " bytes");
  check_exact(run, 2.0 * rack_phase + ring, 20);
  CHECK(run.largest_error() < 1e-5 * kRanks);
}

// Hierarchical with a ring inside each rack: the rack's reduce-scatter is
// 7 ring steps of S/8 inside the rack (one flow per host link, rate B); the
// 8 shard rings of the 4 racks run side by side, 2 x 3 steps of S/32, and
// every ring's hop from one rack to the next crosses both racks' uplinks,
// each carrying the 8 rings' flows (rate min(B, U/8)); then the all-gather
// is 7 steps of S/8 again.
TEST_CASE(
    "a hierarchical all-reduce with intra_rack ring on a 4:1 tree takes 2 (H-1) rack "
    "steps of S/H and 2 (R-1) shard-ring steps of S/(HR), H flows per uplink") {
  const std::size_t elements = GENERATE(as<std::size_t>{}, 3200, 3'200'000);
  const double bytes = static_cast<double>(elements) * sizeof(float);
  algo::CollectiveSpec spec{algo::CollectiveKind::hierarchical};
  spec.intra_rack = algo::IntraRack::ring;
  AllreduceRun run(oversubscribed_tree(), kRanks, elements, spec);
  const double rack = 2.0 * (kPerRack - 1) * step_seconds(bytes / kPerRack, 0);
  const double across = 2.0 * (kRacks - 1) * step_seconds(bytes / kPerRack / kRacks, kPerRack);
  INFO(bytes << " bytes");
  check_exact(run, rack + across, 20);
  CHECK(run.largest_error() < 1e-5 * kRanks);
  CHECK(run.all_ranks_identical());
}

// Ring steps on 2 racks of 2 (ring 0 -> 1 -> 2 -> 3 -> 0: hops 1 -> 2 and
// 3 -> 0 cross the uplinks, latency a_x = 2L + 2U, the others a = 2L; one
// flow per link direction, chunks of c = S/4 at B). Eager: a rank's step t
// ends when rank - 1's step t - 1 has ended plus that hop, so the last of the
// 6 steps ends after the costliest 6 consecutive hops (3 across, 3 inside)
// plus 6 c/B, computed here hop by hop. Rendezvous: every rank also waits
// for its own send, so every step takes the slowest hop: 6 (a_x + c/B).
TEST_CASE(
    "ring steps on a tree: eager waits for the incoming chunk, rendezvous for the slowest hop") {
  const std::size_t elements = GENERATE(as<std::size_t>{}, 4000, 400'000);
  const auto protocol = GENERATE(algo::RingProtocol::eager, algo::RingProtocol::rendezvous);
  const double bytes = static_cast<double>(elements) * sizeof(float);
  topology::TreeParams p;
  p.hosts_per_rack = 2;
  p.host_link = {kBandwidth, kLinkLatency};
  p.uplink_latency = kUplinkLatency;
  algo::CollectiveSpec spec{algo::CollectiveKind::ring};
  spec.protocol = protocol;
  AllreduceRun run(topology::build_two_level_tree(host_names(4), p), 4, elements, spec);
  const double inside = sim::to_seconds(2 * kLinkLatency);
  const double across = sim::to_seconds(2 * kLinkLatency + 2 * kUplinkLatency);
  const double chunk = bytes / 4 / kBandwidth;
  const auto hop = [&](int to) { return to % 2 == 0 ? across : inside; };  // into rank `to`
  double expected = 0.0;
  if (protocol == algo::RingProtocol::rendezvous) {
    expected = 6 * (across + chunk);
  } else {
    std::vector<double> done(4, 0.0);  // when each rank's latest step ended
    for (int step = 0; step < 6; ++step) {
      std::vector<double> next(4);
      for (int r = 0; r < 4; ++r) next[r] = done[(r + 3) % 4] + hop(r) + chunk;
      done = next;
    }
    expected = *std::max_element(done.begin(), done.end());
    CHECK(expected == Approx(3 * across + 3 * inside + 6 * chunk));
  }
  INFO(algo::ring_protocol_name(protocol) << ", " << bytes << " bytes");
  check_exact(run, expected, 12);
  CHECK(run.largest_error() < 1e-5 * 4);
  CHECK(run.all_ranks_identical());
}
