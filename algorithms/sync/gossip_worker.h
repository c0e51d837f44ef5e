// Gossip's per-worker state, shared by the fault-free loop (gossip.cpp) and
// the fault-tolerant one (gossip_faults.cpp, gossip_rejoin.cpp). Internal to
// those files.
#pragma once

#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "algorithms/runtime/replica.h"
#include "algorithms/runtime/weighted_sum.h"
#include "algorithms/sync/gossip.h"

namespace algo {

// A gossip worker's local step: the gradient, then its optimizer's step on
// the replica.
inline StepPlan training_step() {
  StepPlan plan;
  plan.apply = true;
  return plan;
}

struct Gossip::Worker {
  // `order_seed` is the node's batch-order seed, which the Replica derives
  // itself (make_workers passes it to every worker type).
  Worker(const RunContext& ctx, const Node& node, ml::Shard shard, int batch_size,
         std::uint64_t /*order_seed*/, const ml::Vector& initial)
      : replica(ctx, node, std::move(shard), batch_size, initial) {
    if (!ctx.timing_only) mixed.resize(initial.size());
  }
  const Node& node() const { return replica.node; }
  // The replica as of its last complete step (a step applies its update
  // only when its compute time is over). REQUIRES: math.
  const ml::Vector& last_complete() const { return replica.model->parameters(); }

  // Its model's parameters are the worker's replica.
  Replica replica;
  // The running process's inbox and held replicas (one per incarnation).
  std::shared_ptr<Life> life;
  // Scratch of the mix, kept for its storage.
  ml::Vector mixed;
  std::vector<WeightedInput> row;
  std::vector<MathPool::Job> jobs;
  // With a timeout: the last round sent, the first round run, and whether a
  // process runs.
  std::int64_t sent_round = -1;
  std::int64_t joined_round = 0;
  bool active = true;
};

struct Gossip::Life {
  explicit Life(sim::Simulator& sim) : inbox(sim) {}
  sim::Mailbox<ReplicaMessage> inbox;
  Held received;
  // The census copies (update_census.h) of the contributions in
  // `received`, by (round, worker).
  std::map<std::pair<std::int64_t, int>, UpdateCopy> copies;
  std::uint64_t incarnation = 0;  // of the worker's host when the process started
  bool settled = false;           // its contributions were dropped when it died
};

}  // namespace algo
