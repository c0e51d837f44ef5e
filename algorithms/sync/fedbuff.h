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
// The server (concurrency C): at the start it picks C clients uniformly
// without replacement among the idle ones (its own seeded stream) and sends
// each the current model and version; whenever an upload arrives it applies
// it (above), then picks one more idle client and sends it the model as it
// now is. So C clients train at any time, each on the version current when
// it was picked. A client trains a fresh replica for E local epochs over its
// shard at batch B (a new batch order per participation, its straggler
// draws going on across participations, as in fedavg) and uploads.
//
// Staleness is counted in server versions, as for the parameter-server
// family: version when applied minus version started from. For buffered
// updates the version does not change while they wait in the buffer, so it
// is the staleness at arrival; it is recorded (Monitor::record_applied) at
// the step that applies them. `stop.steps` counts server versions.
//
// Every picked client is one update produced; it is applied at the server's
// step, or still outstanding (training, in flight, or in the buffer) when the
// run stops. Faults are not modelled for this algorithm: a lost message is
// counted lost and its slot stays taken (no client timeout), so a run with
// faults may stall, and says so.
//
// Memory: only the C clients training hold a replica; kept for all N:
// the shard (an index list) and the straggler stream.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "algorithms/runtime/algorithm.h"
#include "algorithms/runtime/assignment.h"
#include "algorithms/runtime/compute_model.h"
#include "algorithms/runtime/update_census.h"
#include "algorithms/runtime/weighted_sum.h"
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
};

struct FedBuffStats {
  std::int64_t picked = 0;   // clients sent the model
  std::int64_t arrived = 0;  // uploads received
  std::int64_t steps = 0;    // server versions published
  std::int64_t staleness_max = 0;
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
  const FedBuffStats& stats() const { return stats_; }

  // w(s) = (1 + s)^-a, the weight of an update s versions stale.
  static double staleness_weight(std::int64_t staleness, double exponent);

 private:
  struct Upload;  // one client's participation
  struct ServerMessage {
    std::shared_ptr<Upload> upload;
    UpdateCopy update_copy;
  };

  sim::Task serve();
  // Picks an idle client, sends it the model as it is now and starts it.
  void start_client();
  sim::Task client(std::shared_ptr<Upload> upload);
  // Applies one arrival by the rule. Returns true if it published a version.
  bool apply(std::shared_ptr<Upload> upload);
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
  std::vector<ComputeModel> compute_;
  std::vector<std::int64_t> participations_;
  std::vector<int> idle_;  // clients not training, in the order the picks leave them

  // The buffer (buffered rule): sum of w(s) Delta over its arrivals.
  ml::Vector buffer_;
  std::vector<std::shared_ptr<Upload>> buffered_;
  std::int64_t buffered_samples_ = 0;
  ml::Vector scratch_;
  std::vector<WeightedInput> terms_;
  std::vector<MathPool::Job> jobs_;

  FedBuffStats stats_;
  std::int64_t outstanding_ = 0;
};

}  // namespace algo
