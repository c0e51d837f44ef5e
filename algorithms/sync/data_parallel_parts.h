// Private to data_parallel*.cpp: the per-worker state and the elastic
// machinery's state and messages (see data_parallel.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "algorithms/runtime/compressor.h"
#include "algorithms/runtime/replica.h"
#include "algorithms/sync/data_parallel.h"
#include "sim/mailbox.h"

namespace algo {

// Bytes of the small elastic control messages: a request, a reset notice,
// the header of an assignment (plus 4 per member) or of a state transfer.
inline constexpr double kControlBytes = 64.0;

// A message to a worker's control inbox (elastic).
struct DataParallel::Control {
  enum class Kind { reset, assignment, state };
  Kind kind = Kind::reset;
  int epoch = 0;  // reset: the epoch to leave; assignment, state: the new one
  // state: the root's committed state
  std::shared_ptr<const ml::Vector> params;
  std::shared_ptr<const ml::Optimizer> optimizer;
  int state_epoch = 0;
  std::int64_t version = 0;
};

// A rendezvous request to the coordinator.
struct DataParallel::Request {
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
  std::vector<UpdateCopy::Fate> copies;  // their fates; the copies travel in the collective
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

  // The coordinator's, owned by its process (data_parallel_coordinator.cpp).
  topology::NodeId coordinator_host = 0;
  std::unique_ptr<sim::Mailbox<Request>> coordinator_inbox;
  bool gathering = false;
  sim::Time gathering_deadline = 0;             // while gathering: when to re-check host discovery
  std::map<int, Request> pending;               // by worker: the requests of this gathering
  int members_of(int epoch, int worker) const;  // rank in the epoch, or -1
};

struct DataParallel::Worker {
  Worker(const RunContext& ctx, const Node& node, ml::Shard shard, int batch_size,
         const ml::Vector& initial)
      : replica(ctx, node, std::move(shard), batch_size, initial) {}
  topology::NodeId host() const { return replica.node.host; }

  Replica replica;     // the model (none with math: none), optimizer, sampler, compute
  ml::Vector reduced;  // P + 1 floats (elastic: P + 2): the weighted vector, its weight[, flag]
  ml::Vector average;  // P floats: reduced / weight
  // Gradient all-reduce with a lossy compressor (data_parallel_compressed.cpp):
  // its encoder, seeded from its own stream, and every rank's decoded block
  // of P + 1 floats, gathered (empty with math: none or without one).
  std::unique_ptr<Compressor> compressor;
  ml::Vector blocks;

  // Elastic only: owned by the worker's current process; a reboot keeps the
  // struct (the disk: shard, batch order) but the new process starts with no
  // state until a root sends it.
  std::unique_ptr<sim::Mailbox<Control>> control;                     // of the current incarnation
  std::vector<std::unique_ptr<sim::Mailbox<Control>>> dead_controls;  // crashed processes wait here
  int epoch = 0;             // the latest epoch it was assigned to
  bool has_state = true;     // false from a reboot until a root's state arrives
  int state_epoch = 0;       // the committed state's id: the epoch of its last commit
  std::int64_t version = 0;  //   and its version
  bool reset_heard = false;  // the coordinator asked to re-form (a worker wants in)
  ml::Vector committed;      // local SGD: the replica at the last averaging
  std::unique_ptr<ml::Optimizer> committed_optimizer;
};

}  // namespace algo
