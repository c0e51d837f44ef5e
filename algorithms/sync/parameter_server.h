// ParameterServer: what ps_sync, ps_async and ps_ssp share. Each of them
// derives from it and writes only its server's update rule (serve()).
//
// Shared here:
//   * Sharding. The parameters are split into k contiguous ranges, as equal
//     as possible (the first P mod k shards get one extra parameter); shard j
//     lives on server node j and owns its own slice, optimizer state, model
//     version and inbox. With one server this is the classic PS.
//   * The workers (parameter_server.cpp, work()). A worker loops: wait for
//     one parameter slice from every shard, take one local step on its
//     Replica (replica.h: a real gradient on the next batch of its shard of
//     the data, FLOPs / FLOP/s x straggler draw of simulated time), encode
//     slice j of the gradient with its Compressor and push it to shard j (k
//     concurrent flows, each sized by its encoding's bytes), and wait again.
//     Every push is answered by exactly one slice from every shard; when a
//     shard answers is the algorithm's business.
//   * Applying an update: the shard's Aggregator (by default the weighted
//     mean, weights = batch samples, summed in the order given) combines G
//     gradients; the update costs the aggregator's FLOPs plus 2 x P_j (the
//     scale and the optimizer step; (G + 2) x P_j for the mean) of the
//     shard's time, then one optimizer step, version + 1.
//   * Reporting. Every shard counts its own versions; the global model
//     version is the one every shard has reached (the minimum), and the
//     Monitor hears about each new global version with the parameters
//     assembled from all shards. Staleness, applied and dropped updates and
//     samples are counted at shard 0 (with one server: at the server).
//     Staleness = the shard's version when it applies a gradient minus the
//     shard version the worker computed it from.
//   * Per-bucket push and pull (ps_sync with a layer profile and
//     `bucket_cap`, parameter_server_layers.cpp): the same shards, but a
//     worker pushes each bucket of layers as the backward pass computes it,
//     a shard applies each piece once every worker's copy is in, and the
//     next forward pass of a layer waits for that layer's bucket only; send
//     queues per (sender, receiver), optionally by layer priority. No fault
//     recovery in that mode.
//
// Faults (parameter_server_recovery.cpp):
//   * A worker whose host crashes stops (its process notices through the
//     host's incarnation when it next wakes); its in-flight gradients are
//     lost. When the host recovers, the worker restarts with a fresh inbox
//     and sends each shard a small join request; a shard answers it with its
//     current slice unless an answer is already due (a gradient of the
//     worker's is queued or held) or was sent since the worker came back. A
//     shard whose reply to a worker was lost, or that lost a worker's
//     gradient (a partition, a dead link), owes that worker a slice: when
//     the network heals it sends its current one.
//   * A crashed server. Its process ends with the host: the gradients in
//     its inbox or held for a later update die with it, an update it was
//     computing is never applied. When the host reboots the shard restarts
//     from its last checkpoint (`checkpoint_interval` K > 0: a copy of the
//     slice, the optimizer state and the version, taken every K versions of
//     the shard at no simulated cost) or, without checkpoints, from the
//     seeded initial slice at version 0, with a fresh optimizer. Versions
//     applied after the checkpoint are rolled back (counted at shard 0 as
//     dropped, reason rolled_back). The restarted shard announces itself by
//     sending its slice to every worker (as at launch: the cluster's
//     membership is static, so it knows them), and starts a new epoch: a
//     gradient computed from an earlier epoch's parameters is dropped as
//     stale and answered with the current slice.
//   * RPC retries (`rpc_timeout` T > 0). A worker waits for its slices with
//     a deadline T after its push (or join), on its own clock
//     (receive_until); at the deadline it resends the same encoded push (or
//     the join) to the shards that have not answered, and waits again until
//     T after the resend: a lost push, a lost reply and a down server look
//     the same to it. Slices that arrive do not move the deadline. A failed
//     send is not retried sooner (T is the backoff). Every push carries the
//     worker's sequence number; a shard ignores a copy it has seen
//     (answering it again if its answer already went out), so nothing is
//     applied twice. Each slice names the push it answers, so a worker
//     ignores late answers to pushes it has moved past.
//   * Accounting. Every push is an update (UpdateLedger, at shard 0):
//     applied, dropped with a reason, lost (no copy left and its worker will
//     not retry), or outstanding when the run ends. Its copies for the census
//     (update_census.h) travel in the pushes to shard 0, and a worker that
//     will retry keeps one until it moves on.

#pragma once

#include <coroutine>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "algorithms/runtime/aggregator.h"
#include "algorithms/runtime/algorithm.h"
#include "algorithms/runtime/assignment.h"
#include "algorithms/runtime/compressor.h"
#include "algorithms/runtime/compute_model.h"
#include "algorithms/runtime/messaging.h"
#include "algorithms/runtime/replica.h"
#include "algorithms/runtime/server_step.h"
#include "algorithms/runtime/update_ledger.h"
#include "sim/mailbox.h"

namespace algo {

struct PsConfig {
  int server = 0;            // index into RunContext::nodes (used when `servers` is empty)
  std::vector<int> servers;  // sharded PS: k >= 1 server nodes, shard j on servers[j]
  std::vector<int> workers;  // indices into RunContext::nodes, >= 1 of them
  int batch_size = 32;       // per worker per step (scaled per worker by a capacity assignment)
  AssignmentPolicy assignment = AssignmentPolicy::equal;
  std::int64_t checkpoint_interval = 0;  // K > 0: each shard checkpoints every K of its versions
  sim::Time rpc_timeout = 0;             // T > 0: workers resend unanswered pushes/joins every T
  // Per-bucket push and pull (ps_sync with a layer profile only; see
  // parameter_server_layers.cpp): > 0, the bucket cap in bytes; 0, the whole
  // slice in one message per shard. Not with faults' recovery keys.
  double bucket_cap_bytes = 0;
  bool overlap = true;          // push each bucket as soon as its gradients are computed
  bool layer_priority = false;  // send queues serve the lowest layer first (P3, ByteScheduler)
  // How a shard combines gradients (one instance per shard process).
  AggregatorFactory aggregator = []() -> std::unique_ptr<Aggregator> {
    return std::make_unique<WeightedMean>();
  };
  // How a worker encodes its pushes (one instance per worker).
  CompressorFactory compressor = []() -> std::unique_ptr<Compressor> {
    return std::make_unique<IdentityCompressor>();
  };

  // The server nodes in shard order: `servers`, or just `server`.
  std::vector<int> server_nodes() const;
};

// The contiguous parameter ranges of k shards.
struct ShardRange {
  std::int64_t offset = 0;
  std::int64_t size = 0;
};
// REQUIRES 1 <= shards <= parameters, else std::invalid_argument.
std::vector<ShardRange> shard_ranges(std::int64_t parameters, int shards);

class ParameterServer : public Algorithm {
 public:
  ~ParameterServer() override;
  void launch(RunContext& ctx) final;
  const ml::Vector& global_parameters() const final { return params_; }

  // A shard server's FLOPs to apply `gradients` gradients of `parameters`
  // elements with the default aggregator (the weighted mean): one add per
  // element per gradient, then a scale and the update.
  static double update_flops(std::int64_t parameters, int gradients) {
    return static_cast<double>(gradients + 2) * static_cast<double>(parameters);
  }

  // For tests, valid after launch().
  const std::vector<ShardRange>& shard_layout() const { return ranges_; }
  std::int64_t gradients_pushed() const;    // by all workers, to shard 0
  std::int64_t gradients_received() const;  // by shard 0 (applied + dropped)
  // The workers whose gradients shard 0 applied, in the order it applied them.
  const std::vector<int>& applied_log() const { return applied_log_; }
  // Gradients for shard 0 on the network, queued in its inbox, or held by
  // its update rule for a later update: neither applied, dropped nor lost
  // yet. For update accounting.
  std::int64_t gradients_outstanding() const;
  // Shard `index`'s restarts so far, and the version it restored at the last.
  std::int64_t restarts(int index) const;
  std::int64_t last_restored_version(int index) const;

  void on_host_recovered(topology::NodeId host) final;
  void on_host_crashed(topology::NodeId host) final;
  void on_network_healed() final;
  std::optional<std::int64_t> updates_outstanding() const final { return gradients_outstanding(); }

  // Bytes of a worker's join request after a restart.
  static constexpr double kJoinBytes = 64.0;

 protected:
  // Throws std::invalid_argument (naming `kind`) for no workers, batch < 1,
  // a server that is also a worker, or a node listed twice among the servers.
  ParameterServer(PsConfig config, std::string_view kind);

  struct ParamsSlice {
    int shard;
    std::int64_t version;                      // the shard's version
    std::shared_ptr<const ml::Vector> values;  // a snapshot, shared by all receivers
    std::int64_t answers = -1;                 // the push (seq) it answers; -1: unsolicited
    std::int64_t epoch = 0;                    // the shard's restarts when it was sent
    int piece = -1;                            // layered runs: the piece it carries
  };
  struct GradientSlice {
    int worker;            // position in config.workers
    std::int64_t version;  // the shard version it was computed from
    std::int64_t samples;  // batch size it was computed on
    // The gradient's slice for this shard as the receiver decodes it (null
    // with math: none), shared by the push and its retries.
    std::shared_ptr<const ml::Vector> values;
    std::int64_t seq = 0;    // the worker's push number (the same in retries)
    std::int64_t epoch = 0;  // the shard epoch of the parameters it was computed from
    // The update itself, for the census (update_census.h): carried by the
    // copies that go to shard 0, which counts the updates.
    UpdateCopy update_copy;
    int piece = -1;  // layered runs: the piece it carries
  };
  // One server node and the slice it owns. Owned by the algorithm.
  struct Shard {
    Shard(const RunContext& ctx, const PsConfig& config, int index, const Node& node,
          ShardRange range, const ml::Vector& initial);
    int index;
    Node node;
    ShardRange range;
    ml::Vector params;  // this shard's slice of the model
    std::unique_ptr<ml::Optimizer> optimizer;
    std::unique_ptr<Aggregator> aggregator;
    ComputeModel compute;
    sim::Mailbox<GradientSlice> inbox;
    std::int64_t version = 0;
    std::int64_t received = 0;                   // gradients taken out of the inbox (by receive())
    std::shared_ptr<const ml::Vector> snapshot;  // params at snapshot_version
    std::int64_t snapshot_version = -1;
    SnapshotBuffers snapshots;                // where snapshots are taken
    std::vector<MathPool::Job> jobs;          // scratch of apply()
    ml::Vector average;                       // scratch of apply()
    std::vector<Contribution> contributions;  // scratch of apply()
    // By worker: gradients sent to this shard and not yet answered or lost,
    // and the incarnation of the worker's host at the last answer.
    std::vector<std::int64_t> owed;
    std::vector<std::uint64_t> answered_incarnation;
    std::vector<char> needs_reply;  // a reply to it, or a gradient of its, was lost
    std::int64_t held = 0;          // gradients received and kept by serve() for a later update
    // Restarts: the epoch, and the host incarnation this process runs in.
    std::int64_t epoch = 0;
    std::uint64_t incarnation = 0;
    // By worker: the highest push seq seen, and the seq of an accepted push
    // not answered yet (-1: none).
    std::vector<std::int64_t> last_seq;
    std::vector<std::int64_t> answering;
  };

  // The update rule: runs on shard `shard`'s node after the initial
  // parameters went out to every worker. Use the helpers below.
  virtual sim::Task serve(Shard& shard) = 0;

  // ---- Helpers for serve().
  const PsConfig& config() const { return config_; }
  int num_workers() const { return static_cast<int>(config_.workers.size()); }
  RunContext& context() { return *ctx_; }
  bool counting_shard(const Shard& shard) const { return shard.index == 0; }
  Shard& shard(int index) { return *shards_[static_cast<std::size_t>(index)]; }
  // `co_await receive(shard)`: the next gradient slice from the shard's
  // inbox, counted in Shard::received once taken.
  struct ReceiveAwaiter {
    algo::ReceiveAwaiter<GradientSlice> inner;
    std::int64_t* received;
    bool await_ready() { return inner.await_ready(); }
    void await_suspend(std::coroutine_handle<> h) { inner.await_suspend(h); }
    GradientSlice await_resume() {
      ++*received;
      return inner.await_resume();
    }
  };
  // `co_await receive_until(shard, deadline)`: the same, or std::nullopt if
  // nothing came by true time `deadline` (sim/mailbox.h); with no deadline,
  // as long as it takes.
  struct ReceiveUntilAwaiter {
    algo::ReceiveUntilAwaiter<GradientSlice> inner;
    std::int64_t* received;
    bool await_ready() { return inner.await_ready(); }
    void await_suspend(std::coroutine_handle<> h) { inner.await_suspend(h); }
    std::optional<GradientSlice> await_resume() {
      std::optional<GradientSlice> message = inner.await_resume();
      if (message) ++*received;
      return message;
    }
  };
  // Is this shard's process still alive (its host has not crashed since it
  // started)? serve() ends when not: after every co_await it checks ended().
  bool alive(const Shard& shard) const {
    return ctx_->net->incarnation(shard.node.host) == shard.incarnation;
  }
  bool ended(const Shard& shard) const { return !alive(shard) || ctx_->monitor->stopping(); }
  // Call on every gradient received: false if serve() must not use it (a
  // retried copy, one computed from an earlier epoch: handled here), true if
  // it is a new update, which serve() must then apply or drop.
  bool admit(Shard& shard, const GradientSlice& message);
  ReceiveAwaiter receive(Shard& shard) {
    return ReceiveAwaiter{algo::receive(*ctx_->net, shard.node.host, shard.inbox, "gradient"),
                          &shard.received};
  }
  ReceiveUntilAwaiter receive_until(Shard& shard, std::optional<sim::Time> deadline) {
    return ReceiveUntilAwaiter{algo::receive_until(*ctx_->net, shard.node.host, shard.inbox,
                                                   deadline.value_or(sim::kTimeMax), "gradient"),
                               &shard.received};
  }
  // Sends the shard's current slice to worker `worker`.
  void reply(Shard& shard, int worker);
  // Counts a dropped gradient (at shard 0), with the reason.
  void drop(const Shard& shard, const GradientSlice& gradient, const std::string& reason = "stale");
  // Combines `gradients` with the shard's aggregator (in the given order),
  // spends the update's compute time, applies the optimizer, records each
  // gradient's staleness (at shard 0), bumps the shard's version and reports
  // a new global version if every shard has reached it. The caller checks
  // context().monitor->stopping() afterwards.
  // REQUIRES gradients non-empty; the pointees live until it returns.
  sim::Task apply(Shard& shard, std::vector<const GradientSlice*> gradients);

 private:
  struct Worker;
  struct Layers;

  struct Checkpoint {
    ml::Vector params;
    std::unique_ptr<ml::Optimizer> optimizer;
    std::int64_t version = 0;
  };

  sim::Task run_shard(int index);
  void on_shard_advanced(const Shard& shard, std::int64_t samples);
  void init_tables(Shard& shard) const;

  // ---- A worker (parameter_server.cpp).
  // The worker's process for its host's current incarnation; `rejoin`: its
  // host rebooted, so it asks every shard for its slice first.
  sim::Task work(int index, bool rejoin);
  // Takes a slice into the worker's state, to load at its next step; true
  // if it is the first from its shard since `answered` was cleared.
  bool take_slice(Worker& self, ParamsSlice& slice, std::vector<char>& answered);
  // What the local step does on the math pool besides the gradient: loads
  // the received slices, encodes the gradient's slices for the push.
  StepPlan step_plan(Worker& self);
  // Records the step's push (its seq, versions, samples) and sends it to
  // every shard. Returns its seq.
  std::int64_t push_gradient(int index, std::int64_t samples);
  // Sends worker `index`'s last push (again) to `target`.
  void push(int index, Shard& target);

  // ---- Per-bucket push and pull (parameter_server_layers.cpp).
  bool layered() const { return layers_ != nullptr; }
  void launch_layers();
  sim::Task layered_work(int index);
  sim::Task layered_shard(int index);
  // Worker `index`'s pushes of bucket `bucket` (one piece per shard), from
  // the model its last pulls carried; `seq` is its step's update.
  void push_bucket(int index, int bucket, std::int64_t seq, std::int64_t samples);

  // ---- Recovery (parameter_server_recovery.cpp).
  void restart_shard(int index);
  // A join request from worker `worker` (its host at `incarnation`) reached
  // shard `shard`.
  void on_join(int shard, int worker, std::uint64_t incarnation);
  // A rebooted worker asks every shard for its slice.
  void join(int index);
  void send_join(int index, int shard);
  // The RPC deadline, armed now: rpc_timeout on the worker's own clock
  // (none without retries).
  std::optional<sim::Time> rpc_deadline(const Worker& self) const;
  // At the RPC deadline: resends the worker's push (or join, before its
  // first push) to every shard not in `answered`.
  void resend_unanswered(int index, std::int64_t awaiting, const std::vector<char>& answered);

  PsConfig config_;
  std::string kind_;
  RunContext* ctx_ = nullptr;
  ml::Vector params_;  // the global model: every shard's slice, as last applied
  std::vector<ShardRange> ranges_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::unique_ptr<Layers> layers_;  // layered runs only
  std::int64_t global_version_ = 0;
  std::vector<int> applied_log_;
  std::deque<std::int64_t> pending_samples_;  // shard 0's samples of versions not yet global
  std::vector<std::int64_t> global_samples_;  // by global version v >= 1: at index v - 1
  std::unique_ptr<UpdateLedger> ledger_;      // shard 0's updates
  // The "disk": each shard's last checkpoint (its initial state until the
  // first), surviving crashes; and for shard 0, the gradients applied at
  // each version since its checkpoint (what a restore rolls back).
  std::vector<Checkpoint> checkpoints_;
  std::vector<std::int64_t> applied_since_checkpoint_;
  std::vector<std::int64_t> restarts_;
  std::vector<std::int64_t> restored_version_;
  // Processes of crashed shards still refer to their Shard: kept until the end.
  std::vector<std::unique_ptr<Shard>> dead_shards_;
};

}  // namespace algo
