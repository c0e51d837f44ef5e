// Runs a scenario: builds the world, launches each algorithm in turn, drives
// the simulator until a stop condition, and returns what the outputs need.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "algorithms/sync/monitor.h"
#include "app/scenario.h"
#include "app/world.h"

namespace app {

// One algorithm's run.
struct RunResult {
  std::string label;  // AlgorithmChoice::label
  std::string kind;
  int workers = 0;
  std::vector<algo::MetricsRow> rows;
  algo::RunTotals totals;
  std::map<std::int64_t, std::int64_t> staleness_histogram;
  std::vector<algo::ShardStats> partition;  // the workers' shards (partition.csv)
  struct NodeTraffic {
    std::string node;
    double bytes_sent;
  };
  std::vector<NodeTraffic> traffic;  // per scenario node, in node order
  // Node clocks (only if the scenario models clocks): one sample per node at
  // every evaluation point, nodes in scenario order.
  struct ClockSample {
    sim::Time true_time;
    std::string node;
    sim::Time local_time;  // error = local_time - true_time
  };
  std::vector<ClockSample> clock_samples;
  double final_error_max_s = 0.0;   // max over nodes of |local - true| at the end
  double final_error_mean_s = 0.0;  // mean of the same
  double final_skew_s = 0.0;        // max - min local time over nodes at the end
  std::int64_t sync_messages = 0;  // clock_sync requests + replies
  double sync_bytes = 0.0;
  // The failure detector's (only with `failure_detector`): its changes of
  // opinion in time order, and its counts.
  struct SuspicionEvent {
    sim::Time true_time;
    sim::Time monitor_local;
    std::string node;
    bool suspected;  // false: trusted again
    bool node_up;    // the node was up: a suspicion is a false one
  };
  std::vector<SuspicionEvent> suspicion_events;
  std::int64_t heartbeat_messages = 0;
  double heartbeat_bytes = 0.0;
  std::int64_t suspicions = 0;
  std::int64_t false_suspicions = 0;
  ml::Vector final_parameters;  // the global model at the end
  double wall_seconds = 0.0;    // host time of the run; the one non-deterministic output
  double math_seconds = 0.0;    // host time in tensor math: jobs, evaluations, MathTimer scopes (all threads)
  int threads = 1;              // math threads used
};

struct ScenarioResult {
  Scenario scenario;  // as run (seed included)
  std::vector<RunResult> runs;  // in the scenario's algorithm order
};

// Every algorithm of the scenario, one after the other, on the same data,
// cluster, network and seed. Throws ScenarioError / ml::DataError for bad
// input found while building the world; anything else is an internal error.
ScenarioResult run_scenario(const Scenario& s);

// One algorithm on data already loaded (a fresh simulator and network).
RunResult run_algorithm(const Scenario& s, const AlgorithmChoice& choice, const Datasets& data);

}  // namespace app
