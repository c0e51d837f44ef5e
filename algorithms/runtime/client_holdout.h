// A federated client's held-out part: a seeded fraction of its shard kept out
// of training, on which the final global model's accuracy for that client is
// measured (clients.csv, summary's client_accuracy_p10/p50/p90).
//
// hold_out(shard, f, seed) takes m = floor(f x n) of the shard's n rows (a
// partial Fisher-Yates shuffle of the positions on the client's own stream),
// removes them from the shard and returns them; both keep the shard's order.
// So the training part is n - m rows, which is the client's weight n_k, and
// with f = 0 nothing changes (no draw is taken).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "algorithms/ml/partition.h"
#include "algorithms/runtime/algorithm.h"
#include "algorithms/runtime/fl_metrics.h"

namespace algo {

// The held-out rows, taken out of `shard`. REQUIRES 0 <= fraction < 1, else
// std::invalid_argument.
ml::Shard hold_out(ml::Shard& shard, double fraction, std::uint64_t seed);

// Holds out `fraction` of every client's shard, client k drawing from the
// stream (run seed, node name of clients[k], "fl-holdout"). Returns the
// held-out parts in client order; empty (and the shards untouched) when the
// fraction is 0.
std::vector<ml::Shard> hold_out_clients(const RunContext& ctx, const std::vector<int>& clients,
                                        std::vector<ml::Shard>& shards, double fraction);

// Each client's accuracy of the model `params` on its rows (rows[k] for
// rows[k] non-empty), into clients[k].accuracy, evaluated whole in client
// order. Does nothing without a model (math: none).
void evaluate_clients(const RunContext& ctx, const ml::Vector& params,
                      const std::vector<ml::Shard>& rows, std::vector<FlClientRow>& clients);

}  // namespace algo
