// LinkUsage on a Network: bytes and busy time per channel and time bucket,
// against hand-computed drains.
#include "topology/link_usage.h"

#include <catch2/catch.hpp>
#include <stdexcept>

#include "sim/simulator.h"
#include "topology/network.h"
#include "topology/routing.h"

using topology::LinkParams;
using topology::LinkUsage;
using topology::Network;
using topology::Topology;

namespace {

// a -- b, 1e6 bytes/s each way, no latency: link 0, channel 0 is a -> b.
Topology pair() {
  Topology t;
  t.add_host("a");
  t.add_host("b");
  t.add_link(0, 1, LinkParams{1e6, 0});
  return t;
}

}  // namespace

TEST_CASE("a lone flow fills its buckets at full bandwidth and the partial one pro rata") {
  sim::Simulator sim;
  const Topology t = pair();
  Network net(sim, t);
  LinkUsage usage(net.routing().channel_count(), 1'000'000);  // 1 ms buckets
  net.set_link_usage(&usage);
  net.start_transfer(0, 1, 2500.0, [] {});  // drains in 2.5 ms
  sim.run();
  const auto& forward = usage.buckets(topology::channel_of(0, 0));
  REQUIRE(forward.size() == 3);
  CHECK(forward[0].bytes == Approx(1000.0));
  CHECK(forward[1].bytes == Approx(1000.0));
  CHECK(forward[2].bytes == Approx(500.0));
  CHECK(forward[0].busy == 1'000'000);
  CHECK(forward[2].busy == 500'000);
  CHECK(usage.total_bytes(topology::channel_of(0, 0)) == Approx(net.channel_bytes(0)));
  CHECK(usage.buckets(topology::channel_of(0, 1)).empty());  // nothing went b -> a
}

TEST_CASE(
    "flows sharing a channel add up to its bandwidth; a later flow is counted from its start") {
  sim::Simulator sim;
  const Topology t = pair();
  Network net(sim, t);
  LinkUsage usage(net.routing().channel_count(), 1'000'000);
  net.set_link_usage(&usage);
  // 1500 bytes at 0 alone for 0.5 ms (500 bytes), then shared with a second
  // 1500-byte flow started at 0.5 ms: both at 0.5e6 B/s; the first ends at
  // 2.5 ms, the second drains its last 500 bytes alone by 3 ms: the channel
  // is full all along, 1000 bytes in each of three buckets.
  net.start_transfer(0, 1, 1500.0, [] {});
  sim.schedule_at(
      500'000,
      [](void* n, std::uint64_t) { static_cast<Network*>(n)->start_transfer(0, 1, 1500.0, [] {}); },
      &net);
  sim.run();
  const auto& forward = usage.buckets(0);
  REQUIRE(forward.size() == 3);
  for (const LinkUsage::Bucket& b : forward) {
    CHECK(b.bytes == Approx(1000.0));
    CHECK(b.busy == 1'000'000);
  }
  CHECK(usage.total_bytes(0) == Approx(3000.0));
  CHECK(sim.now() == 3'000'000);
}

TEST_CASE("a LinkUsage needs a positive bucket width") {
  CHECK_THROWS_AS(LinkUsage(2, 0), std::invalid_argument);
  CHECK_THROWS_AS(LinkUsage(-1, 1), std::invalid_argument);
}
