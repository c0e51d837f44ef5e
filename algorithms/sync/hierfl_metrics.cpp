// HierFL's rounds.csv and clients.csv: one row per completed cloud round,
// the counts of its edge rounds summed into it (in invitations: one client
// asked for one edge round's update), bytes attributed to the cloud round a
// message served; per client its invitations, applied uploads and bytes.
#include "algorithms/runtime/client_holdout.h"
#include "algorithms/sync/hierfl.h"

namespace algo {

FlRoundRow& HierFl::round_row(std::int64_t cloud_round) {
  const auto r = static_cast<std::size_t>(cloud_round - 1);
  while (fl_rounds_.size() <= r) {
    FlRoundRow row;
    row.round = static_cast<std::int64_t>(fl_rounds_.size());  // from 0, as FedAvg's
    fl_rounds_.push_back(row);
    round_done_.push_back(false);
  }
  return fl_rounds_[r];
}

void HierFl::count_edge_round(std::int64_t cloud_round, const EdgeRound& round) {
  FlRoundRow& row = round_row(cloud_round);
  row.selected += round.invited;
  row.reported += static_cast<std::int64_t>(round.applied.size());
  row.late += round.late;
  row.offline += round.offline;
  row.crashed += round.crashed;
  row.unreachable += round.unreachable;
  row.lost += round.lost;
}

void HierFl::count_bytes(std::int64_t cloud_round, int client, double down, double up) {
  FlRoundRow& row = round_row(cloud_round);
  row.bytes_down += down;
  row.bytes_up += up;
  if (client < 0) return;  // the cloud's and the edges' own models
  FlClientRow& c = fl_clients_[static_cast<std::size_t>(client)];
  c.bytes_down += down;
  c.bytes_up += up;
}

std::optional<FlMetrics> HierFl::fl_metrics() const {
  FlMetrics metrics;
  for (std::size_t r = 0; r < fl_rounds_.size(); ++r) {
    if (round_done_[r]) metrics.rounds.push_back(fl_rounds_[r]);
  }
  metrics.clients = fl_clients_;
  // On each client's held-out part, or its training shard without one.
  evaluate_clients(*ctx_, params_, holdout_.empty() ? shards_ : holdout_, metrics.clients);
  return metrics;
}

}  // namespace algo
