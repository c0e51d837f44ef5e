// fedavg: Federated Averaging (McMahan et al. 2017, "Communication-Efficient
// Learning of Deep Networks from Decentralized Data").
//
// One server, N clients, each holding its own shard (ctx.partition decides how
// label-skewed the shards are). Every round r:
//   1. the server samples K of the N clients uniformly without replacement
//      (its own seeded stream), then draws for each sampled client, in client
//      order, whether it is online (probability `availability`, another seeded
//      stream); offline clients are skipped and counted as dropped updates.
//      With device keys (fl_devices.h, fedavg_devices.cpp) it samples only
//      among the clients its availability schedule has online at the round
//      start, by its selection policy (uniform or oort), ceil(K (1 + o))
//      of them with over-selection o, and keeps the first K updates (the
//      rest are late); a client whose schedule takes it offline before its
//      update arrives stops, and is dropped as offline when the server sees
//      it go (a receive_until at that instant);
//   2. it sends the global model to every online sampled client (one flow
//      each, sized by the real parameter bytes);
//   3. each client trains a fresh replica (Replica::local_step, its optimizer
//      applied in every step) for E local epochs at batch B over its whole
//      shard with a FRESH optimizer (momentum / Adam moments start at zero
//      every round: clients keep no optimizer state between rounds) and a
//      batch order drawn anew each round, taking FLOPs / FLOP/s x its
//      straggler draw per batch (one straggler stream per client, across
//      rounds), and uploads its model through its Compressor (the bytes on
//      the wire are the encoding's);
//   4. the server waits for every online client or, with a deadline, until
//      its own clock has run `deadline` since the round started (a timeout,
//      local_time.h: one receive_until on its inbox). An update arriving at
//      or after that is late: dropped for this round and counted with
//      Monitor::record_dropped at the close.
//      Each client learns with the model the close time on the server's
//      clock (round start + deadline) and gives up, finishing at most its
//      current batch and sending nothing, once ITS OWN clock reads that time:
//      it checks between batches and before uploading. So a client whose
//      clock is ahead of the server's gives up early, perhaps with an update
//      that would have arrived in time, and one whose clock is behind keeps
//      training and uploads after the close, its update discarded on arrival
//      (FedAvgStats::discarded). Without modelled clocks every clock reads
//      true time and the client stops at the server's close (the server's
//      "stop" is then modelled as free and instant: a flag); an upload
//      already in flight still crosses the network and is discarded.
//      Limitation: a client far behind may still be training round r when
//      it is sampled for round r + 1, and then trains both at once (each
//      round's compute is modelled on its own);
//   5. the new global model is the server's Aggregator over the accepted
//      client models (by default WeightedMean: weighted by their shard sizes
//      n_k, summed in client order through the one averaging kernel, so the
//      result does not depend on arrival order), costing aggregate_flops of
//      server time; with no accepted update the model stays as it was. With
//      a server optimizer (server_optimizer.h: FedAvgM, FedAdam, FedYogi,
//      FedAdagrad) the aggregate is not the new model: the optimizer steps
//      from the round's model on the pseudo-gradient (model - aggregate),
//      its FLOPs added to the server's time. In a DP-FedAvg run
//      (RunContext::privacy) dp_fedavg.h's clipped, noised mean of the
//      updates replaces the aggregator (the server optimizer, if any, still
//      steps towards it), and every round is one release for the accountant.
// FedProx is this round with a LocalObjective (config.local_objective): each
// client minimises its loss plus a proximal term anchored at the global
// model it received (proximal_objective.h). SCAFFOLD is this round with
// control variates (config.control_variates, control_variates.h): the
// download carries c with the model and the upload Delta c_k with it (the
// bytes on the wire double), the clients' gradients are corrected, and the
// server updates c from the accepted uploads.
// Faults: a sampled client whose host is down, or that the server cannot
// reach (a partition, a dead link), is a dropout (dropped: `crashed` or
// `unreachable`; no availability draw is skipped, so the other clients see
// the same draws). A client that crashes during the round stops and is
// counted dropped as `crashed` at the crash if its update was still on its
// host; at the deadline one whose model download was lost is dropped as
// `unreachable`; an upload lost in flight is counted lost (and is then no
// longer outstanding). Without a deadline
// the server waits for such clients forever, as a real server without a
// round timeout would. Every sampled client is one update produced.
// The model version is the round number (version r+1 after round r), so
// `stop.steps` counts rounds. Staleness is 0 for every accepted update: it is
// applied to the version it started from (late ones are dropped, never
// applied to a later version).
//
// Structure: the server's round reads as the real program, sample ->
// broadcast -> gather until the deadline -> settle (the accounting of late,
// failed, crashed and unreachable clients) -> aggregate -> report, each a
// named step; a client is receive, train E epochs, upload.
//
// Memory: only the state of clients in the current round is materialised
// (model replica, optimizer, batch sampler, buffers), created when the client
// receives the global model and freed once its update is encoded; what is
// kept for all N clients is the shard (an index list), the straggler stream
// and the compressor.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "algorithms/runtime/aggregator.h"
#include "algorithms/runtime/algorithm.h"
#include "algorithms/runtime/assignment.h"
#include "algorithms/runtime/compressor.h"
#include "algorithms/runtime/compute_model.h"
#include "algorithms/runtime/control_variates.h"
#include "algorithms/runtime/dp_fedavg.h"
#include "algorithms/runtime/local_objective.h"
#include "algorithms/runtime/server_optimizer.h"
#include "algorithms/sync/fl_devices.h"
#include "sim/mailbox.h"
#include "sim/random.h"

namespace algo {

struct FedAvgConfig {
  int server = 0;             // index into RunContext::nodes
  std::vector<int> clients;   // indices into RunContext::nodes, >= 1 of them
  int clients_per_round = 0;  // K in [1, N]; 0 means N (every client every round)
  int local_epochs = 1;       // E >= 1
  int batch_size = 32;        // B >= 1 (scaled per client by a capacity assignment)
  sim::Time deadline =
      0;  // > 0: drop updates arriving later than this after round start (local clocks)
  double availability = 1.0;  // in (0, 1]: probability that a sampled client is online
  AssignmentPolicy assignment = AssignmentPolicy::equal;
  bool record_rounds = false;  // keep a RoundRecord per round (tests, tools)
  // How the server combines the accepted client models (one instance for the run).
  AggregatorFactory aggregator = [] { return std::make_unique<WeightedMean>(); };
  // How a client encodes its upload (one instance per client, kept across rounds).
  CompressorFactory compressor = [] { return std::make_unique<IdentityCompressor>(); };
  // What a client minimises in a round, made from the global model it got
  // (FedProx's proximal term); null: the model's plain loss.
  LocalObjectiveFactory local_objective;
  // The server's step after aggregating (FedAvgM, FedAdam...); null: none.
  ServerOptimizerFactory server_optimizer;
  bool control_variates = false;  // SCAFFOLD's c and c_k ride with the models
  // Availability schedules, device speeds, over-selection, selection policy
  // (fl_devices.h; fedavg_devices.cpp). Default: none of them.
  FlDevicesConfig devices;
  // f in [0, 1): the fraction of each client's shard held out of training
  // for clients.csv's accuracy (client_holdout.h); 0: none.
  double holdout = 0.0;
};

// Counts over the whole run, in clients (one client = one potential update).
struct FedAvgStats {
  std::int64_t rounds = 0;  // completed rounds
  std::int64_t sampled = 0;
  std::int64_t offline = 0;    // sampled but unavailable, or went offline during the round
  std::int64_t late = 0;       // online but missed the deadline
  std::int64_t accepted = 0;   // averaged into the global model
  std::int64_t discarded = 0;  // late uploads that reached the server after their round closed
  std::int64_t failed = 0;     // crashed, unreachable, or their upload was lost
};

// What happened in one round; clients as positions in FedAvgConfig::clients,
// each list in increasing order.
struct FedAvgRound {
  std::int64_t round = 0;
  sim::Time start = 0, end = 0;                       // end: when the new version was published
  std::vector<int> sampled, offline, accepted, late;  // offline: at sampling or mid-round
  std::vector<int> failed;                   // faults: crashed, unreachable, or upload lost
  sim::Time start_local = 0, end_local = 0;  // start and end on the server's clock
  std::int64_t crashed = 0, unreachable = 0, lost = 0;  // the failed ones, by reason
};

class FedAvg final : public Algorithm {
 public:
  explicit FedAvg(FedAvgConfig config);  // invalid_argument on a bad config
  ~FedAvg() override;
  std::string_view name() const override { return "fedavg"; }
  void launch(RunContext& ctx) override;
  const ml::Vector& global_parameters() const override { return params_; }

  const FedAvgStats& stats() const { return stats_; }
  // Online clients of a round still open (accounted when it closes).
  std::optional<std::int64_t> updates_outstanding() const override { return open_updates_; }
  void on_host_crashed(topology::NodeId host) override;
  std::string stall_reason() const override;
  // Empty unless config.record_rounds.
  const std::vector<FedAvgRound>& rounds() const { return rounds_; }
  // SCAFFOLD's state; null unless config.control_variates.
  const ControlVariates* control_variates() const { return control_.get(); }
  // rounds.csv and clients.csv (fedavg_metrics.cpp): every completed round,
  // every client, with its accuracy on its held-out part, else its shard
  // (evaluated now).
  // REQUIRES: the run's context still alive (called before the run returns).
  std::optional<FlMetrics> fl_metrics() const override;

  // sum_k w_k x_k / sum_k w_k in the given order: the server's WeightedMean
  // outside a run (tests, tools), through the same averaging kernel.
  // REQUIRES models non-empty, the same size, weights.size() == models.size(),
  // every weight >= 0 and their sum > 0, else std::invalid_argument.
  static ml::Vector weighted_average(const std::vector<const ml::Vector*>& models,
                                     const std::vector<std::int64_t>& weights);

  // The server's FLOPs to average k models of `parameters` each: a scale and
  // an add per element per model.
  static double aggregate_flops(std::int64_t parameters, int k) {
    return 2.0 * static_cast<double>(k) * static_cast<double>(parameters);
  }

 private:
  struct ClientRound;  // one client's state for one round
  struct ServerMessage {
    std::int64_t round;                   // the round it belongs to
    std::shared_ptr<ClientRound> update;  // the client, with its decoded upload
    UpdateCopy update_copy;               // the update, for the census
  };
  using Clients = std::vector<std::shared_ptr<ClientRound>>;

  sim::Task serve();
  // The steps of a round, in order.
  // Samples the round's clients and draws who is online; records the
  // dropouts (offline, crashed, unreachable). Returns the online ones.
  std::vector<int> sample(FedAvgRound& record);
  // Sends the global model to every online client and starts its work;
  // `close_local`: the round's close on the server's clock, announced.
  Clients broadcast(std::int64_t round, const std::vector<int>& online, sim::Time close_local);
  // Receives this round's uploads until `expected` came or, with a close
  // (true time), it passed; other rounds' uploads are discarded.
  sim::Task gather(std::int64_t round, std::size_t expected, std::optional<sim::Time> close,
                   Clients& arrived);
  // Sorts `arrived` into client order and accounts for every online client
  // that did not upload in time: failed (upload lost, crashed, unreachable)
  // or late. Tells them all to give up.
  void settle(const std::vector<int>& online, const Clients& in_round, Clients& arrived,
              FedAvgRound& record);
  // The new global model from the accepted uploads (consumed), and the
  // server's compute time for it. Sets `samples` to the samples behind it.
  sim::Task aggregate(Clients& arrived, std::int64_t& samples);
  // Counts the round and publishes version round + 1. Returns true to stop.
  bool report(FedAvgRound record, std::int64_t samples);

  sim::Task client_round(std::shared_ptr<ClientRound> state);
  // Encodes the client's model and sends it to the server.
  void upload(std::shared_ptr<ClientRound> state);
  // The client has to give up: its clock reads the announced close time (or,
  // without modelled clocks, the server has closed the round).
  bool past_deadline(const ClientRound& state);
  // The round's clients: `count` of the candidates (online at round start
  // when schedules are given) by the selection policy (fedavg_devices.cpp).
  std::vector<int> sample_clients();
  // Builds the availability schedules, the selector, and applies device
  // speeds (compute nodes, link capacities).
  void launch_devices(RunContext& ctx);
  // When the client goes offline, if it is online now and has a schedule.
  std::optional<sim::Time> offline_at(int client);
  // With schedules and no client online now: sleeps until one comes online.
  // Returns false if none ever will (the server then stops).
  sim::Task wait_for_online(bool& any);
  // The earliest time a still-awaited client of the open round goes offline.
  std::optional<sim::Time> next_offline() const;
  // Marks the awaited clients whose session has ended by now; returns how many.
  std::size_t mark_offline();
  // The client as it computes (its device's FLOP/s).
  const Node& compute_node(int client) const;
  const Node& client_node(int client) const;  // by position in config_.clients
  // Metrics (fedavg_metrics.cpp): bytes a client's message of `round` carried.
  void count_bytes(std::int64_t round, int client, double down, double up);
  // A completed round's row and its clients' counts.
  void count_round(const FedAvgRound& record);

  FedAvgConfig config_;
  RunContext* ctx_ = nullptr;
  ml::Vector params_;
  std::int64_t param_bytes_ = 0;
  std::unique_ptr<ComputeModel> server_compute_;
  std::unique_ptr<sim::Mailbox<ServerMessage>> server_inbox_;
  std::unique_ptr<sim::RandomStream> sampling_;      // which clients a round picks
  std::unique_ptr<sim::RandomStream> availability_;  // which of them are online
  std::unique_ptr<Aggregator> aggregator_;
  std::unique_ptr<ServerOptimizer> server_optimizer_;  // null: the aggregate is the model
  ml::Vector aggregate_;                      // the aggregate a server optimizer steps towards
  std::unique_ptr<ControlVariates> control_;  // SCAFFOLD's c and c_k; null: none
  // DP-FedAvg (RunContext::privacy): replaces the aggregator; null: none.
  std::unique_ptr<DpFedAvgStep> dp_step_;

  // Kept for every client, in client order.
  std::vector<ml::Shard> shards_;   // what each client trains on
  std::vector<ml::Shard> holdout_;  // held out of shards_; empty without a holdout
  std::vector<int> batch_sizes_;
  std::vector<ComputeModel> compute_;
  std::vector<std::unique_ptr<Compressor>> compressors_;
  FlPopulation population_;        // schedules, device speeds, selector (fl_devices.h)
  bool none_left_online_ = false;  // the schedules have no online time left: the server stopped

  FedAvgStats stats_;
  std::vector<FedAvgRound> rounds_;
  // Metrics: completed rounds, every client, and bytes by round (a round's
  // late uploads may leave after it closed).
  std::vector<FlRoundRow> fl_rounds_;
  std::vector<FlClientRow> fl_clients_;
  std::vector<double> down_by_round_, up_by_round_;
  std::int64_t open_updates_ = 0;
  Clients in_round_;  // the open round's online clients, in client order
};

}  // namespace algo
