// The all-reduce and network keys: valid values load, bad ones are reported
// with location, key path and a fix.
#include <catch2/catch.hpp>
#include <string>

#include "app/scenario_loader.h"
#include "scenario_text.h"

namespace {

const std::string kTree = R"yaml(name: t
seed: 3
cluster:
  worker: {count: 4, flops: 5GFLOPS}
topology: {kind: tree, hosts_per_rack: 2, bandwidth: 1Gbps, latency: 10us}
data: {dataset: synthetic, samples: 100, features: 4, classes: 3}
model: {layers: [4, 8, 3]}
algorithm: {kind: allreduce_tree, batch_size: 4}
stop: {steps: 5}
)yaml";

}  // namespace

using scenario_text::error_of;
using scenario_text::replace;

TEST_CASE("the all-reduce algorithm keys load and reject bad values") {
  SECTION("the tree variants and the halving orders load") {
    for (const char* variant : {"variant: rabenseifner, order: farthest_first",
                                "variant: rabenseifner, order: nearest_first",
                                "variant: binomial_tree", "variant: binary_tree"}) {
      INFO(variant);
      CHECK(error_of(replace(kTree, "batch_size: 4", std::string("batch_size: 4, ") + variant)) ==
            "(no error)");
    }
  }
  SECTION("a misspelt order") {
    CHECK(error_of(replace(kTree, "batch_size: 4", "batch_size: 4, order: nearest_frist")) ==
          "s.yaml:8:57: algorithm.order: unknown value 'nearest_frist' (did you mean "
          "'nearest_first'?)");
  }
  SECTION("an order for a collective that has none") {
    CHECK(error_of(replace(kTree, "batch_size: 4",
                           "batch_size: 4, variant: binomial_tree, order: farthest_first")) ==
          "s.yaml:8:81: algorithm.order: order applies to the rabenseifner collective only");
  }
  SECTION("the intra-rack algorithms of the hierarchical all-reduce") {
    const std::string hierarchical = replace(kTree, "allreduce_tree", "allreduce_hierarchical");
    CHECK(error_of(replace(hierarchical, "batch_size: 4", "batch_size: 4, intra_rack: flat")) ==
          "(no error)");
    CHECK(error_of(replace(hierarchical, "batch_size: 4", "batch_size: 4, intra_rack: ring")) ==
          "(no error)");
    CHECK(error_of(replace(hierarchical, "batch_size: 4", "batch_size: 4, intra_rack: rign")) ==
          "s.yaml:8:70: algorithm.intra_rack: unknown value 'rign' (did you mean 'ring'?)");
    CHECK(error_of(replace(hierarchical, "batch_size: 4", "batch_size: 4, intra_rack: binomal")) ==
          "s.yaml:8:70: algorithm.intra_rack: unknown value 'binomal' (did you mean 'binomial'?)");
  }
  SECTION("the ring protocols") {
    const std::string ring = replace(kTree, "allreduce_tree", "allreduce_ring");
    CHECK(error_of(replace(ring, "batch_size: 4", "batch_size: 4, protocol: rendezvous")) ==
          "(no error)");
    CHECK(error_of(replace(ring, "batch_size: 4", "batch_size: 4, protocol: eagre")) ==
          "s.yaml:8:60: algorithm.protocol: unknown value 'eagre' (did you mean 'eager'?)");
    CHECK(error_of(replace(kTree, "batch_size: 4", "batch_size: 4, protocol: eager")) ==
          "s.yaml:8:50: algorithm.protocol: unknown key 'protocol' (allowed keys: kind, label, "
          "workers, batch_size, assignment, elastic, variant, order, segments, compressor, "
          "bucket_cap, overlap, optimizer, privacy)");
  }
  SECTION("intra_rack for a collective that has no racks") {
    CHECK(error_of(replace(kTree, "kind: allreduce_tree, batch_size: 4",
                           "kind: local_sgd, collective: ring, intra_rack: flat, batch_size: 4")) ==
          "s.yaml:8:60: algorithm.intra_rack: intra_rack applies to the hierarchical collective "
          "only");
  }
}

TEST_CASE("the pipelined collectives' segments load and reject bad values") {
  SECTION("a pipelined chain with segments") {
    CHECK(error_of(replace(kTree, "batch_size: 4",
                           "batch_size: 4, variant: pipelined_chain, segments: 8")) ==
          "(no error)");
    CHECK(error_of(replace(kTree, "kind: allreduce_tree, batch_size: 4",
                           "kind: local_sgd, collective: pipelined_chain, segments: 8, "
                           "batch_size: 4")) == "(no error)");
  }
  SECTION("a misspelt variant") {
    CHECK(error_of(replace(kTree, "batch_size: 4", "batch_size: 4, variant: pipelined_chian")) ==
          "s.yaml:8:59: algorithm.variant: unknown value 'pipelined_chian' (did you mean "
          "'pipelined_chain'?)");
  }
  SECTION("segments for a collective that is not pipelined") {
    CHECK(error_of(replace(kTree, "batch_size: 4", "batch_size: 4, segments: 4")) ==
          "s.yaml:8:60: algorithm.segments: segments apply to the ring, hierarchical and "
          "pipelined_chain collectives only, not rabenseifner");
  }
  SECTION("segments out of range") {
    CHECK(error_of(replace(kTree, "batch_size: 4",
                           "batch_size: 4, variant: pipelined_chain, segments: 0")) ==
          "s.yaml:8:86: algorithm.segments: must be between 1 and 1024, got 0");
  }
}

TEST_CASE("the network's sharing loads and rejects bad values") {
  const std::string tree = "kind: tree, hosts_per_rack: 2, bandwidth: 1Gbps, latency: 10us";
  CHECK(error_of(replace(kTree, tree, tree + ", share: rtt")) == "(no error)");
  CHECK(error_of(replace(kTree, tree, tree + ", share: equal")) == "(no error)");
  CHECK(error_of(replace(kTree, tree, "kind: star, bandwidth: 1Gbps, latency: 10us, share: rtt")) ==
        "(no error)");
  CHECK(error_of(replace(kTree, tree, tree + ", share: rrt")) ==
        "s.yaml:5:83: topology.share: unknown value 'rrt' (did you mean 'rtt'?)");
}

TEST_CASE("a tree's uplink bandwidth loads and rejects bad values") {
  const std::string tree = "kind: tree, hosts_per_rack: 2, bandwidth: 1Gbps, latency: 10us";
  SECTION("given alone") {
    CHECK(error_of(replace(kTree, tree, tree + ", uplink_bandwidth: 500Mbps")) == "(no error)");
  }
  SECTION("given with an oversubscription") {
    CHECK(error_of(replace(kTree, tree, tree + ", oversubscription: 2, uplink_bandwidth: 1Gbps")) ==
          "s.yaml:5:115: topology.uplink_bandwidth: give uplink_bandwidth or oversubscription, "
          "not both");
  }
  SECTION("too slow") {
    CHECK(error_of(replace(kTree, tree, tree + ", uplink_bandwidth: 10bps")) ==
          "s.yaml:5:94: topology.uplink_bandwidth: uplink_bandwidth must be at least 1kbps (a "
          "slower link outlasts simulated time)");
  }
}
