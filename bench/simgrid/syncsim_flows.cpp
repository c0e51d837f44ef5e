// The side-by-side benchmark's syncsim half of the random-flows workload
// (bench/simgrid/compare.sh; SimGrid's half is simgrid_workloads.cpp): the
// flows of FILE (lines "src dst bytes"), all started at time 0 on syncsim's
// network, on the two-level tree that topology::build_two_level_tree makes.
// Prints the last flow's end and the sum of the flows' ends, in seconds.
//
//   syncsim_flows FILE HOSTS PER_RACK BANDWIDTH LATENCY UP_BW UP_LATENCY
// BANDWIDTH and UP_BW in bytes/s, LATENCY and UP_LATENCY in seconds.
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "sim/simulator.h"
#include "sim/time.h"
#include "topology/builders.h"
#include "topology/network.h"

int main(int argc, char** argv) {
  if (argc != 8) {
    std::fprintf(stderr, "usage: %s FILE HOSTS PER_RACK BANDWIDTH LATENCY UP_BW UP_LATENCY\n",
                 argv[0]);
    return 2;
  }
  const int hosts = std::stoi(argv[2]);
  std::vector<std::string> names;
  for (int i = 0; i < hosts; ++i) names.push_back("h" + std::to_string(i));
  topology::TreeParams p;
  p.hosts_per_rack = std::stoi(argv[3]);
  p.host_link = {std::stod(argv[4]), sim::from_seconds(std::stod(argv[5]))};
  p.uplink_bandwidth = std::stod(argv[6]);
  p.uplink_latency = sim::from_seconds(std::stod(argv[7]));
  const topology::Topology topo = topology::build_two_level_tree(names, p);
  sim::Simulator sim;
  topology::Network net(sim, topo);
  std::ifstream in(argv[1]);
  sim::Time last = 0;
  double sum = 0.0;
  int src = 0, dst = 0;
  double bytes = 0.0;
  while (in >> src >> dst >> bytes) {
    net.start_transfer(*topo.find(names[src]), *topo.find(names[dst]), bytes, [&] {
      last = std::max(last, sim.now());
      sum += sim::to_seconds(sim.now());
    });
  }
  sim.run();
  std::printf("simulated_seconds %.9f\nsum_of_ends_seconds %.9f\n", sim::to_seconds(last), sum);
  return 0;
}
