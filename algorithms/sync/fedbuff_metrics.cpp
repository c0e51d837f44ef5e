// FedBuff's per-step and per-client metrics (steps.csv, clients.csv): a step
// row gathers what happened since the previous step (clients started, drops
// by reason, losses, bytes of every message sent) and, at the step, the
// arrivals it applied and their staleness.
#include <algorithm>
#include <cstring>

#include "algorithms/runtime/client_holdout.h"
#include "algorithms/runtime/local_time.h"
#include "algorithms/sync/fedbuff.h"

namespace algo {

void FedBuff::count_bytes(int client, double down, double up) {
  pending_step_.bytes_down += down;
  pending_step_.bytes_up += up;
  FlClientRow& row = fl_clients_[static_cast<std::size_t>(client)];
  row.bytes_down += down;
  row.bytes_up += up;
}

void FedBuff::count_drop(const char* reason) {
  if (std::strcmp(reason, "offline") == 0) {
    ++pending_step_.offline;
    ++stats_.offline;
  } else if (std::strcmp(reason, "crashed") == 0) {
    ++pending_step_.crashed;
    ++stats_.crashed;
  } else if (std::strcmp(reason, "unreachable") == 0) {
    ++pending_step_.unreachable;
    ++stats_.unreachable;
  } else {
    ++pending_step_.late;
    ++stats_.late;
  }
}

void FedBuff::count_step(const std::vector<std::int64_t>& staleness) {
  FlStepRow row = pending_step_;
  row.step = version_;  // the version before this step: the step publishes version_ + 1
  row.aggregated = static_cast<std::int64_t>(staleness.size());
  for (std::int64_t s : staleness) {
    row.staleness_sum += s;
    row.staleness_max = std::max(row.staleness_max, s);
  }
  fl_steps_.push_back(row);
  pending_step_ = FlStepRow{};
}

std::optional<FlMetrics> FedBuff::fl_metrics() const {
  FlMetrics metrics;
  metrics.asynchronous = true;
  metrics.steps = fl_steps_;
  // What happened after the last step until the run stopped: a last row
  // that aggregated nothing, so the rows sum to the run's totals.
  const FlStepRow& tail = pending_step_;
  if (tail.started + tail.late + tail.offline + tail.crashed + tail.unreachable + tail.lost > 0 ||
      tail.bytes_down + tail.bytes_up > 0) {
    FlStepRow row = tail;
    row.step = version_;
    row.time = ctx_->sim->now();
    row.time_local = local_time(*ctx_, ctx_->nodes[static_cast<std::size_t>(config_.server)].host);
    metrics.steps.push_back(row);
  }
  metrics.clients = fl_clients_;
  // On each client's held-out part, or its training shard without one.
  evaluate_clients(*ctx_, params_, holdout_.empty() ? shards_ : holdout_, metrics.clients);
  return metrics;
}

}  // namespace algo
