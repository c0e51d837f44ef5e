// fedbuff: asynchronous federated learning with a server that does not wait
// for rounds. Two update rules on the same asynchronous loop:
//  - buffered (FedBuff, Nguyen et al. 2022, "Federated Learning with
//    Buffered Asynchronous Aggregation"): each client uploads its model
//    delta Delta_k = y_k - x_v (v: the version it started from); the server
//    adds w(s) Delta_k to a buffer, s = t - v its staleness at arrival (t:
//    the server's version), and every K arrivals takes one step
//    x <- x + eta_g * buffer / K, clears the buffer and publishes t + 1;
//  - mixing (FedAsync, Xie et al. 2019, "Asynchronous Federated
//    Optimization"): each client uploads its model y_k and the server mixes
//    it in at once, x <- (1 - alpha_s) x + alpha_s y_k, alpha_s = alpha w(s),
//    publishing t + 1 for every arrival.
// Staleness weight: w(s) = (1 + s)^(-a) (a = 0.5 gives FedBuff's
// 1 / sqrt(1 + s), and FedAsync's polynomial rule).
//
// The server (concurrency C) keeps C slots: at the start it fills them with
// C clients picked among the idle ones (its own seeded stream: uniformly
// without replacement, or by Oort's utility) and sends each the current
// model and version; whenever an upload arrives it applies it (above), then
// fills the freed slot with one more idle client, sent the model as it now
// is. So C clients train at any time, each on the version current when it
// was picked. A client trains a fresh replica for E local epochs over its
// shard at batch B (a new batch order per participation, its straggler
// draws going on across participations, as in fedavg) and uploads.
//
// Devices (fl_devices.h, fedbuff_devices.cpp): with availability schedules
// the server picks only idle clients online now (and, with faults, whose
// host is up and reachable); when a slot is free and none is, it waits
// until one comes online. A client whose session ends before its upload
// reaches the server stops; the server sees it go at that instant (a
// receive_until), drops its update as `offline` and refills the slot. Tiers
// and device traces set each client's compute speed and its links.
// Over-selection has no meaning without rounds (the loader refuses it).
//
// Faults (fedbuff_devices.cpp): a client whose host crashes while its
// update is on it loses the update (dropped `crashed` at the crash); an
// upload lost on the way is counted lost. The server learns neither: with
// `client_timeout` it gives up on a client that long after sending it the
// model (a timeout on its own clock), drops the update by what became of it
// (`crashed`, `unreachable` if the model never arrived, `late` if the client
// is still working; a lost upload is already counted) and refills the slot;
// the client, told it was dropped, stops, and an upload that still arrives
// is discarded. Without a timeout such a slot stays taken and a run whose
// slots are all taken so stalls, and says so.
//
// Staleness is counted in server versions, as for the parameter-server
// family: version when applied minus version started from. For buffered
// updates the version does not change while they wait in the buffer, so it
// is the staleness at arrival; it is recorded (Monitor::record_applied) at
// the step that applies them. `stop.steps` counts server versions.
//
// Every picked client is one update produced; it is applied at the server's
// step, dropped (above), lost, or still outstanding (training, in flight, or
// in the buffer) when the run stops.
//
// Metrics (fedbuff_metrics.cpp): steps.csv, one row per server step (the
// clients started, arrivals aggregated and their staleness, drops by reason,
// losses and bytes since the previous step) and clients.csv.
//
// Memory: only the C clients training hold a replica; kept for all N:
// the shard (an index list) and the straggler stream.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "algorithms/runtime/algorithm.h"
#include "algorithms/runtime/assignment.h"
#include "algorithms/runtime/compute_model.h"
#include "algorithms/runtime/fl_metrics.h"
#include "algorithms/runtime/update_census.h"
#include "algorithms/runtime/weighted_sum.h"
#include "algorithms/sync/fl_devices.h"
#include "sim/mailbox.h"
#include "sim/random.h"

namespace algo {

enum class AsyncRule { buffered, mixing };

struct FedBuffConfig {
  int server = 0;            // index into RunContext::nodes
  std::vector<int> clients;  // indices into RunContext::nodes, >= 1 of them
  AsyncRule rule = AsyncRule::buffered;
  int concurrency = 0;              // C in [1, N]: clients training at once; 0 means N
  int buffer_size = 10;             // K in [1, C]: arrivals per server step (buffered)
  double server_lr = 1.0;           // eta_g > 0 (buffered)
  double mixing = 0.6;              // alpha in (0, 1] (mixing)
  double staleness_exponent = 0.5;  // a >= 0: w(s) = (1 + s)^-a
  int local_epochs = 1;             // E >= 1
  int batch_size = 32;              // B >= 1
  AssignmentPolicy assignment = AssignmentPolicy::equal;
  // > 0: the server drops a client's update this long after sending it the
  // model (its clock) and refills the slot; 0: it waits for ever.
  sim::Time client_timeout = 0;
  // Schedules, device speeds, selection; over_selection must be 0.
  FlDevicesConfig devices;
  double holdout = 0.0;  // f in [0, 1): held out of each shard (client_holdout.h)
};

struct FedBuffStats {
  std::int64_t picked = 0;   // clients sent the model
  std::int64_t arrived = 0;  // uploads received
  std::int64_t steps = 0;    // server versions published
  std::int64_t staleness_max = 0;
  std::int64_t offline = 0, late = 0, crashed = 0, unreachable = 0;  // dropped, by reason
  std::int64_t discarded = 0;  // uploads that arrived after their update was dropped
};

class FedBuff final : public Algorithm {
 public:
  explicit FedBuff(FedBuffConfig config);  // invalid_argument on a bad config
  ~FedBuff() override;
  std::string_view name() const override {
    return config_.rule == AsyncRule::buffered ? "fedbuff" : "fedasync";
  }
  void launch(RunContext& ctx) override;
  const ml::Vector& global_parameters() const override { return params_; }
  std::optional<std::int64_t> updates_outstanding() const override { return outstanding_; }
  std::string stall_reason() const override;
  void on_host_crashed(topology::NodeId host) override;
  const FedBuffStats& stats() const { return stats_; }
  // steps.csv and clients.csv (fedbuff_metrics.cpp), the clients' accuracy
  // evaluated now. REQUIRES: the run's context still alive.
  std::optional<FlMetrics> fl_metrics() const override;

  // w(s) = (1 + s)^-a, the weight of an update s versions stale.
  static double staleness_weight(std::int64_t staleness, double exponent);

 private:
  struct Upload;  // one client's participation
  struct ServerMessage {
    std::shared_ptr<Upload> upload;
    UpdateCopy update_copy;
  };

  sim::Task serve();
  // Fills the free slots with idle clients that can be started now.
  void fill_slots();
  // Picks one of the idle clients that can start now (by the selection
  // policy); nullopt if none can.
  std::optional<int> pick_client();
  // Sends the client the model as it is now and starts it.
  void start_client(int client);
  sim::Task client(std::shared_ptr<Upload> upload);
  // Whether the client has to stop: dropped by the server, offline, crashed.
  bool must_stop(const Upload& upload) const;
  // Applies one arrival by the rule. Returns true if it published a version.
  bool apply(std::shared_ptr<Upload> upload);

  // Devices and faults (fedbuff_devices.cpp).
  void launch_devices(RunContext& ctx);
  // When the server next has to look without an arrival: a training client
  // goes offline or times out, or (a slot free, no client to start) an idle
  // client comes online. nullopt: only an arrival can change anything.
  std::optional<sim::Time> next_wake();
  // Drops the updates of clients gone offline or timed out by now and frees
  // their slots.
  void expire();
  // Drops a training client's update for `reason` and frees its slot.
  void drop(const std::shared_ptr<Upload>& upload, const char* reason);
  const Node& compute_node(int client) const;

  // Metrics (fedbuff_metrics.cpp).
  void count_bytes(int client, double down, double up);
  void count_drop(const char* reason);
  // Closes the pending step row with the applied arrivals' staleness.
  void count_step(const std::vector<std::int64_t>& staleness);
  // x <- x + sum_i weights[i] * vectors[i], through the one averaging kernel.
  void add_to(ml::Vector& x, float self, const std::vector<WeightedInput>& terms);

  FedBuffConfig config_;
  RunContext* ctx_ = nullptr;
  ml::Vector params_;
  std::int64_t param_bytes_ = 0;
  std::int64_t version_ = 0;
  std::unique_ptr<ComputeModel> server_compute_;
  std::unique_ptr<sim::Mailbox<ServerMessage>> inbox_;
  std::unique_ptr<sim::RandomStream> picking_;  // which idle client is picked

  // Kept for every client, in client order.
  std::vector<ml::Shard> shards_;
  std::vector<int> batch_sizes_;
  std::vector<ml::Shard> holdout_;  // held out of shards_; empty without a holdout
  std::vector<ComputeModel> compute_;
  std::vector<std::int64_t> participations_;
  std::vector<int> idle_;  // clients not training, in the order the picks leave them
  FlPopulation devices_;   // schedules, device nodes, selector (all optional)
  int free_slots_ = 0;     // of the C
  // Picked clients whose update the server still waits for, in pick order.
  std::vector<std::shared_ptr<Upload>> training_;
  bool none_left_online_ = false;  // a free slot and no client will come online again

  // The buffer (buffered rule): sum of w(s) Delta over its arrivals.
  ml::Vector buffer_;
  std::vector<std::shared_ptr<Upload>> buffered_;
  std::int64_t buffered_samples_ = 0;
  ml::Vector scratch_;
  std::vector<WeightedInput> terms_;
  std::vector<MathPool::Job> jobs_;

  FedBuffStats stats_;
  std::int64_t outstanding_ = 0;

  // Metrics: every client, every step, and the step being accumulated.
  std::vector<FlClientRow> fl_clients_;
  std::vector<FlStepRow> fl_steps_;
  FlStepRow pending_step_;
};

}  // namespace algo
