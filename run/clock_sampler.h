// ClockSampler: every node's clock read at a fixed interval of simulated
// (true) time, t = 0, I, 2I, ... while the run lasts, for clocks.csv and the
// clock summary columns. A daemon process: it never keeps a run alive, and
// reading a clock changes no clock, so it moves nothing else in the run.
#pragma once

#include <string>
#include <vector>

#include "run/result.h"
#include "sim/clock.h"
#include "sim/simulator.h"
#include "sim/task.h"
#include "topology/topology.h"

namespace syncsim {

class ClockSampler {
 public:
  struct Target {
    std::string name;       // the scenario node
    topology::NodeId host;  // its clock: clocks[host]
  };
  // REQUIRES interval > 0; sim and clocks outlive the run.
  ClockSampler(sim::Simulator& sim, std::vector<sim::NodeClock>& clocks,
               std::vector<Target> targets, sim::Time interval);
  void launch();

  // Every reading, in time order, nodes in target order within one instant.
  std::vector<RunResult::ClockSample>& samples() { return samples_; }
  // Over every sample instant and node: the largest and the mean |local - true|.
  double error_max_s() const { return error_max_s_; }
  double error_mean_s() const;
  // Over every sample instant: the largest and the mean spread (latest
  // minus earliest local clock over the nodes).
  double skew_max_s() const { return skew_max_s_; }
  double skew_mean_s() const;

 private:
  sim::Task run();
  void sample();

  sim::Simulator* sim_;
  std::vector<sim::NodeClock>* clocks_;
  std::vector<Target> targets_;
  sim::Time interval_;
  std::vector<RunResult::ClockSample> samples_;
  std::int64_t instants_ = 0;
  double error_max_s_ = 0.0, error_sum_s_ = 0.0;  // summed in sample order
  double skew_max_s_ = 0.0, skew_sum_s_ = 0.0;
};

}  // namespace syncsim
