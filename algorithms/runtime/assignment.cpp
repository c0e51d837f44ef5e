#include "algorithms/runtime/assignment.h"

#include <algorithm>

#include <cmath>
#include <stdexcept>

#include "algorithms/runtime/training_seeds.h"

namespace algo {

const char* assignment_name(AssignmentPolicy policy) {
  switch (policy) {
    case AssignmentPolicy::equal:
      return "equal";
    case AssignmentPolicy::random:
      return "random";
    case AssignmentPolicy::capacity:
      return "capacity";
  }
  return "equal";
}

Assignment assign_work(AssignmentPolicy policy, std::int64_t train_size,
                       const std::vector<Node>& workers, int base_batch, std::uint64_t seed) {
  if (workers.empty()) throw std::invalid_argument("assign_work: no workers");
  if (base_batch < 1) throw std::invalid_argument("assign_work: batch size must be >= 1");
  const auto n = static_cast<int>(workers.size());
  Assignment a;
  a.batch_sizes.assign(workers.size(), base_batch);
  switch (policy) {
    case AssignmentPolicy::equal:
      a.shards = ml::partition_iid(train_size, n, partition_seed(seed));
      break;
    case AssignmentPolicy::random:
      a.shards = ml::partition_random(train_size, n, partition_seed(seed));
      break;
    case AssignmentPolicy::capacity: {
      std::vector<double> rates;
      double total = 0.0;
      for (const Node& w : workers) {
        rates.push_back(w.flop_rate);
        total += w.flop_rate;
      }
      a.shards = ml::partition_weighted(train_size, rates, partition_seed(seed));
      for (std::size_t i = 0; i < workers.size(); ++i) {
        const double share = static_cast<double>(base_batch) * n * rates[i] / total;
        a.batch_sizes[i] = std::max(1, static_cast<int>(std::lround(share)));
      }
      break;
    }
  }
  return a;
}

Assignment assign_work(const RunContext& ctx, const std::vector<int>& workers, int base_batch,
                       AssignmentPolicy policy) {
  std::vector<Node> nodes;
  for (int w : workers) nodes.push_back(ctx.nodes.at(static_cast<std::size_t>(w)));
  Assignment a = assign_work(policy, ctx.train->size(), nodes, base_batch, ctx.seed);
  const ml::Dataset& train = *ctx.train;
  const int parts = static_cast<int>(nodes.size());
  switch (ctx.partition.kind) {
    case ml::PartitionKind::iid:
      break;
    case ml::PartitionKind::dirichlet:
      a.shards = ml::partition_dirichlet(train.labels, train.num_classes, parts,
                                         ctx.partition.alpha, partition_seed(ctx.seed));
      break;
    case ml::PartitionKind::shards:
      a.shards = ml::partition_shards(train.labels, parts, ctx.partition.shards_per_part,
                                      partition_seed(ctx.seed));
      break;
    case ml::PartitionKind::natural: {
      const int clients = train.groups.empty()
                              ? 0
                              : 1 + *std::max_element(train.groups.begin(), train.groups.end());
      a.shards = ml::partition_natural(train.groups, clients, parts);
      break;
    }
  }
  if (ctx.shard_stats != nullptr) {
    ctx.shard_stats->clear();
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      ShardStats stats{nodes[i].name, static_cast<std::int64_t>(a.shards[i].size()),
                       std::vector<std::int64_t>(static_cast<std::size_t>(train.num_classes), 0)};
      for (std::int32_t index : a.shards[i]) {
        ++stats.class_counts[static_cast<std::size_t>(
            train.labels[static_cast<std::size_t>(index)])];
      }
      ctx.shard_stats->push_back(std::move(stats));
    }
  }
  return a;
}

}  // namespace algo
