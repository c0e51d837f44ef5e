// Each federated client's accuracy on its own shard, for clients.csv and the
// summary's client_accuracy percentiles (fedavg_metrics.cpp).
#pragma once

#include <vector>

#include "algorithms/ml/partition.h"
#include "algorithms/runtime/algorithm.h"
#include "algorithms/runtime/fl_metrics.h"

namespace algo {

// Sets clients[k].accuracy to the accuracy of the model `params` on shard k
// (gathered and evaluated whole, in client order). Leaves it empty for an
// empty shard, and every client's empty with `math: none` (no model).
// REQUIRES clients.size() == shards.size().
void evaluate_client_accuracy(const RunContext& ctx, const ml::Vector& params,
                              const std::vector<ml::Shard>& shards,
                              std::vector<FlClientRow>& clients);

}  // namespace algo
