// What a run returns: everything the output writers (run/outputs.h) and
// `syncsim check` need, one RunResult per algorithm of the scenario.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "algorithms/ml/mlp.h"
#include "algorithms/runtime/fl_metrics.h"
#include "algorithms/runtime/monitor.h"
#include "run/scenario.h"
#include "sim/recorder.h"

namespace syncsim {

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
  // Node clocks (only if the scenario models clocks): one sample per node
  // every OutputsSpec::clock_interval of true time from 0 (ClockSampler),
  // nodes in scenario order.
  struct ClockSample {
    sim::Time true_time;
    std::string node;
    sim::Time local_time;  // error = local_time - true_time
  };
  std::vector<ClockSample> clock_samples;
  // Over those samples (every instant, every node):
  double clock_error_max_s = 0.0;   // the largest |local - true|
  double clock_error_mean_s = 0.0;  // the mean |local - true|
  double clock_skew_max_s = 0.0;    // the largest spread (latest - earliest local clock)
  double clock_skew_mean_s = 0.0;   // the mean spread
  std::int64_t sync_messages = 0;   // clock_sync requests + replies
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
  // Only with `outputs: {events: true}` or `{trace: true}`: what the nodes did
  // (events.csv, trace.json). Node ids are host ids: node i is scenario node i.
  std::vector<sim::Recorder::MessageEvent> messages;
  std::vector<sim::Recorder::Span> spans;
  std::vector<std::string> node_names;  // by host id, every scenario node
  // Only with `outputs: {links: true}`: one row per link direction and bucket.
  struct LinkSample {
    std::string from, to;          // the direction's ends (hosts or switches)
    int link = 0;                  // topology link id
    sim::Time start = 0, end = 0;  // the bucket, clipped to the run's end
    double bytes = 0.0;
    double bandwidth = 0.0;  // bytes/s of the direction
    sim::Time busy = 0;
  };
  std::vector<LinkSample> link_samples;
  // Faults (scenarios with `faults:` only).
  std::int64_t crashes = 0;
  // Updates neither applied, dropped nor lost at the end, from the copies
  // in flight, queued or held (algo::UpdateCensus); empty for an algorithm
  // that does not count its updates (algo::Algorithm::counts_updates).
  std::optional<std::int64_t> updates_outstanding;
  // A private run (AlgorithmChoice::privacy): epsilon at privacy_delta over
  // the whole run (algo::PrivacyLedger); empty otherwise.
  std::optional<double> privacy_epsilon;
  double privacy_delta = 0.0;
  // Federated runs (algo::Algorithm::fl_metrics): rounds.csv, clients.csv and
  // the client_accuracy_* columns; empty for the others.
  std::optional<algo::FlMetrics> fl;
  ml::Vector final_parameters;  // the global model at the end
  double wall_seconds = 0.0;    // host time of the run; the one non-deterministic output
  double math_seconds =
      0.0;          // host time in tensor math: jobs, evaluations, MathTimer scopes (all threads)
  int threads = 1;  // math threads used
};

struct ScenarioResult {
  Scenario scenario;            // as run (seed included)
  std::vector<RunResult> runs;  // in the scenario's algorithm order
};

}  // namespace syncsim
