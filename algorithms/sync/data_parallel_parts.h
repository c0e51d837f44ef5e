// Private to data_parallel*.cpp: the per-worker state and the elastic
// machinery's state and messages (see data_parallel.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "algorithms/ml/batch_sampler.h"
#include "algorithms/runtime/compute_model.h"
#include "algorithms/sync/data_parallel.h"
#include "algorithms/runtime/training_seeds.h"

namespace algo {

// A message to a worker's control inbox (elastic).
struct DataParallel::Control {
  enum class Kind { reset, assignment, state, tick };
  Kind kind = Kind::tick;
  int epoch = 0;          // reset: the epoch to leave; assignment, state: the new one
  std::uint64_t seq = 0;  // tick: the timer's number
  // state: the root's committed state
  std::shared_ptr<const ml::Vector> params;
  std::shared_ptr<const ml::Optimizer> optimizer;
  int state_epoch = 0;
  std::int64_t version = 0;
};

// A rendezvous request to the coordinator, or its own retry tick.
struct DataParallel::Request {
  bool tick = false;
  std::uint64_t seq = 0;          // tick: the timer's number
  int worker = 0;                 // position in config.workers
  std::uint64_t incarnation = 0;  // of the worker's host when sent
  int known_epoch = 0;            // the latest epoch it was assigned to
  bool has_state = false;
  int state_epoch = 0;
  std::int64_t version = 0;
};

// One round's contributions, until resolved (see Accounting in data_parallel.h).
struct DataParallel::Round {
  std::vector<std::pair<int, std::uint64_t>> contributors;  // (worker, incarnation), entry order
  std::int64_t samples = 0;
};

struct DataParallel::Elastic {
  struct Epoch {
    std::vector<int> members;                 // positions in config.workers, ascending
    std::vector<std::uint64_t> incarnations;  // of their hosts at formation
    std::unique_ptr<Communicator> comm;       // ranks = members' order
    int root = -1;
    std::vector<int> synced;  // members the root sends its state to
  };
  std::vector<std::unique_ptr<Epoch>> epochs;  // never shrinks: late chunks reach old ones
  std::map<std::pair<int, std::int64_t>, Round> ledger;  // unresolved, by (epoch, version)
  std::map<std::pair<int, std::int64_t>, bool> flags;    // math: none: rounds with the flag set
  std::int64_t outstanding = 0;
  std::int64_t unreported_samples = 0;  // applied, not yet passed to Monitor::on_update
  std::int64_t reported_version = 0;
  topology::NodeId coordinator_host = 0;
  std::unique_ptr<sim::Mailbox<Request>> coordinator_inbox;
  bool gathering = false;
  std::uint64_t coordinator_tick = 0;
  std::map<int, Request> pending;               // by worker: the requests of this gathering
  int members_of(int epoch, int worker) const;  // rank in the epoch, or -1
};

struct DataParallel::Worker {
  Worker(const RunContext& ctx, const Node& node, ml::Shard shard, int batch_size,
         const ml::Vector& initial)
      : node(node),
        batch_size(batch_size),
        optimizer(ctx.optimizer->clone()),
        sampler(std::move(shard), batch_order_seed(ctx.seed, node.name)),
        compute(node, ctx.seed) {
    if (ctx.timing_only) return;  // math: none keeps no replica (10,000 workers fit in memory)
    model.emplace(ctx.model);
    model->parameters() = initial;
  }
  Node node;
  int batch_size;
  std::optional<ml::Mlp> model;  // the replica (none with math: none)
  std::unique_ptr<ml::Optimizer> optimizer;
  ml::BatchSampler sampler;
  ComputeModel compute;
  ml::RowMatrix x;
  std::vector<std::int32_t> y;
  ml::Vector gradient;
  ml::Vector reduced;  // P + 1 floats: the weighted vector, then its weight
  ml::Vector average;  // P floats: reduced / weight

  // Elastic only (data_parallel_elastic.cpp): owned by the worker's current
  // process; a reboot keeps the struct (the disk: shard, batch order) but
  // the new process starts with no state until a root sends it.
  std::unique_ptr<sim::Mailbox<Control>> control;                     // of the current incarnation
  std::vector<std::unique_ptr<sim::Mailbox<Control>>> dead_controls;  // crashed processes wait here
  int epoch = 0;               // the latest epoch it was assigned to
  bool has_state = true;       // false from a reboot until a root's state arrives
  int state_epoch = 0;         // the committed state's id: the epoch of its last commit
  std::int64_t version = 0;    //   and its version
  bool reset_heard = false;    // the coordinator asked to re-form (a worker wants in)
  std::uint64_t wait_seq = 0;  // numbers its retry timers; older ticks are ignored
  // The gradient job of the process now computing, if any: a rebooted
  // worker's new process reuses the buffers above, so the crashed
  // process's job is joined first (with threads they must not overlap).
  MathPool::Job* computing = nullptr;
  ml::Vector committed;  // local SGD: the replica at the last averaging
  std::unique_ptr<ml::Optimizer> committed_optimizer;
};

}  // namespace algo
