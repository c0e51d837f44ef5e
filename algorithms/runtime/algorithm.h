// The one interface every synchronisation algorithm implements, and the
// shared context it runs in.
//
// An algorithm is launched once: it spawns its processes (server, workers,
// clients) on the simulator and returns. Everything it measures goes to the
// Monitor; the runner then drives the simulator and writes the outputs.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "algorithms/ml/dataset.h"
#include "algorithms/ml/mlp.h"
#include "algorithms/ml/optimizer.h"
#include "algorithms/ml/partition.h"
#include "algorithms/ml/profiles/layer_profile.h"
#include "algorithms/runtime/fl_metrics.h"
#include "algorithms/runtime/cluster.h"
#include "algorithms/runtime/math_pool.h"
#include "algorithms/runtime/monitor.h"
#include "algorithms/runtime/update_census.h"
#include "sim/clock.h"
#include "sim/simulator.h"
#include "topology/network.h"

namespace algo {

class PrivacyLedger;  // privacy_ledger.h

// How one worker's data shard came out (one row of partition.csv).
struct ShardStats {
  std::string node;                        // the worker's name
  std::int64_t samples = 0;                // shard size
  std::vector<std::int64_t> class_counts;  // samples per label, size = number of classes
};

// Everything an algorithm may use. Owned by the runner; outlives the run.
struct RunContext {
  sim::Simulator* sim = nullptr;
  topology::Network* net = nullptr;
  Monitor* monitor = nullptr;
  std::vector<Node> nodes;  // in scenario order
  const ml::Dataset* train = nullptr;
  ml::MlpSpec model;
  const ml::Optimizer* optimizer = nullptr;  // a prototype: clone() it for each copy of state
  std::uint64_t seed = 0;                    // the scenario's root seed
  ml::PartitionSpec partition;               // how assign_work splits ctx.train (data.partition)
  // If set, assign_work replaces its contents with the statistics of the
  // shards it hands out, in worker order (for partition.csv). Not owned.
  std::vector<ShardStats>* shard_stats = nullptr;
  // The nodes' local clocks, indexed by topology NodeId (Node::host), if the
  // scenario models clocks; null: every clock is perfect. Not owned. What a
  // node decides by time (deadlines, timeouts) it reads here, see local_time.h.
  std::vector<sim::NodeClock>* clocks = nullptr;
  // Where workers' gradient jobs run (math_pool.h); null: inline, at once.
  MathPool* math = nullptr;
  // `math: none`: timing only. Algorithms send payloads of the real sizes
  // but compute no gradients, apply no updates and hold no per-worker
  // replicas where they can avoid it; the Monitor evaluates nothing.
  bool timing_only = false;
  // `model: {profile: ...}` (timing only): the layers whose sizes and FLOPs
  // replace the MLP's, and the device model that times them; null: the MLP.
  // Not owned. Read through model_shape.h.
  const ml::LayerProfile* profile = nullptr;
  ml::DeviceModel device;
  // A deliberate bug, for proving that the regression suite catches one:
  // every averaging step (parameter servers, all-reduce, local SGD, gossip,
  // FedAvg) negates its result. Set only by `syncsim check --test-fault
  // flip_average_sign`, a hidden test-only flag; no scenario key reaches it.
  bool test_flip_average_sign = false;
  // Update accounting (update_census.h): where algorithms make the copies
  // of the updates they count as produced. Owned by the runner; never null
  // once launched.
  UpdateCensus* census = nullptr;
  // A private run's mechanism and its accounting (privacy_ledger.h); null:
  // not private. Replicas take DP-SGD's objective from it; FedAvg's server
  // its DP-FedAvg step. Owned by the runner.
  PrivacyLedger* privacy = nullptr;
};

class Algorithm {
 public:
  virtual ~Algorithm() = default;
  virtual std::string_view name() const = 0;
  // Spawns the algorithm's processes. REQUIRES: ctx outlives the simulation,
  // and the algorithm object too (processes refer to its state).
  virtual void launch(RunContext& ctx) = 0;
  // The global model (the server's, or replica 0's for decentralised
  // algorithms), for inspection after a run.
  virtual const ml::Vector& global_parameters() const = 0;

  // Faults: `host` came back up after a crash (the network already carries
  // its traffic again). An algorithm whose role on that host can restart
  // does so here, as its real counterpart's process would on a reboot.
  // Processes notice their own crash through Network::incarnation.
  virtual void on_host_recovered(topology::NodeId /*host*/) {}
  // Faults: `host` just crashed (the network already dropped its traffic).
  // Processes still notice by themselves; this is for what dies with the
  // host without a process to notice (a server's queued requests) and for
  // bookkeeping.
  virtual void on_host_crashed(topology::NodeId /*host*/) {}
  // Faults: a partition healed or a link came back up. Calls that failed
  // while the path was cut are retried now (as RPC clients retry).
  virtual void on_network_healed() {}

  // Update accounting: whether this algorithm counts the updates it produces
  // (Monitor::record_produced, with a copy from RunContext::census for each);
  // the runner then checks produced = applied + dropped + lost + outstanding,
  // outstanding from the census.
  bool counts_updates() const { return updates_outstanding().has_value(); }
  // The algorithm's own view of the same (its ledger's open updates: in
  // flight, queued or held), for tests; nullopt for one that does not count.
  virtual std::optional<std::int64_t> updates_outstanding() const { return std::nullopt; }
  // The run ended with nothing left to happen (no process can go on): what
  // the algorithm's processes wait for, for summary.csv's status column.
  // Federated algorithms: per-round and per-client metrics (fl_metrics.h,
  // rounds.csv and clients.csv); nullopt for the others.
  virtual std::optional<FlMetrics> fl_metrics() const { return std::nullopt; }
  virtual std::string stall_reason() const {
    return "every process waits for a message that never comes";
  }
};

}  // namespace algo
