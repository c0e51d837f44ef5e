// `algorithm.graph` of gossip: every graph loads, and every mistake in one is
// reported at load time with file:line:column and the key path.
#include <catch2/catch.hpp>
#include <string>

#include "scenario_text.h"

namespace {

const std::string kGossip = R"yaml(name: t
seed: 3
cluster:
  worker: {count: 6, flops: 5GFLOPS}
topology: {kind: star, bandwidth: 1Gbps, latency: 10us}
data: {dataset: synthetic, samples: 120, features: 4, classes: 3}
model: {layers: [4, 8, 3]}
algorithm: {kind: gossip, batch_size: 4, graph: ring}
stop: {steps: 5}
)yaml";

std::string with_graph(const std::string& graph) {
  return scenario_text::error_of(
      scenario_text::replace(kGossip, "graph: ring}", "graph: " + graph + "}"));
}

}  // namespace

TEST_CASE("every gossip graph loads") {
  for (const std::string graph :
       {"ring", "complete", "exponential", "topology", "{kind: torus, dims: [2, 3]}",
        "{kind: edges, edges: [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5]]}"}) {
    INFO(graph);
    CHECK(with_graph(graph) == "(no error)");
  }
}

TEST_CASE("a bad gossip graph is refused when the scenario is loaded") {
  SECTION("an unknown name") {
    CHECK(with_graph("star") ==
          "s.yaml:8:49: algorithm.graph: unknown graph 'star' (expected ring, complete, torus, "
          "exponential, edges or topology)");
  }
  SECTION("a torus without dims, or with dims that are not the workers") {
    CHECK_THAT(with_graph("torus"),
               Catch::StartsWith("s.yaml:8:49: algorithm.graph: a torus needs its dims"));
    CHECK(with_graph("{kind: torus, dims: [2, 2]}") ==
          "s.yaml:8:69: algorithm.graph.dims: rows x columns must be the 6 workers");
    CHECK(with_graph("{kind: torus, dims: [6]}") ==
          "s.yaml:8:69: algorithm.graph.dims: expected [rows, columns]");
    CHECK(with_graph("{kind: torus, dims: [0, 6]}") ==
          "s.yaml:8:70: algorithm.graph.dims[0]: must be between 1 and 6, got 0");
  }
  SECTION("edges out of range, doubled, looping or leaving the graph in pieces") {
    CHECK(with_graph("{kind: edges, edges: [[0, 6]]}") ==
          "s.yaml:8:75: algorithm.graph.edges[0][1]: must be between 0 and 5, got 6");
    CHECK(with_graph("{kind: edges, edges: [[0, 0]]}") ==
          "s.yaml:8:71: algorithm.graph.edges[0]: an edge joins two different workers");
    CHECK(with_graph("{kind: edges, edges: [[0, 1], [1, 0]]}") ==
          "s.yaml:8:79: algorithm.graph.edges[1]: this edge is listed twice");
    CHECK(with_graph("{kind: edges, edges: [[0, 1], [2, 3], [4, 5]]}") ==
          "s.yaml:8:49: algorithm.graph: the graph is not connected: the replicas could never "
          "agree");
    CHECK_THAT(with_graph("{kind: edges, edgs: []}"),
               Catch::Contains("unknown key 'edgs' (did you mean 'edges'?)"));
  }
}
