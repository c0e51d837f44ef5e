// gossip: decentralised parallel SGD (D-PSGD, Lian et al. 2017). No server:
// every worker holds its own replica of the model.
//
// Round t of worker i: compute a real gradient on the next batch of its shard
// at its replica (FLOPs / FLOP/s x straggler draw), take one optimizer step
// on the replica (each worker has its own optimizer state), send the replica
// to every neighbour (one flow each, sized by the parameter bytes), wait for
// the neighbours' round-t replicas, and replace its replica by the weighted
// sum  x_i = sum_j W_ij x_j  over itself and its neighbours, in node order,
// spending 2 x (degree + 1) x P FLOPs. The neighbour graph is `graph`
// (gossip_graph.h: ring by default, complete, 2-D torus, exponential, an
// explicit edge list, or the network topology's); W is its
// Metropolis-Hastings matrix: W_ij = 1 / (1 + max(deg_i, deg_j)) for
// neighbours, W_ii = 1 - sum of the others; symmetric, hence doubly
// stochastic, so the average of the replicas is what the mixing preserves.
//
// Reporting: once every worker has mixed round t, the global model version
// t + 1 is the average of the N mixed replicas (summed in worker order); the
// Monitor evaluates that average, and gets the consensus distance (mean L2
// distance of the replicas to it).
//
// Accounting, with or without `timeout`, is per contribution to a mix: a
// worker's round-t replica for itself and for each neighbour is produced
// when sent and counted applied (staleness 0) when mixed; a lost message's
// contribution is lost (on_lost), and a crashed holder's are dropped as
// crashed. Those not mixed when the run ends are outstanding, counted by
// the census from the messages in flight, the inboxes and the held copies
// (update_census.h), including replicas waiting for a round that a stalled
// ring never mixes.
//
// Faults, with `timeout` set (gossip_faults.cpp, rejoin in gossip_rejoin.cpp):
// a worker waits for its neighbours' round-t replicas at most `timeout` on
// its own clock (wait_for_local, armed when its replica is sent), then mixes
// what it has; a missing neighbour's weight goes to the worker itself
// (W_ii += W_ij), so the row still sums to 1. A contribution is also
// dropped as late if it arrives after its round was mixed, as stale if it
// predates a rejoined worker's first round, as superseded if the same
// neighbour's replica for the same round arrives again (from its rebooted
// process), and as crashed if its holder dies before mixing it. A crash ends the worker's process
// (incarnation), which notices at its next wake-up (the end of its compute
// or the deadline of its wait: nothing reaches a down host) and then drops
// what it held; a reboot before that settles it at once. On reboot the new
// process pulls a neighbour's current
// replica (a 64-byte request, a P x 4-byte answer, tried in neighbour order,
// the next one after each timeout) and starts at the round after the last one
// that neighbour sent, with fresh optimizer state. A neighbour answers from a
// serving thread beside its training loop with the last replica it completed
// (during a local step, the one the step started from). Global version t + 1
// is the average of the round-t replicas of the workers that mixed round t;
// it waits only for workers whose process is running and joined by round t.
// Without `timeout` (0) the run is the fault-free loop above: a worker
// waits for ever, a crash ends its process for good (what it held is
// dropped as crashed at the crash, Gossip::on_host_crashed), nothing
// restarts it, and its neighbours stall.
//
// Structure: each worker is one coroutine whose loop is the program above,
// a local step (Replica::local_step), a send, a wait, a mix through the one
// averaging kernel (weighted_average); the fault protocol (the bounded wait,
// the accounting, the rejoin) lives in named helpers.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "algorithms/runtime/algorithm.h"
#include "algorithms/runtime/assignment.h"
#include "algorithms/runtime/weighted_sum.h"
#include "algorithms/sync/gossip_graph.h"
#include "sim/mailbox.h"

namespace algo {

// The inputs of a mixing row for the averaging kernel: (weights[j] as float,
// replicas[j]) for every j with weights[j] != 0, in index order, into `row`
// (cleared first). replicas[j] may be null where weights[j] == 0.
void mixing_row(const std::vector<double>& weights, std::span<const ml::Vector* const> replicas,
                std::vector<WeightedInput>& row);

// Mean over the replicas of the L2 distance to their average (summed in
// order); also writes the average.
double consensus_distance(const std::vector<ml::Vector>& replicas, ml::Vector& average);

struct GossipConfig {
  std::vector<int> workers;  // indices into RunContext::nodes, >= 1 of them
  int batch_size = 32;
  AssignmentPolicy assignment = AssignmentPolicy::equal;
  GossipGraphSpec graph;  // default: ring
  // > 0: the fault-tolerant exchange above, waiting at most this long (on the
  // worker's clock) for a round's replicas; 0: wait for ever.
  sim::Time timeout = 0;
};

class Gossip final : public Algorithm {
 public:
  explicit Gossip(GossipConfig config);  // invalid_argument on a bad config
  ~Gossip() override;
  std::string_view name() const override { return "gossip"; }
  void launch(RunContext& ctx) override;
  // The average of the replicas after the last complete round.
  const ml::Vector& global_parameters() const override { return average_; }

  // For tests, valid after launch(): worker i's replica as of its last complete
  // step or mix (a step in progress is not seen; math: none: the initial model).
  const ml::Vector& replica(int worker) const;
  const std::vector<std::vector<double>>& mixing_matrix() const { return weights_; }

  void on_host_recovered(topology::NodeId host) override;
  void on_host_crashed(topology::NodeId host) override;
  std::optional<std::int64_t> updates_outstanding() const override;
  std::string stall_reason() const override;

  // For tests, with a timeout: each exchange that timed out (true times).
  struct TimedOut {
    int worker;
    std::int64_t round;
    sim::Time started, ended;
  };
  const std::vector<TimedOut>& timeouts() const { return timeouts_; }
  // Each rebooted worker's rejoin: when it adopted `from`'s replica, and the
  // round it starts at.
  struct Rejoin {
    int worker;
    int from;
    sim::Time at;
    std::int64_t round;
  };
  const std::vector<Rejoin>& rejoins() const { return rejoins_; }

 private:
  struct ReplicaMessage {
    std::int64_t round = 0;
    int from = -1;  // worker index
    // Null only in a state answer with math: none (presence is the message).
    std::shared_ptr<const ml::Vector> params;
    // A neighbour's replica for round `round`, or (with a timeout) the state
    // a rejoining process pulled: `round` is the first round it runs, and
    // `incarnation` the asking process's, so a stale answer is recognised.
    enum class Kind { replica, state } kind = Kind::replica;
    std::uint64_t incarnation = 0;
    // A replica: the contribution, for the census (update_census.h).
    UpdateCopy update_copy;
  };
  // Replicas received and not mixed yet: by round, then by worker (null:
  // not received).
  using Held = std::map<std::int64_t, std::vector<std::shared_ptr<const ml::Vector>>>;
  struct Worker;
  // What one process (one incarnation of a worker) holds: its inbox and the
  // contributions received but not mixed yet.
  struct Life;
  struct Round {
    std::vector<ml::Vector> replicas;  // by worker, once mixed
    int reported = 0;
    std::int64_t samples = 0;
    std::vector<char> reported_by;  // with a timeout: by worker
  };

  Worker& worker(int index) { return *workers_[static_cast<std::size_t>(index)]; }
  sim::Task work(int index);
  // Sends worker `index`'s replica of `round` to its neighbours (into their
  // current process's inbox; `on_lost` if the network loses one) and files
  // it as its own contribution. Returns the round's held replicas.
  // `counted` (always, through send_contributions): each message carries a
  // contribution's copy, and the worker's own is filed in its Life.
  std::vector<std::shared_ptr<const ml::Vector>>& send_replica(
      int index, std::int64_t round, const std::function<void()>& on_lost = {},
      bool counted = false);
  // Whether a neighbour's replica of the round `mine` is still missing.
  bool missing(int index, const std::vector<std::shared_ptr<const ml::Vector>>& mine) const;
  // The simulated FLOPs of a mix over `replicas` replicas: a scale and an add
  // per element each.
  double mix_flops(std::int64_t replicas) const;
  // Replaces the worker's replica by its mixing row `weights` over `mine`,
  // through the averaging kernel (nothing with math: none).
  void mix(int index, const std::vector<std::shared_ptr<const ml::Vector>>& mine,
           const std::vector<double>& weights);
  // Worker `index` finished round `round` with its mixed replica.
  void report(int index, std::int64_t round, std::int64_t samples);

  // With a timeout, and the accounting of both (gossip_faults.cpp).
  sim::Task resilient_work(int index, bool rejoin);
  // Counts the round's contributions as produced and sends the replica.
  std::vector<std::shared_ptr<const ml::Vector>>& send_contributions(int index, std::int64_t round);
  // Waits for the neighbours' replicas of `round` until `timeout` has run on
  // the worker's clock; files what comes, records a timeout.
  sim::Task await_neighbours(int index, std::int64_t round, Life& life);
  // The mixing row over the replicas that came: a missing neighbour's weight
  // goes to the worker itself. Sets `present` to the replicas mixed.
  std::vector<double> surviving_row(int index,
                                    const std::vector<std::shared_ptr<const ml::Vector>>& mine,
                                    std::int64_t& present) const;
  // Counts the `present` replicas mixed as applied and reports the round
  // (report_resilient with a timeout, report without).
  void count_mixed(int index, std::int64_t round, std::int64_t present, std::int64_t samples);
  // Files a replica that arrived for `current` or later, drops an older one.
  void hold(Life& life, ReplicaMessage message, std::int64_t current);
  // Settles the census copies of `life`'s contributions of rounds before
  // `before` (applied or dropped by the caller) and forgets them.
  void settle_copies(Life& life, std::int64_t before);
  // The process died: every contribution it held is dropped as crashed.
  void abandon(int index, Life& life);
  void report_resilient(int index, std::int64_t round, std::int64_t samples);
  void close_rounds();

  // Rejoining after a reboot (gossip_rejoin.cpp).
  // Pulls a neighbour's replica (or starts over alone) and sets `first` to
  // the round to run next; returns early if the process dies meanwhile.
  sim::Task rejoin(int index, Life& life, std::int64_t& first);
  void request_state(int index, int from, std::uint64_t incarnation);
  // Replicas of rounds before `first` will never be mixed: dropped as stale.
  void drop_stale(Life& life, std::int64_t first);

  GossipConfig config_;
  RunContext* ctx_ = nullptr;
  std::vector<std::vector<int>> neighbours_;
  std::vector<std::vector<double>> weights_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::map<std::int64_t, Round> rounds_;  // rounds not yet complete
  ml::Vector average_;
  std::int64_t parameters_ = 0;  // P, of the scenario's model
  std::int64_t outstanding_ = 0;
  std::int64_t closed_through_ = -1;
  std::vector<TimedOut> timeouts_;
  std::vector<Rejoin> rejoins_;
};

}  // namespace algo
