#include "algorithms/runtime/monitor.h"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cmath>

namespace algo {

Monitor::Monitor(sim::Simulator& sim, const topology::Network& net, const ml::Dataset& test,
                 const ml::MlpSpec& model, StopCondition stop, EvalSchedule schedule,
                 std::int64_t train_size)
    : sim_(&sim),
      net_(&net),
      test_(&test),
      stop_(stop),
      schedule_(schedule),
      train_size_(train_size),
      model_(model) {
  assert(train_size_ > 0);
}

void Monitor::record_train_loss(double mean_loss, std::int64_t samples) {
  window_loss_sum_ += mean_loss * static_cast<double>(samples);
  window_loss_samples_ += samples;
  if (!std::isfinite(mean_loss)) diverge(std::max<std::int64_t>(version_, 0));
}

void Monitor::diverge(std::int64_t version) {
  if (diverged_at_) return;  // the first non-finite value names the step
  diverged_at_ = version;
  stop_reason_ = "diverged";
  sim_->stop();
}

void Monitor::record_applied(std::int64_t staleness) {
  ++applied_;
  ++staleness_[staleness];
  window_staleness_sum_ += static_cast<double>(staleness);
  window_staleness_max_ =
      window_staleness_count_ == 0 ? staleness : std::max(window_staleness_max_, staleness);
  ++window_staleness_count_;
}

void Monitor::record_dropped(std::int64_t count, const std::string& reason) {
  dropped_ += count;
  dropped_by_reason_[reason] += count;
}

void Monitor::record_rolled_back(std::int64_t count) {
  applied_ -= count;
  rolled_back_ += count;
  record_dropped(count, "rolled_back");
}

void Monitor::on_rollback(std::int64_t version, std::int64_t samples, const ml::Vector& params) {
  if (stopping()) return;
  params_ = &params;
  version_ = version;
  samples_ -= samples;
  evaluate(version);
}

bool Monitor::evaluation_due(std::int64_t version) const {
  if (version == 0) return true;  // the starting point of every curve
  if (schedule_.every_steps > 0 && version % schedule_.every_steps == 0) return true;
  return schedule_.every > 0 && sim_->now() >= next_time_eval_index_ * schedule_.every;
}

bool Monitor::on_update(std::int64_t version, std::int64_t samples, const ml::Vector& params) {
  params_ = &params;
  version_ = version;
  samples_ += samples;
  // One vectorised pass over the P parameters per version, next to the
  // O(batch x P) gradient work that produced them.
  // math: none: no parameters to check (model_shape.h).
  if (!timing_only_ && !diverged_at_ && !all_finite(params)) diverge(version);
  if (diverged_at_) return true;

  std::string reason;
  const double epochs = static_cast<double>(samples_) / static_cast<double>(train_size_);
  if (stop_.max_steps > 0 && version >= stop_.max_steps) reason = "steps";
  if (stop_.max_epochs > 0 && epochs >= stop_.max_epochs) reason = "epochs";

  if (evaluation_due(version) || !reason.empty()) evaluate(version);
  if (reason.empty() && stop_.target_accuracy > 0 && !rows_.empty() &&
      rows_.back().step == version && rows_.back().test_accuracy >= stop_.target_accuracy) {
    reason = "target_accuracy";
  }
  if (reason.empty()) return false;
  stop_reason_ = reason;
  sim_->stop();
  return true;
}

void Monitor::evaluate(std::int64_t version) {
  assert(params_ != nullptr);
  ml::Mlp::Evaluation eval{0.0, 0.0};
  if (!timing_only_ && pool_ != nullptr) {
    eval = evaluate_on_pool();
  } else if (!timing_only_) {
    // Wall time is read for timing.csv only; nothing simulated depends on it.
    const auto start = std::chrono::steady_clock::now();
    evaluator().parameters() = *params_;
    eval = evaluator().evaluate(*test_);
    evaluation_seconds_ +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  MetricsRow row;
  row.time = sim_->now();
  row.step = version;
  row.samples = samples_;
  row.epochs = static_cast<double>(samples_) / static_cast<double>(train_size_);
  if (window_loss_samples_ > 0) {
    row.train_loss = window_loss_sum_ / static_cast<double>(window_loss_samples_);
  }
  row.test_loss = eval.loss;
  row.test_accuracy = eval.accuracy;
  row.evaluated = !timing_only_;
  row.throughput = row.time > 0 ? static_cast<double>(samples_) / sim::to_seconds(row.time) : 0.0;
  row.bytes_sent = net_->total_bytes_sent();
  if (window_staleness_count_ > 0) {
    row.staleness_mean = window_staleness_sum_ / static_cast<double>(window_staleness_count_);
    row.staleness_max = window_staleness_max_;
  }
  row.updates_dropped = dropped_;
  row.consensus_distance = window_consensus_;
  row.byzantine_sent = window_byzantine_;
  row.rejected = window_rejected_;
  rows_.push_back(row);

  window_loss_sum_ = 0.0;
  window_loss_samples_ = 0;
  window_staleness_sum_ = 0.0;
  window_staleness_count_ = 0;
  window_staleness_max_ = 0;
  window_consensus_.reset();
  window_byzantine_ = 0;
  window_rejected_ = 0;
  if (schedule_.every > 0) next_time_eval_index_ = sim_->now() / schedule_.every + 1;
  if (!timing_only_ && stop_.target_accuracy > 0 && !totals_.time_to_target &&
      eval.accuracy >= stop_.target_accuracy) {
    totals_.time_to_target = row.time;
  }
  if (evaluation_observer_) evaluation_observer_(row.time);
}

// On the pool in fixed ranges: a check of every parameter at every version
// is a pass over the whole model on the simulation thread otherwise.
bool Monitor::all_finite(const ml::Vector& params) {
  constexpr std::int64_t kRange = 16'384;
  finite_.assign(static_cast<std::size_t>((params.size() + kRange - 1) / kRange), 1);
  run_ranges(pool_, params.size(), kRange, chunk_jobs_,
             [&](std::int64_t offset, std::int64_t size) {
               finite_[static_cast<std::size_t>(offset / kRange)] =
                   params.segment(offset, size).allFinite();
             });
  return std::all_of(finite_.begin(), finite_.end(), [](char ok) { return ok != 0; });
}

ml::Mlp& Monitor::evaluator() {
  if (!evaluator_) evaluator_.emplace(model_);
  return *evaluator_;
}

// The chunks are queued in order and joined last first: helper threads take
// them from the front while this thread, joining, runs the back ones itself,
// so both ends work until they meet. Which thread ran a chunk changes
// nothing: each chunk's result lands in its own slot, combined in order.
ml::Mlp::Evaluation Monitor::evaluate_on_pool() {
  {
    MathTimer timer(pool_);
    evaluator().parameters() = *params_;
  }
  const std::int64_t n = ml::Mlp::evaluation_chunks(*test_);
  chunks_.assign(static_cast<std::size_t>(n), {});
  chunk_jobs_.clear();
  for (std::int64_t c = 0; c < n; ++c) {
    chunk_jobs_.push_back(pool_->submit([this, c] {
      chunks_[static_cast<std::size_t>(c)] = evaluator_->evaluate_chunk(*test_, c);
    }));
  }
  for (auto it = chunk_jobs_.rbegin(); it != chunk_jobs_.rend(); ++it) it->join();
  chunk_jobs_.clear();
  return ml::Mlp::combine(*test_, chunks_);
}

std::optional<std::int64_t> Monitor::staleness_percentile(double p) const {
  const std::int64_t applications = applied_ + rolled_back_;  // what the histogram holds
  if (applications == 0) return std::nullopt;
  // Nearest-rank percentile: the smallest value with at least p% at or below it.
  const auto rank =
      static_cast<std::int64_t>(std::ceil(p / 100.0 * static_cast<double>(applications)));
  std::int64_t seen = 0;
  for (const auto& [staleness, count] : staleness_) {
    seen += count;
    if (seen >= std::max<std::int64_t>(rank, 1)) return staleness;
  }
  return staleness_.rbegin()->first;
}

void Monitor::finish(const std::string& reason) {
  if (stop_reason_.empty()) stop_reason_ = reason;
  if (params_ != nullptr && (rows_.empty() || rows_.back().step != version_)) evaluate(version_);

  totals_.stop_reason = stop_reason_;
  totals_.diverged_at_step = diverged_at_;
  if (diverged_at_) totals_.status = "diverged at step " + std::to_string(*diverged_at_);
  totals_.time = sim_->now();
  totals_.steps = std::max<std::int64_t>(version_, 0);
  totals_.samples = samples_;
  totals_.epochs = static_cast<double>(samples_) / static_cast<double>(train_size_);
  totals_.evaluated = !timing_only_;
  if (!rows_.empty()) {
    totals_.final_test_loss = rows_.back().test_loss;
    totals_.final_test_accuracy = rows_.back().test_accuracy;
    for (const MetricsRow& row : rows_) {
      totals_.best_test_accuracy = std::max(totals_.best_test_accuracy, row.test_accuracy);
    }
  }
  totals_.throughput =
      totals_.time > 0 ? static_cast<double>(samples_) / sim::to_seconds(totals_.time) : 0.0;
  totals_.bytes_sent = net_->total_bytes_sent();
  totals_.updates_applied = applied_;
  totals_.updates_dropped = dropped_;
  const auto offline = dropped_by_reason_.find("offline");
  totals_.updates_dropped_offline = offline == dropped_by_reason_.end() ? 0 : offline->second;
  totals_.updates_produced = produced_;
  totals_.updates_lost = lost_;
  totals_.dropped_by_reason = dropped_by_reason_;
  totals_.rpc_retries = rpc_retries_;
  if (applied_ + rolled_back_ > 0) {
    double sum = 0.0;
    for (const auto& [staleness, count] : staleness_) {
      sum += static_cast<double>(staleness) * static_cast<double>(count);
    }
    totals_.staleness_mean = sum / static_cast<double>(applied_ + rolled_back_);
    totals_.staleness_p50 = staleness_percentile(50);
    totals_.staleness_p99 = staleness_percentile(99);
    totals_.staleness_max = staleness_.rbegin()->first;
  }
  totals_.events_processed = sim_->events_processed();
}

}  // namespace algo
