// FedAvg's per-round and per-client metrics (rounds.csv, clients.csv): the
// counts come from each closed round's record, the bytes from every message
// as it is sent, attributed to the round it belongs to.
#include "algorithms/runtime/client_holdout.h"
#include "algorithms/sync/fedavg.h"

namespace algo {

void FedAvg::count_bytes(std::int64_t round, int client, double down, double up) {
  const auto r = static_cast<std::size_t>(round);
  if (down_by_round_.size() <= r) {
    down_by_round_.resize(r + 1, 0.0);
    up_by_round_.resize(r + 1, 0.0);
  }
  down_by_round_[r] += down;
  up_by_round_[r] += up;
  FlClientRow& row = fl_clients_[static_cast<std::size_t>(client)];
  row.bytes_down += down;
  row.bytes_up += up;
}

void FedAvg::count_round(const FedAvgRound& record) {
  FlRoundRow row;
  row.round = record.round;
  row.start = record.start;
  row.end = record.end;
  row.start_local = record.start_local;
  row.end_local = record.end_local;
  row.selected = static_cast<std::int64_t>(record.sampled.size());
  row.reported = static_cast<std::int64_t>(record.accepted.size());
  row.late = static_cast<std::int64_t>(record.late.size());
  row.offline = static_cast<std::int64_t>(record.offline.size());
  row.crashed = record.crashed;
  row.unreachable = record.unreachable;
  row.lost = record.lost;
  fl_rounds_.push_back(row);
  for (int c : record.sampled) ++fl_clients_[static_cast<std::size_t>(c)].selected;
  for (int c : record.accepted) ++fl_clients_[static_cast<std::size_t>(c)].reported;
}

std::optional<FlMetrics> FedAvg::fl_metrics() const {
  FlMetrics metrics;
  metrics.rounds = fl_rounds_;
  metrics.clients = fl_clients_;
  for (FlRoundRow& row : metrics.rounds) {
    const auto r = static_cast<std::size_t>(row.round);
    if (r < down_by_round_.size()) {
      row.bytes_down = down_by_round_[r];
      row.bytes_up = up_by_round_[r];
    }
  }
  // On each client's held-out part, or its training shard without one.
  evaluate_clients(*ctx_, params_, holdout_.empty() ? shards_ : holdout_, metrics.clients);
  return metrics;
}

}  // namespace algo
