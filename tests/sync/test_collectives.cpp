// The all-reduce collectives against two oracles:
//  - the math: every rank ends with the directly computed element-wise sum
//    (float tolerance), and all ranks with the same bits;
//  - the timing: on a uniform star (link bandwidth B, link latency L, so a
//    host-to-host path has latency alpha = 2L), the simulated time equals the
//    alpha-beta formula of each algorithm (see collectives.h), within 1%.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "algorithms/runtime/collectives.h"
#include "allreduce_run.h"
#include "topology/builders.h"

TEST_CASE(
    "every all-reduce leaves the exact sum, bit-identical, on every rank; with sizes alone "
    "(math: none) every rank finishes at the same time after the same bytes") {
  const int ranks = GENERATE(1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 16);
  const std::size_t elements = GENERATE(as<std::size_t>{}, 1, 7, 1000);
  for (const auto& spec :
       {spec_of(algo::CollectiveKind::ring), spec_of(algo::CollectiveKind::ring, 3),
        spec_of(algo::CollectiveKind::rabenseifner),
        algo::CollectiveSpec{algo::CollectiveKind::rabenseifner, 1,
                             algo::HalvingOrder::farthest_first},
        spec_of(algo::CollectiveKind::binary_tree), spec_of(algo::CollectiveKind::binomial_tree),
        spec_of(algo::CollectiveKind::pipelined_chain),
        spec_of(algo::CollectiveKind::pipelined_chain, 4),
        algo::CollectiveSpec{algo::CollectiveKind::ring, 3, algo::HalvingOrder::nearest_first,
                             algo::IntraRack::binomial, algo::RingProtocol::rendezvous},
        spec_of(algo::CollectiveKind::hierarchical),
        algo::CollectiveSpec{algo::CollectiveKind::hierarchical, 1,
                             algo::HalvingOrder::nearest_first, algo::IntraRack::flat},
        algo::CollectiveSpec{algo::CollectiveKind::hierarchical, 1,
                             algo::HalvingOrder::nearest_first, algo::IntraRack::ring}}) {
    SECTION(std::string(algo::collective_name(spec.kind)) + " with " +
            std::to_string(spec.segments) + " segments, " + algo::halving_order_name(spec.order) +
            ", " + algo::intra_rack_name(spec.intra_rack) + ", " +
            algo::ring_protocol_name(spec.protocol)) {
      AllreduceRun run(star(ranks), ranks, elements, spec);
      REQUIRE(run.all_finished());
      const double error = run.largest_error();
      INFO(ranks << " ranks, " << elements << " elements: largest difference " << error);
      CHECK(error < 1e-5 * ranks);
      CHECK(run.all_ranks_identical());
      AllreduceRun sizes(star(ranks), ranks, elements, spec, true);
      CHECK(sizes.finished == run.finished);
      CHECK(sizes.net.total_bytes_sent() == run.net.total_bytes_sent());
    }
  }
}

TEST_CASE("the hierarchical all-reduce sums across the racks of a tree") {
  const int hosts_per_rack = GENERATE(1, 2, 3, 4);
  const int ranks = GENERATE(4, 7, 12);
  const auto intra =
      GENERATE(algo::IntraRack::binomial, algo::IntraRack::flat, algo::IntraRack::ring);
  const auto protocol = GENERATE(algo::RingProtocol::eager, algo::RingProtocol::rendezvous);
  topology::TreeParams p;
  p.hosts_per_rack = hosts_per_rack;
  p.host_link = {kBandwidth, kLinkLatency};
  p.uplink_latency = 2 * kLinkLatency;
  algo::CollectiveSpec spec = spec_of(algo::CollectiveKind::hierarchical, 2);
  spec.intra_rack = intra;
  spec.protocol = protocol;
  INFO(hosts_per_rack << " per rack, " << ranks << " ranks, " << algo::intra_rack_name(intra)
                      << ", " << algo::ring_protocol_name(protocol));
  AllreduceRun run(topology::build_two_level_tree(host_names(ranks), p), ranks, 100, spec);
  REQUIRE(run.all_finished());
  CHECK(run.comm->racks().size() ==
        static_cast<std::size_t>((ranks + hosts_per_rack - 1) / hosts_per_rack));
  INFO("largest difference " << run.largest_error());
  CHECK(run.largest_error() < 1e-5 * ranks);
  CHECK(run.all_ranks_identical());
}

TEST_CASE("a ring all-reduce on a star takes 2(N-1) alpha + 2(N-1)/N S/B") {
  const int n = GENERATE(2, 3, 4, 8, 16);
  const std::size_t elements = GENERATE(as<std::size_t>{}, 1000, 100'000, 1'000'000);
  AllreduceRun run(star(n), n, elements, spec_of(algo::CollectiveKind::ring));
  const double alpha = sim::to_seconds(2 * kLinkLatency);
  const double bytes = static_cast<double>(elements) * sizeof(float);
  INFO(n << " ranks, " << bytes << " bytes");
  check_time(run, 2.0 * (n - 1) * alpha + 2.0 * (n - 1) / n * bytes / kBandwidth);
}

TEST_CASE("a Rabenseifner all-reduce on a star takes 2 log2(N) alpha + 2(N-1)/N S/B") {
  const int n = GENERATE(2, 4, 8, 16, 32);
  const std::size_t elements = GENERATE(as<std::size_t>{}, 1000, 100'000, 1'000'000);
  const auto order =
      GENERATE(algo::HalvingOrder::nearest_first, algo::HalvingOrder::farthest_first);
  AllreduceRun run(star(n), n, elements,
                   algo::CollectiveSpec{algo::CollectiveKind::rabenseifner, 1, order});
  const double alpha = sim::to_seconds(2 * kLinkLatency);
  const double bytes = static_cast<double>(elements) * sizeof(float);
  INFO(n << " ranks, " << bytes << " bytes");
  check_time(run, 2.0 * std::log2(n) * alpha + 2.0 * (n - 1) / n * bytes / kBandwidth);
}

// Full binary tree of depth D (N = 2^(D+1) - 1): in the reduce, the two
// children of a node send to it at once and share its incoming link, so each
// level takes alpha + 2S/B; in the broadcast the two sends share the parent's
// outgoing link, the same again. N = 2 is one edge: alpha + S/B each way.
TEST_CASE("a binary-tree all-reduce on a star takes 2D (alpha + 2S/B) for a full tree") {
  const int depth = GENERATE(1, 2, 3, 4);
  const int n = (1 << (depth + 1)) - 1;
  const std::size_t elements = GENERATE(as<std::size_t>{}, 1000, 100'000, 1'000'000);
  AllreduceRun run(star(n), n, elements, spec_of(algo::CollectiveKind::binary_tree));
  const double alpha = sim::to_seconds(2 * kLinkLatency);
  const double bytes = static_cast<double>(elements) * sizeof(float);
  INFO(n << " ranks, " << bytes << " bytes");
  check_time(run, 2.0 * depth * (alpha + 2.0 * bytes / kBandwidth));

  SECTION("two ranks: one edge, each way alone") {
    AllreduceRun pair(star(2), 2, elements, spec_of(algo::CollectiveKind::binary_tree));
    check_time(pair, 2.0 * (alpha + bytes / kBandwidth));
  }
}

// One message per rank and level, each alone on its links: log2(N) levels of
// alpha + S/B up, and the same down (a parent's sends one after the other).
TEST_CASE("a binomial-tree all-reduce on a star takes 2 log2(N) (alpha + S/B)") {
  const int n = GENERATE(2, 4, 8, 16, 32);
  const std::size_t elements = GENERATE(as<std::size_t>{}, 1000, 100'000, 1'000'000);
  AllreduceRun run(star(n), n, elements, spec_of(algo::CollectiveKind::binomial_tree));
  const double alpha = sim::to_seconds(2 * kLinkLatency);
  const double bytes = static_cast<double>(elements) * sizeof(float);
  INFO(n << " ranks, " << bytes << " bytes");
  check_time(run, 2.0 * std::log2(n) * (alpha + bytes / kBandwidth));
}

// One rack. Flat: N-1 members share the leader's incoming link, then its
// outgoing. Binomial: log2(N) levels of one message each way.
TEST_CASE(
    "a hierarchical all-reduce on a star takes its rack phases: 2 log2(N) (alpha + S/B) "
    "binomial, 2 (alpha + (N-1) S/B) flat") {
  const int n = GENERATE(2, 4, 8);
  const std::size_t elements = GENERATE(as<std::size_t>{}, 1000, 1'000'000);
  const auto intra = GENERATE(algo::IntraRack::binomial, algo::IntraRack::flat);
  algo::CollectiveSpec spec{algo::CollectiveKind::hierarchical};
  spec.intra_rack = intra;
  AllreduceRun run(star(n), n, elements, spec);
  const double alpha = sim::to_seconds(2 * kLinkLatency);
  const double bytes = static_cast<double>(elements) * sizeof(float);
  INFO(algo::intra_rack_name(intra) << ", " << n << " ranks, " << bytes << " bytes");
  check_time(run, intra == algo::IntraRack::flat
                      ? 2.0 * (alpha + (n - 1) * bytes / kBandwidth)
                      : 2.0 * std::log2(n) * (alpha + bytes / kBandwidth));
}

// R racks of k hosts, non-blocking uplinks (k B): the rack phases as on a
// star (path latency 2L), and between them a ring among the R leaders whose
// path crosses host link, uplink, uplink, host link (latency 2L + 2U).
TEST_CASE("a hierarchical all-reduce on a tree takes the rack phases plus a leaders' ring") {
  const int racks = GENERATE(2, 4);
  const int per_rack = GENERATE(2, 4);
  const std::size_t elements = GENERATE(as<std::size_t>{}, 1000, 1'000'000);
  const auto intra = GENERATE(algo::IntraRack::binomial, algo::IntraRack::flat);
  topology::TreeParams p;
  p.hosts_per_rack = per_rack;
  p.host_link = {kBandwidth, kLinkLatency};
  p.uplink_latency = 3 * kLinkLatency;
  const int n = racks * per_rack;
  algo::CollectiveSpec spec{algo::CollectiveKind::hierarchical};
  spec.intra_rack = intra;
  AllreduceRun run(topology::build_two_level_tree(host_names(n), p), n, elements, spec);
  const double bytes = static_cast<double>(elements) * sizeof(float);
  const double rack_alpha = sim::to_seconds(2 * kLinkLatency);
  const double leader_alpha = sim::to_seconds(2 * kLinkLatency + 2 * p.uplink_latency);
  INFO(algo::intra_rack_name(intra)
       << ", " << racks << " racks of " << per_rack << ", " << bytes << " bytes");
  const double rack_phase = intra == algo::IntraRack::flat
                                ? rack_alpha + (per_rack - 1) * bytes / kBandwidth
                                : std::log2(per_rack) * (rack_alpha + bytes / kBandwidth);
  check_time(run, 2.0 * rack_phase + 2.0 * (racks - 1) * leader_alpha +
                      2.0 * (racks - 1) / racks * bytes / kBandwidth);
}

TEST_CASE("consecutive all-reduces that overlap in time do not mix their data") {
  // Rank 0 starts late; the others run ahead into their second call, whose
  // messages reach ranks still in the first.
  sim::Simulator sim;
  topology::Topology topo = star(4);
  topology::Network net(sim, topo);
  algo::Communicator comm(sim, net, {0, 1, 2, 3});
  std::vector<std::vector<float>> first(4, std::vector<float>(10)), second = first;
  for (int r = 0; r < 4; ++r) {
    std::fill(first[r].begin(), first[r].end(), static_cast<float>(r + 1));
    std::fill(second[r].begin(), second[r].end(), static_cast<float>(10 * (r + 1)));
  }
  const auto kind = GENERATE(algo::CollectiveKind::ring, algo::CollectiveKind::rabenseifner,
                             algo::CollectiveKind::binary_tree, algo::CollectiveKind::binomial_tree,
                             algo::CollectiveKind::hierarchical);
  auto body = [&](int rank) -> sim::Task {
    if (rank == 0) co_await sim.sleep(1'000'000);
    co_await algo::allreduce(comm, rank, first[static_cast<std::size_t>(rank)], {kind, 1});
    co_await algo::allreduce(comm, rank, second[static_cast<std::size_t>(rank)], {kind, 1});
  };
  for (int r = 0; r < 4; ++r) sim.spawn(body(r), "rank" + std::to_string(r));
  sim.run();
  INFO(algo::collective_name(kind));
  for (int r = 0; r < 4; ++r) {
    CHECK(first[r] == std::vector<float>(10, 10.0f));
    CHECK(second[r] == std::vector<float>(10, 100.0f));
  }
}

TEST_CASE("a communicator rejects bad participants and ranks") {
  sim::Simulator sim;
  topology::Topology topo = star(3);
  topology::Network net(sim, topo);
  SECTION("no hosts") { CHECK_THROWS_AS(algo::Communicator(sim, net, {}), std::invalid_argument); }
  SECTION("a host twice") {
    CHECK_THROWS_AS(algo::Communicator(sim, net, {0, 1, 0}), std::invalid_argument);
  }
  SECTION("a rank outside the group") {
    algo::Communicator comm(sim, net, {0, 1});
    std::vector<float> v(4);
    auto body = [&]() -> sim::Task { co_await algo::ring_allreduce(comm, 2, v); };
    sim::Process p = sim.spawn(body(), "bad");
    CHECK_THROWS_AS(sim.run(), sim::ProcessError);
    CHECK(p.finished());
  }
}

TEST_CASE(
    "an aborted ring throws on every rank that was waiting; a new ring of the survivors "
    "sums exactly their vectors (111, 222, 333, then three copies of it)") {
  sim::Simulator sim;
  topology::Topology topo = star(4);
  topology::Network net(sim, topo);
  const std::vector<topology::NodeId> all = {0, 1, 2, 3};
  algo::Communicator first(sim, net, all, true, true);
  std::vector<std::vector<float>> buffers = {{1, 2, 3}, {10, 20, 30}, {100, 200, 300}};
  std::vector<int> aborted(3, 0);
  std::vector<sim::Time> done(3, -1);
  // Rank 3 never joins (a dead worker); ranks 0..2 give up at 1 ms, as an
  // elastic worker's timer would, then re-form a ring among themselves.
  algo::Communicator second(sim, net, {0, 1, 2}, true, true);
  auto rank_body = [&](int rank) -> sim::Task {
    std::vector<float> scratch = buffers[static_cast<std::size_t>(rank)];
    bool gave_up = false;
    try {
      co_await algo::ring_allreduce(first, rank, scratch);
    } catch (const algo::CollectiveAborted&) {
      gave_up = true;
    }
    aborted[static_cast<std::size_t>(rank)] = gave_up ? 1 : 0;
    co_await algo::ring_allreduce(second, rank, buffers[static_cast<std::size_t>(rank)]);
    done[static_cast<std::size_t>(rank)] = sim.now();
    // A late abort of that finished operation (a timer firing after it) is
    // ignored by the next one.
    co_await sim.sleep(3 * sim::kMillisecond);
    co_await algo::ring_allreduce(second, rank, buffers[static_cast<std::size_t>(rank)]);
  };
  auto timer = [&]() -> sim::Task {
    co_await sim.sleep(sim::kMillisecond);
    for (int rank = 0; rank < 3; ++rank) first.abort(rank, 0);
    co_await sim.sleep(sim::kMillisecond);
    for (int rank = 0; rank < 3; ++rank) second.abort(rank, 0);
  };
  for (int rank = 0; rank < 3; ++rank) sim.spawn(rank_body(rank), "rank" + std::to_string(rank));
  sim.spawn(timer(), "timer");
  sim.run();
  CHECK(aborted == std::vector<int>{1, 1, 1});
  for (int rank = 0; rank < 3; ++rank) {
    INFO("rank " << rank);
    CHECK(done[static_cast<std::size_t>(rank)] > sim::kMillisecond);
    CHECK(done[static_cast<std::size_t>(rank)] < 2 * sim::kMillisecond);
    CHECK(buffers[static_cast<std::size_t>(rank)] == std::vector<float>{333, 666, 999});
  }
}
