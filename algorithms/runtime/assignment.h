// Task assignment: how the training data and the per-step work are split
// among workers. One policy, shared by every algorithm.
//
//   equal     equal IID shards, the same batch size everywhere (the default)
//   random    every sample goes to a uniformly random worker: shard sizes vary
//             as a multinomial draw does; the same batch size everywhere
//   capacity  shard sizes and batch sizes proportional to each worker's FLOP/s,
//             so in a heterogeneous cluster every worker takes about the same
//             time per step and per pass over its shard
//
// Algorithms that average gradients weight them by batch size, so a capacity
// split still computes the mean gradient over all samples of a step.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "algorithms/ml/partition.h"
#include "algorithms/runtime/algorithm.h"
#include "algorithms/runtime/cluster.h"
#include "algorithms/runtime/training_seeds.h"

namespace algo {

enum class AssignmentPolicy { equal, random, capacity };

const char* assignment_name(AssignmentPolicy policy);

struct Assignment {
  std::vector<ml::Shard> shards;  // one per worker, in worker order
  std::vector<int> batch_sizes;   // one per worker, each >= 1
};

// Splits ctx.train among the nodes ctx.nodes[workers[i]], using ctx.seed.
// ctx.partition decides the shards: iid uses the policy's split above;
// dirichlet and shards (label skew, see ml/partition.h) replace the shards,
// sizes included, and the policy then only sets the batch sizes. Fills
// *ctx.shard_stats when set.
// REQUIRES workers non-empty, base_batch >= 1, ctx.train->size() >= workers.size().
// capacity: batch_i = max(1, round(base_batch x N x f_i / sum f)), so the total
// per step stays about N x base_batch.
Assignment assign_work(const RunContext& ctx, const std::vector<int>& workers, int base_batch,
                       AssignmentPolicy policy);

// One W per worker, built as W(ctx, node, shard, batch_size, order_seed,
// extra...) from assign_work's split, with the node's own batch-order seed.
template <class W, class... Extra>
std::vector<std::unique_ptr<W>> make_workers(const RunContext& ctx, const std::vector<int>& workers,
                                             int base_batch, AssignmentPolicy policy,
                                             Extra&&... extra) {
  Assignment assignment = assign_work(ctx, workers, base_batch, policy);
  std::vector<std::unique_ptr<W>> made;
  for (std::size_t i = 0; i < workers.size(); ++i) {
    const Node& node = ctx.nodes.at(static_cast<std::size_t>(workers[i]));
    made.push_back(std::make_unique<W>(ctx, node, std::move(assignment.shards[i]),
                                       assignment.batch_sizes[i],
                                       batch_order_seed(ctx.seed, node.name), extra...));
  }
  return made;
}

// The same, from its parts (for tests and tools without a RunContext).
Assignment assign_work(AssignmentPolicy policy, std::int64_t train_size,
                       const std::vector<Node>& workers, int base_batch, std::uint64_t seed);

}  // namespace algo
