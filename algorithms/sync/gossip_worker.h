// Gossip's per-worker state, shared by the fault-free loop (gossip.cpp) and
// the fault-tolerant one (gossip_faults.cpp). Internal to those two files.
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "algorithms/ml/batch_sampler.h"
#include "algorithms/runtime/compute_model.h"
#include "algorithms/sync/gossip.h"
#include "algorithms/runtime/math_pool.h"

namespace algo {

struct Gossip::Worker {
  Worker(const RunContext& ctx, const Node& node, ml::Shard shard, int batch_size,
         std::uint64_t order_seed, const ml::Vector& initial)
      : node(node),
        batch_size(batch_size),
        model(ctx.model),
        optimizer(ctx.optimizer->clone()),
        sampler(std::move(shard), order_seed),
        compute(node, ctx.seed),
        inbox(*ctx.sim) {
    model.parameters() = initial;
  }
  Node node;
  int batch_size;
  ml::Mlp model;  // its parameters are the replica
  std::unique_ptr<ml::Optimizer> optimizer;
  ml::BatchSampler sampler;
  ComputeModel compute;
  sim::Mailbox<ReplicaMessage> inbox;
  // Neighbours' replicas that arrived, by round, then worker.
  std::map<std::int64_t, std::vector<std::shared_ptr<const ml::Vector>>> received;
  ml::RowMatrix x;
  std::vector<std::int32_t> y;
  ml::Vector gradient;
  ml::Vector mixed;
  // With a timeout: the running process's state, the gradient job on the
  // math pool (joined before a reboot reuses the buffers), the last round it
  // sent, the first round it ran, and whether it runs.
  std::shared_ptr<Life> life;
  MathPool::Job* computing = nullptr;
  std::int64_t sent_round = -1;
  std::int64_t joined_round = 0;
  bool active = true;
  std::uint64_t wait_seq = 0;
};

struct Gossip::Life {
  explicit Life(sim::Simulator& sim) : inbox(sim) {}
  sim::Mailbox<ReplicaMessage> inbox;
  std::map<std::int64_t, std::vector<std::shared_ptr<const ml::Vector>>> received;
  bool settled = false;  // its contributions were dropped when it died
};

}  // namespace algo
