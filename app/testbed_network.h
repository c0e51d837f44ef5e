// A scenario's network made real on this machine (docs/testbed.md): one
// network namespace per host, one more ("switch" namespace) holding a Linux
// bridge per switch of the topology, a veth pair per link, each end shaped
// by tc's token bucket filter (tbf) at the link's bandwidth.
//
// Nothing is created in the machine's own namespace: deleting the testbed's
// namespaces deletes every veth, bridge and qdisc with them, and the
// addresses (10.77.0.0/16) exist only inside them. Every name carries the
// creating process's id (`sstb<pid>-...`), so a later testbed removes what a
// testbed killed by SIGKILL left behind, and never touches anything else.
#pragma once

#include <sys/types.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "topology/topology.h"

namespace app::testbed {

// This machine cannot build the network (a tool or kernel feature missing).
struct SetupError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Why this machine cannot host a testbed (not root, no `ip` or `tc`, no
// network namespaces), or "" if it can.
std::string missing_features();

// tbf's bucket for a link of `bytes_per_s`: its burst in bytes.
std::int64_t tbf_burst_bytes(double bytes_per_s);

// Removes the namespaces of testbeds whose process no longer exists.
void remove_stale_testbeds();

class Network {
 public:
  // Builds the namespaces, bridges, links and qdiscs of `topo`. REQUIRES:
  // every host has exactly one link, to a switch; the switches form a tree.
  // Throws SetupError naming the command that failed (after
  // removing what it made) or what the topology lacks.
  explicit Network(const topology::Topology& topo);
  ~Network();  // removes everything (remove())
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // The namespace of host `rank` (host ids in topology order).
  const std::string& host_namespace(int rank) const {
    return hosts_.at(static_cast<std::size_t>(rank));
  }
  int hosts() const { return static_cast<int>(hosts_.size()); }

  // Deletes every namespace made (idempotent); processes still inside them
  // must be gone first.
  void remove();

 private:
  std::string switch_ns_;
  std::vector<std::string> hosts_;
  std::vector<std::string> made_;  // namespaces created, in order
};

// Throws std::invalid_argument if `topo` cannot be built as a testbed.
void check_buildable(const topology::Topology& topo);

}  // namespace app::testbed
