// ps_sync: a parameter server with bulk-synchronous parallel (BSP) steps.
//
// Every step: the server sends the current parameters to every worker (one
// flow each, sized by the real parameter bytes); each worker computes a real
// gradient on the next batch of its own shard, taking FLOPs / FLOP/s x its
// straggler factor of simulated time, and pushes it back; once all N
// gradients are in, the server averages them (weighted by batch sizes, summed
// in worker order), spends (N + 2) x P FLOPs of its own time on the sum and
// the update, applies the optimizer and bumps the model version. Staleness is
// always 0: every gradient is applied to the version it was computed from.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "algorithms/ml/batch_sampler.h"
#include "algorithms/sync/algorithm.h"
#include "algorithms/sync/assignment.h"
#include "algorithms/sync/compute_model.h"
#include "sim/mailbox.h"

namespace algo {

struct PsSyncConfig {
  int server = 0;            // index into RunContext::nodes
  std::vector<int> workers;  // indices into RunContext::nodes, >= 1 of them
  int batch_size = 32;       // per worker per step (scaled per worker by a capacity assignment)
  AssignmentPolicy assignment = AssignmentPolicy::equal;
};

class PsSync final : public Algorithm {
 public:
  explicit PsSync(PsSyncConfig config);  // invalid_argument on a bad config
  ~PsSync() override;
  std::string_view name() const override { return "ps_sync"; }
  void launch(RunContext& ctx) override;
  const ml::Vector& global_parameters() const override { return params_; }

  // The server's FLOPs for one step: one add per gradient element per worker,
  // then a scale and an optimizer update.
  static double update_flops(std::int64_t parameters, int workers) {
    return static_cast<double>(workers + 2) * static_cast<double>(parameters);
  }

 private:
  struct ParamsMessage {
    std::shared_ptr<const ml::Vector> params;  // a snapshot shared by all receivers
    std::int64_t version;
  };
  struct GradientMessage {
    int worker;                 // position in config_.workers
    std::int64_t version;       // the version it was computed from
    std::int64_t samples;
    const ml::Vector* gradient; // the worker's buffer: untouched until the next ParamsMessage
  };
  struct Worker;

  sim::Task serve();
  sim::Task work(int index);

  PsSyncConfig config_;
  RunContext* ctx_ = nullptr;
  ml::Vector params_;
  std::unique_ptr<ml::Optimizer> optimizer_;
  std::unique_ptr<ComputeModel> server_compute_;
  std::unique_ptr<sim::Mailbox<GradientMessage>> server_inbox_;
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace algo
