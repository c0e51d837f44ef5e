// Monitor: what every algorithm reports to, so accuracy, throughput and
// staleness are measured the same way whatever the algorithm.
//
// An algorithm tells the monitor about training losses, staleness, dropped
// updates, and every new version of its global model. The monitor decides when
// to evaluate (on the test set, with real math) and when a stop condition
// holds; it then stops the simulator. Evaluation is an observer: it costs no
// simulated time and changes no model.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "algorithms/ml/dataset.h"
#include "algorithms/ml/mlp.h"
#include "algorithms/runtime/math_pool.h"
#include "sim/simulator.h"
#include "topology/network.h"

namespace algo {

struct StopCondition {
  sim::Time max_time = 0;        // 0: no limit (the runner enforces it with run_until)
  double max_epochs = 0.0;       // passes over the training set; 0: no limit
  std::int64_t max_steps = 0;    // model versions; 0: no limit
  double target_accuracy = 0.0;  // stop once reached; 0: never
};

struct EvalSchedule {
  std::int64_t every_steps = 0;  // evaluate at versions that are multiples of this; 0: off
  sim::Time every = 0;  // and at the first version at or after each multiple of this; 0: off
};

// One evaluation point: a row of metrics.csv.
struct MetricsRow {
  sim::Time time = 0;
  std::int64_t step = 0;             // model version
  std::int64_t samples = 0;          // training samples applied to the global model so far
  double epochs = 0.0;               // samples / training-set size
  std::optional<double> train_loss;  // mean batch loss since the previous row (none if no batch)
  double test_loss = 0.0;
  double test_accuracy = 0.0;
  bool evaluated = true;    // false with math: none: test_loss/test_accuracy mean nothing
  double throughput = 0.0;  // samples per simulated second since the start
  double bytes_sent = 0.0;  // by all nodes, since the start
  std::optional<double> staleness_mean;  // of updates applied since the previous row
  std::optional<std::int64_t> staleness_max;
  std::int64_t updates_dropped = 0;  // since the start
  std::optional<double>
      consensus_distance;  // decentralised algorithms: the latest since the previous row
  // Byzantine runs and robust rules (RunTotals::contributions_counted):
  // contributions from attackers aggregated, and contributions the rule
  // rejected or down-weighted, since the previous row.
  std::int64_t byzantine_sent = 0;
  std::int64_t rejected = 0;
};

struct RunTotals {
  std::string stop_reason;
  // "ok", or "diverged at step N" (see Monitor::on_update); summary.csv's
  // status column.
  std::string status = "ok";
  std::optional<std::int64_t> diverged_at_step;
  sim::Time time = 0;
  std::int64_t steps = 0;
  std::int64_t samples = 0;
  double epochs = 0.0;
  double final_test_loss = 0.0;
  double final_test_accuracy = 0.0;
  double best_test_accuracy = 0.0;
  bool evaluated = true;  // false with math: none: no accuracy or loss was measured
  std::optional<sim::Time> time_to_target;  // first evaluation at/above the target
  double throughput = 0.0;
  double bytes_sent = 0.0;  // by all nodes over the run
  std::int64_t updates_applied = 0;
  std::int64_t updates_dropped = 0;
  std::int64_t updates_dropped_offline =
      0;  // of those, by a node that was not there (the rest came late)
  // Update accounting (algorithms that count production): every update
  // produced is applied, dropped (by reason), lost in flight, or still
  // outstanding (in flight or queued) when the run ended.
  std::int64_t updates_produced = 0;
  std::int64_t updates_lost = 0;
  std::map<std::string, std::int64_t> dropped_by_reason;
  std::int64_t rpc_retries = 0;  // messages resent after an RPC timeout
  std::optional<double> staleness_mean;
  std::optional<std::int64_t> staleness_p50, staleness_p99, staleness_max;
  std::uint64_t events_processed = 0;
  // Set once a server's aggregation counted its contributions
  // (record_contributions): attackers' contributions aggregated, those the
  // rule rejected or down-weighted, and the attackers' among them.
  bool contributions_counted = false;
  std::int64_t byzantine_sent = 0;
  std::int64_t rejected = 0;
  std::int64_t byzantine_rejected = 0;
};

class Monitor {
 public:
  // REQUIRES: test and net outlive the monitor; train_size > 0.
  Monitor(sim::Simulator& sim, const topology::Network& net, const ml::Dataset& test,
          const ml::MlpSpec& model, StopCondition stop, EvalSchedule schedule,
          std::int64_t train_size);

  // A NaN or infinite loss ends the run as diverged (see on_update).
  void record_train_loss(double mean_loss, std::int64_t samples);
  // One applied update computed `staleness` versions ago (0 for synchronous).
  void record_applied(std::int64_t staleness);
  // Updates that were never applied. `reason`: why (late: past a deadline,
  // a timeout, or after their step closed; offline: the node was not
  // available; stale, crashed, unreachable, superseded).
  void record_dropped(std::int64_t count = 1, const std::string& reason = "late");
  // An update came into being (a gradient pushed, a client sampled).
  void record_produced(std::int64_t count = 1) { produced_ += count; }
  // An update that a fault lost on its way (a lost message, a crashed holder).
  void record_lost(std::int64_t count = 1) { lost_ += count; }
  // `count` applied updates were undone (a server restored an older
  // checkpoint): they move from applied to dropped, reason "rolled_back".
  // Staleness statistics keep them (they describe every application).
  void record_rolled_back(std::int64_t count);
  // A message resent after an RPC timeout.
  void record_retry() { ++rpc_retries_; }
  // The global model went back to `version` (a restored checkpoint), taking
  // `samples` applied samples with it. Records an evaluation row at once (the
  // drop is what a user wants to see), unless the run is stopping.
  void on_rollback(std::int64_t version, std::int64_t samples, const ml::Vector& params);
  // Decentralised algorithms: mean L2 distance of the replicas to their
  // average; the latest value is reported in the next metrics row.
  void record_consensus_distance(double distance) { window_consensus_ = distance; }
  // One aggregation by a server that counts contributions
  // (algorithms/robust/byzantine_aggregation.h): `byzantine` of them came
  // from attackers, the rule rejected or down-weighted `rejected`, of which
  // `byzantine_rejected` from attackers.
  void record_contributions(std::int64_t byzantine, std::int64_t rejected,
                            std::int64_t byzantine_rejected) {
    totals_.contributions_counted = true;
    totals_.byzantine_sent += byzantine;
    totals_.rejected += rejected;
    totals_.byzantine_rejected += byzantine_rejected;
    window_byzantine_ += byzantine;
    window_rejected_ += rejected;
  }

  // The global model is now `version`, after `samples` more training samples
  // were applied. Evaluates if due; if a stop condition holds, records the
  // reason, stops the simulator and returns true.
  // Divergence is a stop condition checked before all others: a NaN or
  // infinite value in `params`, or a non-finite training loss reported while
  // the global model was at version N, stops the run with reason "diverged"
  // and status "diverged at step N" (the first such N). The outputs are still
  // complete; the final row evaluates the non-finite model.
  // REQUIRES: params stays alive and is the global model until the next call
  // or finish() (the monitor evaluates it again at the end if needed).
  bool on_update(std::int64_t version, std::int64_t samples, const ml::Vector& params);

  bool stopping() const { return !stop_reason_.empty(); }
  // Progress so far (for progress lines): the latest version and epochs.
  std::int64_t version() const { return version_ < 0 ? 0 : version_; }
  double epochs() const { return static_cast<double>(samples_) / static_cast<double>(train_size_); }

  // math: none: rows are still written at the scheduled points, but the
  // model is not evaluated (it was never trained).
  void set_timing_only() { timing_only_ = true; }
  // Evaluations run their test-set chunks as jobs on `pool` (null: on the
  // calling thread). The chunks are fixed by the test set alone and their
  // results combined in chunk order, so every row is bit for bit the same
  // for any number of threads. The pool then counts the evaluation time.
  void set_math_pool(MathPool* pool) { pool_ = pool; }
  // Host seconds spent evaluating without a pool (for timing.csv: math, not
  // simulation); with a pool they are in its math_seconds().
  double evaluation_seconds() const { return evaluation_seconds_; }

  // Called at every evaluation point, at its simulated time, after the row is
  // recorded (the runner samples node clocks there). Empty: nothing.
  void set_evaluation_observer(std::function<void(sim::Time)> observer) {
    evaluation_observer_ = std::move(observer);
  }

  // Ends the run: evaluates the last model if its version has no row yet and
  // fixes the totals. `reason` is used unless a stop condition already fired.
  void finish(const std::string& reason);

  const std::vector<MetricsRow>& rows() const { return rows_; }
  const RunTotals& totals() const { return totals_; }
  // Applied updates by staleness, for staleness.csv.
  const std::map<std::int64_t, std::int64_t>& staleness_histogram() const { return staleness_; }

 private:
  bool evaluation_due(std::int64_t version) const;
  void diverge(std::int64_t version);
  void evaluate(std::int64_t version);
  ml::Mlp::Evaluation evaluate_on_pool();
  bool all_finite(const ml::Vector& params);
  std::optional<std::int64_t> staleness_percentile(double p) const;

  // Constant after construction.
  sim::Simulator* sim_;
  const topology::Network* net_;
  const ml::Dataset* test_;
  StopCondition stop_;
  EvalSchedule schedule_;
  std::int64_t train_size_;
  bool timing_only_ = false;
  double evaluation_seconds_ = 0.0;
  MathPool* pool_ = nullptr;
  std::vector<ml::Mlp::ChunkEvaluation> chunks_;  // an evaluation's results, by chunk
  std::vector<MathPool::Job> chunk_jobs_;
  std::vector<char> finite_;  // all_finite's result by range

  // Scratch model the global parameters are copied into to evaluate; made at
  // the first evaluation, so a timing-only run (which evaluates nothing)
  // holds no parameter-sized buffer here.
  ml::MlpSpec model_;
  std::optional<ml::Mlp> evaluator_;
  ml::Mlp& evaluator();

  // Running state.
  const ml::Vector* params_ = nullptr;
  std::int64_t version_ = -1;
  std::int64_t samples_ = 0;
  std::int64_t next_time_eval_index_ = 0;
  double window_loss_sum_ = 0.0;
  std::int64_t window_loss_samples_ = 0;
  double window_staleness_sum_ = 0.0;
  std::int64_t window_staleness_count_ = 0;
  std::int64_t window_staleness_max_ = 0;
  std::optional<double> window_consensus_;
  std::int64_t window_byzantine_ = 0, window_rejected_ = 0;
  std::int64_t applied_ = 0;
  std::int64_t dropped_ = 0;
  std::int64_t produced_ = 0;
  std::int64_t lost_ = 0;
  std::int64_t rolled_back_ = 0;
  std::int64_t rpc_retries_ = 0;
  std::map<std::string, std::int64_t> dropped_by_reason_;
  std::map<std::int64_t, std::int64_t> staleness_;
  std::string stop_reason_;
  std::optional<std::int64_t> diverged_at_;
  std::vector<MetricsRow> rows_;
  RunTotals totals_;
  std::function<void(sim::Time)> evaluation_observer_;
};

}  // namespace algo
