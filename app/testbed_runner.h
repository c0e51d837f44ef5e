// Runs a plan on a testbed network (app/testbed_network.h): one
// `syncsim testbed-node` process per host inside its namespace
// (app/testbed_node.h), started together, their measured times collected.
//
// Clean-up is guaranteed however the run ends: an error, a node that fails
// or hangs past the time limit, or SIGINT/SIGTERM/SIGHUP (caught while the
// testbed runs). The node processes are killed by their ids and waited for,
// then the namespaces (and with them every link, bridge and qdisc) are
// deleted. A node whose testbed dies by SIGKILL dies with it
// (PR_SET_PDEATHSIG); the namespaces it leaves are removed by the next
// testbed (remove_stale_testbeds).
#pragma once

#include <csignal>
#include <filesystem>
#include <stdexcept>

#include "app/testbed_plan.h"
#include "topology/topology.h"

namespace app::testbed {

// Thrown when a signal asked the testbed to stop; everything is cleaned up
// by the time it propagates.
struct Interrupted : std::runtime_error {
  explicit Interrupted(int sig)
      : std::runtime_error("interrupted by signal " + std::to_string(sig)), signal(sig) {}
  int signal;
};

// Builds the network of `topo`, replays `plan` on it and returns every op's
// measured time (ns after the common start). `scratch` is a folder for the
// plan file (removed after). Gives up after `time_limit_s` of replay.
// Throws std::runtime_error (setup or node failure) or Interrupted.
OpTimes run_plan(const topology::Topology& topo, const Plan& plan,
                 const std::filesystem::path& scratch, double time_limit_s);

}  // namespace app::testbed
