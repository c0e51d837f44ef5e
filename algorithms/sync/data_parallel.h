// Decentralised data parallelism over an all-reduce: allreduce_ring,
// allreduce_tree, allreduce_hierarchical (gradient averaging every step) and
// local_sgd (parameter averaging every H local steps). One worker loop, the
// collective (collectives.h) and what is averaged are its parameters.
//
// Every worker holds a full replica (runtime/replica.h: parameters, its own
// optimizer state, its shard's batch order), all starting from the same
// initial model, and trains on its own shard (assign_work). One round, as
// DataParallel::work reads (local steps -> all-reduce -> average -> apply ->
// report):
//   1. H local steps (H = 1 for gradient averaging), each Replica::local_step:
//      a real gradient on the next batch of its shard, taking FLOPs / FLOP/s
//      x straggler of simulated time; with parameter averaging also the
//      optimizer step on its replica (2P FLOPs more in that sleep), taken
//      after the step's math job so the replica only holds completed steps.
//   2. An all-reduce of [b x gradient, b] (gradient averaging, b = its batch)
//      or [n x parameters, n] (parameter averaging, n = samples of its H
//      steps): the vector plus one float carrying the weight, so the result
//      divided by the summed weight is the sample-weighted mean. Its bytes
//      on the wire are therefore (P + 1) x 4.
//   3. The average, sum / weight in the one averaging kernel
//      (average_of_sum, runtime/averaging.h), and the update: P FLOPs of its
//      time for the division, plus 2P for the optimizer step on its replica
//      when averaging gradients. (The additions inside the all-reduce take no
//      simulated time.)
// All replicas stay bit-identical after each averaging (the collectives give
// every rank the same bits), so the global model is replica 0's parameters.
//
// Monitor: each worker reports its batch losses; the last worker to finish a
// round (apply its update) reports one record_applied(0) per worker (every
// contribution was computed from the model of the previous round: staleness
// 0 in versions; the local drift of local SGD, up to H - 1 local steps, is
// not counted as staleness), then on_update(version = rounds completed,
// samples = all workers' samples of the round, its parameters, bit-identical
// to every replica's). So a round ends, and a run stopping on steps or epochs
// stops, when every worker has finished it: a tree all-reduce's last
// broadcast counts. (Elastic runs report at the epoch's leader.) For gradient averaging a round is
// a step, so versions count optimizer steps as in ps_sync.
//
// Elastic training (DataParallelConfig::elastic), modelled on Horovod
// elastic. Without it a crash or a partition stalls the collective for good,
// as with plain MPI. Three files: data_parallel_elastic.cpp (the worker's
// loop: the same round, plus abort, rollback and commit),
// data_parallel_rejoin.cpp (a worker's rendezvous and the state sync) and
// data_parallel_coordinator.cpp (the coordinator and the accounting). A wait
// for a message with a timeout (a worker's for its answer, the
// coordinator's for requests) is a receive_until on the waiter's own inbox,
// the deadline read on its own clock (wait_for_local); the collective's
// timeout is a watchdog that aborts the operation.
//   * Detection: a worker aborts its collective when a chunk it sent is lost
//     (Communicator abort_on_loss) or when it has not finished within
//     `timeout` on its own clock (wait_for_local), like a collective library's
//     operation timeout. Its buffer is discarded: the round's contributions
//     are rolled back (local SGD also restores the replica and optimizer it
//     committed at the last averaging).
//   * Rendezvous: a coordinator (Horovod's driver) runs on `coordinator`
//     (default the first worker's node). Each worker that aborted sends it a
//     64-byte request carrying its committed state's id (epoch, version) and
//     sends it again if no answer came within `timeout` on its own clock.
//     The coordinator's host discovery is the network's truth: it forms a
//     new epoch once it holds a request from every worker whose host is up
//     and reachable from it (so of a partition the side that can reach the
//     coordinator goes on), re-checking every `timeout` on its own clock. The new ring, tree or
//     racks are those workers in worker order, on a fresh Communicator.
//     Every member gets a (64 + 4 x members)-byte assignment.
//   * Sync (Horovod's state.sync()): the member with the most advanced
//     committed state (highest version, then lowest index) is the root; it
//     sends its parameters and optimizer state ((P + optimizer state + 16)
//     x 4 bytes) to every member whose committed state differs (rejoiners,
//     members that missed the last commit); the others already hold the
//     same bits. So a rejoiner's optimizer state is the root's, not reset,
//     and the replicas stay identical.
//   * Rejoin: a rebooted worker (a new process) or one cut off from the
//     coordinator sends requests too; the coordinator then tells the current
//     members (64 bytes each). A member that has heard sets a flag element
//     in its next all-reduce ([b x gradient, b, flag]: P + 2 floats when
//     elastic), so all members agree to re-form after the same round, as
//     Horovod's check for host updates does.
//   * Accounting: a contribution is produced when its worker enters the
//     collective; it is applied when the epoch's rank 0 (the leader, which
//     reports to the Monitor) commits that round, or when a new epoch's root
//     state includes it; otherwise it is dropped when the next epoch forms
//     (or at once, for a round of an epoch already replaced): `crashed` if
//     its worker crashed since, `unreachable` if its worker is up but not in
//     the new epoch, `aborted` if its worker is a member (rolled back).
//     Rounds not yet resolved are outstanding. A contribution's census copy
//     (update_census.h) travels with the chunks that carry it
//     (Communicator::carry, carried_updates.h) and counts as on the network
//     from its entry into the collective until its round is resolved; a
//     round is applied or dropped only for the contributions of which a
//     copy still exists.
//     Without `elastic` every contribution of a round is applied when its
//     last worker finishes that round; after a crash the collective never
//     finishes and its contributions stay outstanding (the run ends stalled).
//   Not modelled: a crash of the coordinator's host (requests to it are
//   lost until it is back; its state survives); if no member holding state
//   is up, no epoch forms (Horovod's job would fail).
//
// Compression (data_parallel_compressed.cpp; compression.md). With a lossy
// compressor (allreduce_* only, not elastic), a sparse or quantized vector
// is not closed under addition, so step 2 becomes an all-gather: each worker
// encodes b x gradient with its own compressor (seeded from its own stream;
// error feedback keeps its residual), and a ring all-gather (collectives.h)
// moves every worker's encoding, each weighing its encoding's bytes plus 4
// for b, to every other: N - 1 steps whatever `collective` says. Each worker
// then sums the N decoded vectors in rank order (bit-identical everywhere)
// and goes on with step 3. An exact compressor (none) keeps the all-reduce.
//
// Equivalences, tested: gradient averaging ends with ps_sync's parameters on
// the same seed; local SGD with H = 1 and plain SGD (no momentum, no weight
// decay) ends with gradient averaging's parameters. With momentum they differ:
// local SGD averages the parameters, but each replica keeps its own momentum
// buffer built from its own gradients only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "algorithms/runtime/algorithm.h"
#include "algorithms/runtime/assignment.h"
#include "algorithms/runtime/collectives.h"
#include "algorithms/runtime/compressor.h"
#include "algorithms/runtime/gradient_buckets.h"
#include "sim/mailbox.h"

namespace algo {

enum class Averaged { gradients, parameters };

// Elastic training, see above. timeout 0: off.
struct ElasticSpec {
  sim::Time timeout = 0;  // local-clock bound of one collective, and the retry period
  int coordinator = -1;   // index into RunContext::nodes; -1: the first worker's node
};

struct DataParallelConfig {
  std::string name = "allreduce_ring";  // what name() reports
  std::vector<int> workers;             // indices into RunContext::nodes, >= 1 of them
  int batch_size = 32;                  // per worker per step (scaled by a capacity assignment)
  AssignmentPolicy assignment = AssignmentPolicy::equal;
  CollectiveSpec collective;
  Averaged averaged = Averaged::gradients;
  int local_steps = 1;  // H: steps per round; must be 1 when averaging gradients
  ElasticSpec elastic;
  // How each worker encodes its gradient (one instance per worker); a lossy
  // one turns the all-reduce into an all-gather (see Compression above).
  CompressorFactory compressor = [] { return std::make_unique<IdentityCompressor>(); };
  // Gradient buckets (data_parallel_buckets.cpp), used when the run has a
  // layer profile, averages gradients and is not elastic: the gradient is
  // all-reduced bucket by bucket, each bucket of at least this many bytes.
  double bucket_cap_bytes = 25.0 * 1024 * 1024;
  // Start each bucket's all-reduce as soon as it is ready (during the
  // backward pass), or only once the backward pass is over.
  bool overlap = true;
};

class DataParallel final : public Algorithm {
 public:
  explicit DataParallel(DataParallelConfig config);  // invalid_argument on a bad config
  ~DataParallel() override;
  std::string_view name() const override { return config_.name; }
  void launch(RunContext& ctx) override;
  const ml::Vector& global_parameters() const override;
  void on_host_recovered(topology::NodeId host) override;
  std::optional<std::int64_t> updates_outstanding() const override;
  std::string stall_reason() const override;

  // Elastic runs, for tests and reports: each epoch as formed (epoch 0: all
  // workers at launch) and each aborted collective.
  struct EpochRecord {
    sim::Time formed = 0;
    std::vector<int> members;  // positions in config.workers, ascending
    int root = -1;             // whose state was synced (-1 for epoch 0)
    std::int64_t version = 0;  // the committed version the epoch starts from
    std::vector<int> synced;   // members that received the root's state
  };
  struct AbortRecord {
    int worker = 0;  // position in config.workers
    int epoch = 0;
    std::int64_t round = 0;  // the version the aborted round would have made
    sim::Time entered = 0;   // when it entered the collective
    sim::Time at = 0;        // when it gave up
  };
  const std::vector<EpochRecord>& epochs() const { return epoch_log_; }
  const std::vector<AbortRecord>& aborts() const { return abort_log_; }
  // Leader commits: (time, version, members) of every version reported.
  struct Commit {
    sim::Time at = 0;
    std::int64_t version = 0;
    int members = 0;
  };
  const std::vector<Commit>& commits() const { return commit_log_; }
  // Worker `worker`'s replica (empty with math: none).
  const ml::Vector& replica(int worker) const;

 private:
  struct Worker;
  struct Control;
  struct Request;
  struct Round;

  // The worker without elastic recovery, and the parts of a round it shares
  // with the elastic worker (data_parallel.cpp).
  sim::Task work(int rank);
  sim::Task local_steps(Worker& self, std::uint64_t incarnation, std::int64_t& samples);
  void pack(Worker& self, std::int64_t samples);
  float average(Worker& self);
  double averaging_flops() const;
  void apply(Worker& self);
  const ml::Vector& parameters_of(Worker& self);
  CollectiveBuffer buffer_of(Worker& self);
  // Sums the workers' buffers: the collective, or with a lossy compressor
  // the all-gather of encodings and the sum in rank order.
  sim::Task reduce(Worker& self, int rank);
  void start_compressor(Worker& self);
  bool compressed() const { return compressed_; }

  // Layer profiles: a step timed layer by layer, its gradient all-reduced
  // in buckets by a communication process per rank (data_parallel_buckets.cpp).
  sim::Task bucketed_step(Worker& self, int rank, std::uint64_t incarnation, std::int64_t& samples);
  sim::Task reduce_buckets(int rank);

  // Elastic: the worker's loop and its round (data_parallel_elastic.cpp).
  void launch_elastic();
  sim::Task elastic_work(int worker, std::uint64_t incarnation, bool joining);
  bool report_epoch_start(int worker);
  void contribute(int worker, std::int64_t round, std::int64_t samples);
  bool reset_requested(Worker& self);
  sim::Task elastic_allreduce(int worker, std::uint64_t incarnation, std::int64_t round,
                              bool& aborted);
  sim::Task abort_timer(Communicator* comm, int rank, std::uint64_t operation, sim::Time delay);
  void roll_back(Worker& self);
  bool reform_agreed(Worker& self, std::int64_t round);
  void commit(Worker& self, std::int64_t round);
  void commit_replica(Worker& self);
  bool report_commit(int worker, std::int64_t round);
  // Elastic: a worker's side of the rendezvous and the state sync
  // (data_parallel_rejoin.cpp).
  sim::Task rendezvous(int worker, std::uint64_t incarnation);
  void send_request(int worker, std::uint64_t incarnation);
  void send_state(int worker, int epoch);
  void adopt_state(Worker& self, const Control& state);
  // Elastic: the coordinator and the accounting of rounds
  // (data_parallel_coordinator.cpp).
  sim::Task coordinate();
  void handle_request(const Request& request);
  void arm_gathering_deadline();
  bool try_form();
  void send_assignment(int worker);
  void enter_round(int epoch, std::int64_t version, int worker, std::int64_t samples, bool flag);
  void resolve(Round& round, bool applied);
  int current_epoch() const;
  topology::NodeId worker_host(int worker) const;

  DataParallelConfig config_;
  RunContext* ctx_ = nullptr;
  std::unique_ptr<Communicator> comm_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::int64_t parameters_ = 0;    // P, of the scenario's model
  Eigen::Index reduced_size_ = 0;  // the all-reduce's floats: P + 1 (elastic: P + 2)
  bool compressed_ = false;        // a lossy compressor: all-gather instead of all-reduce
  std::map<std::int64_t, std::int64_t> round_samples_;  // math: none: samples by round
  std::map<std::int64_t, int> finished_;                // workers that have applied each version
  // Without elastic: the fates of each round's contributions, until the
  // round's last worker finishes it (their copies travel in the collective).
  std::map<std::int64_t, std::vector<UpdateCopy::Fate>> round_copies_;

  // Layer profiles: the buckets (empty: one all-reduce of the whole
  // gradient), and by rank the buckets made ready and the steps whose
  // buckets are all reduced.
  BucketPlan buckets_;
  std::vector<std::unique_ptr<sim::Mailbox<int>>> bucket_ready_;
  std::vector<std::unique_ptr<sim::Mailbox<int>>> buckets_done_;

  // Elastic state (data_parallel_parts.h); null when not elastic.
  struct Elastic;
  std::unique_ptr<Elastic> elastic_;
  std::vector<EpochRecord> epoch_log_;
  std::vector<AbortRecord> abort_log_;
  std::vector<Commit> commit_log_;
};

}  // namespace algo
