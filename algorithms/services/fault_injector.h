// FaultInjector: plays a list of timed faults on a run's network, nodes and
// algorithm. The scenario loader resolves names to ids; this
// class only schedules.
//
// Each fault starts at `at` and, if `duration` > 0, is undone at at + duration:
//   crash      the hosts crash (Network::crash_host; the algorithm hears of
//              it: Algorithm::on_host_crashed); at the end they recover
//              and the algorithm hears of it (Algorithm::on_host_recovered)
//   link_down  the links go down, then up again (Algorithm::on_network_healed)
//   degrade    the links' bandwidth is multiplied by `factor`, then restored
//   partition  the hosts form partition group `group` (> 0), then rejoin
//              group 0 (Algorithm::on_network_healed)
//   straggle   the hosts compute `factor` times slower, then at full speed again
//   loss       each message crossing the links is lost with `probability`,
//              drawn from the link's stream (seed, link name, "loss"); with
//              a duration (random loss episodes), from the episode's stream
//              (seed, link name + "@" + at, "loss"), and none after it
// Overlapping faults of one kind on the same element are not merged: each
// end undoes its own start (a crash ending recovers the host even if another
// crash window is still open; a degrade ending restores the full bandwidth;
// slowdowns multiply and divide, so they stack).
//
// Events run as simulator events at their instants, in list order at equal
// instants (the list order is the scheduling order).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "algorithms/runtime/algorithm.h"
#include "sim/simulator.h"
#include "topology/network.h"

namespace algo {

struct Fault {
  enum class Kind { crash, link_down, degrade, partition, straggle, loss };
  Kind kind = Kind::crash;
  sim::Time at = 0;
  sim::Time duration = 0;               // 0: permanent
  std::vector<topology::NodeId> hosts;  // crash, partition, straggle
  std::vector<int> links;               // link_down, degrade, loss
  double factor = 1.0;                  // degrade (bandwidth x), straggle (time x)
  double probability = 0.0;             // loss
  int group = 1;                        // partition
};

class FaultInjector {
 public:
  // REQUIRES: everything passed outlives the run; `slowdown` has one entry
  // per topology node (the Node::episode_slowdown targets), each 1.0.
  FaultInjector(sim::Simulator& sim, topology::Network& net, Algorithm& algorithm,
                std::vector<double>& slowdown, std::uint64_t seed);
  FaultInjector(const FaultInjector&) = delete;
  FaultInjector& operator=(const FaultInjector&) = delete;

  // Schedules every fault. Throws std::invalid_argument for an unknown host
  // or link, a factor <= 0, a probability outside [0, 1], at or duration < 0.
  void schedule(const std::vector<Fault>& faults);

  // Counts, for the summary.
  std::int64_t crashes() const { return crashes_; }

 private:
  struct Action {
    FaultInjector* self;
    Fault fault;
    bool start;  // false: the end of the fault
  };
  static void fire(void* action, std::uint64_t unused);
  void apply(const Fault& fault, bool start);

  sim::Simulator* sim_;
  topology::Network* net_;
  Algorithm* algorithm_;
  std::vector<double>* slowdown_;
  std::uint64_t seed_;
  std::vector<std::unique_ptr<Action>> actions_;  // events point at these
  std::int64_t crashes_ = 0;
};

}  // namespace algo
