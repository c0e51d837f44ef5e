// `syncsim topology --dot`: racks as clusters labelled once with their hosts'
// link, hosts in rows, the spine above the racks, bandwidth in the scenario's
// unit family.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "app/scenario_loader.h"
#include "app/topology_dot.h"
#include "run/world.h"

namespace {

std::string dot_of(const std::string& yaml) {
  const syncsim::Scenario s = app::load_scenario_string(yaml, "s.yaml");
  std::ostringstream out;
  app::write_topology_dot(out, s, syncsim::build_topology(s));
  return out.str();
}

std::string scenario(int workers, const std::string& topology) {
  return "name: t\nseed: 1\ncluster:\n  server: {count: 1, flops: 1GFLOPS}\n"
         "  worker: {count: " +
         std::to_string(workers) +
         ", flops: 1GFLOPS}\n"
         "topology: " +
         topology +
         "\n"
         "data: {dataset: synthetic, samples: 400, features: 4, classes: 2}\n"
         "model: {layers: [4, 2]}\nalgorithm: {kind: ps_sync, batch_size: 4}\n"
         "stop: {steps: 1}\n";
}

int occurrences(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("dot: a tree's racks are clusters, the spine on top, units as written") {
  const std::string dot =
      dot_of(scenario(8,
                      "{kind: tree, bandwidth: 10Gbps, latency: 5us, hosts_per_rack: 4, "
                      "uplink_latency: 10us, oversubscription: 2}"));
  CHECK(occurrences(dot, "subgraph cluster_rack") == 3);  // 4 + 4 workers, the server
  CHECK(occurrences(dot, "4 hosts, each 10Gbps, 5us") == 2);
  CHECK(dot.find("1 host, each 10Gbps, 5us") != std::string::npos);
  CHECK(dot.find("\"spine\" -- \"tor0\" [label=\"20Gbps, 10us\"") != std::string::npos);
  CHECK(dot.find("\"tor0\" -- \"worker0\";") != std::string::npos);  // unlabelled: the rack says it
  CHECK(dot.find("GB/s") == std::string::npos);
  CHECK(dot.find("9 hosts, 4 switches, 12 links") != std::string::npos);
}

TEST_CASE("dot: bandwidths stated in bytes are drawn in bytes") {
  const std::string dot = dot_of(scenario(3, "{kind: star, bandwidth: 1.25GB/s, latency: 1ms}"));
  CHECK(dot.find("4 hosts, each 1.25GB/s, 1ms") != std::string::npos);
  CHECK(dot.find("bps") == std::string::npos);
}

TEST_CASE("dot: a large star is laid out in rows of ten hosts") {
  const std::string dot = dot_of(scenario(50, "{kind: star, bandwidth: 1Gbps, latency: 20us}"));
  // 51 hosts: each of the first 41 sits above the host ten places on.
  CHECK(occurrences(dot, "[style=invis]") == 51 - app::kDotRowWidth);
  CHECK(dot.find("\"worker0\" -- \"worker10\" [style=invis]") != std::string::npos);
  CHECK(occurrences(dot, "\" [label=") == 0);  // every link is the rack's common one
}

TEST_CASE("dot: a ring has no switch and is drawn in a circle, every link labelled") {
  const std::string dot = dot_of(scenario(3, "{kind: ring, bandwidth: 100Mbps, latency: 1ms}"));
  CHECK(dot.find("layout=circo") != std::string::npos);
  CHECK(occurrences(dot, "subgraph") == 0);
  CHECK(occurrences(dot, "[label=\"100Mbps, 1ms\"") == 4);
}
