// Replica: one worker's (or client's) copy of the training state, and the one
// local training step every algorithm runs.
//
// A step, as a real worker does it: draw the next batch of its shard, compute
// the objective's gradient on it (on the math pool, while the simulated
// compute time elapses: FLOPs / FLOP/s x straggler draw), optionally apply
// its optimizer, and record the batch loss with the Monitor. With math: none
// (RunContext::timing_only) only the time passes: the replica holds no model.
#pragma once

#include <coroutine>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "algorithms/ml/batch_sampler.h"
#include "algorithms/ml/mlp.h"
#include "algorithms/ml/optimizer.h"
#include "algorithms/ml/partition.h"
#include "algorithms/runtime/algorithm.h"
#include "algorithms/runtime/compute_model.h"
#include "algorithms/runtime/dp_sgd_objective.h"
#include "algorithms/runtime/local_objective.h"
#include "algorithms/runtime/math_pool.h"

namespace algo {

// What one local step did.
struct StepResult {
  std::int64_t samples = 0;  // the batch's size
  float loss = 0.0f;         // the objective on the batch before any update (0 without math)
};

// How a step runs beyond "compute the gradient".
struct StepPlan {
  // Then take an optimizer step with it (local SGD, gossip, clients): after
  // the step's time, unless the node crashed meanwhile.
  bool apply = false;
  double extra_flops = 0.0;  // simulated compute beyond the batch's forward and backward pass
  // Math-thread work in the same job: before the gradient (load received
  // parameters) and after it (pack slices to send; before any optimizer
  // step). Each may refer to the caller's frame: the job is joined before
  // local_step returns.
  std::function<void()> before;
  std::function<void()> after;
};

class Replica {
 public:
  // The replica of `node`, starting from `initial`, drawing batches of
  // `batch_size` from `shard` in the order seeded by (root seed, node name).
  // With ctx.timing_only no model is kept (and `initial` may be empty:
  // model_shape.h). REQUIRES: ctx.optimizer set.
  Replica(const RunContext& ctx, const Node& node, ml::Shard shard, int batch_size,
          const ml::Vector& initial);
  Replica(const Replica&) = delete;
  Replica& operator=(const Replica&) = delete;

  class StepAwaiter;
  // `StepResult r = co_await replica.local_step(ctx, plan)`: one step, as
  // above; the loss is recorded unless the node crashed meanwhile (a crashed
  // worker's result is never seen). REQUIRES: no other step in progress.
  StepAwaiter local_step(RunContext& ctx, StepPlan plan = {});

  bool has_model() const { return model.has_value(); }
  ml::Vector& parameters() { return model->parameters(); }  // REQUIRES: has_model()

  // The simulated FLOPs of the batch's forward and backward pass, per sample.
  double flops_per_sample() const { return flops_per_sample_; }

  Node node;
  int batch_size;
  std::optional<ml::Mlp> model;  // none with math: none
  std::unique_ptr<ml::Optimizer> optimizer;
  ml::BatchSampler sampler;
  ComputeModel compute;
  // If set, steps are timed on this compute model instead of `compute`: a
  // node's straggler stream that outlives its replica (a federated client
  // gets a fresh replica every round but keeps its draws). Not owned.
  ComputeModel* shared_compute = nullptr;
  ml::Vector gradient;  // of the last step
  // What the replica minimises; plain loss (or DP-SGD's, in a private run:
  // RunContext::privacy) unless an algorithm sets another.
  // Not owned when set from outside; must outlive the replica's steps.
  LocalObjective* objective;
  // DP-SGD's objective in a private run (the replica's own noise stream); null otherwise.
  std::unique_ptr<DpSgdObjective> private_objective;
  // The math job of the step in progress, if any: a rebooted worker's new
  // process reuses this replica, so it joins the crashed process's job first
  // (with threads they must not overlap).
  MathPool::Job* computing = nullptr;

 private:
  friend class StepAwaiter;
  ml::RowMatrix x_;  // scratch of the step: the batch's features and labels
  std::vector<std::int32_t> y_;
  double flops_per_sample_;
  double overhead_flops_;  // the framework overhead of a step (profiles only)
  std::int64_t parameters_;
  PlainLoss plain_;
};

class Replica::StepAwaiter {
 public:
  StepAwaiter(Replica& replica, RunContext& ctx, StepPlan plan)
      : replica_(&replica), ctx_(&ctx), plan_(std::move(plan)) {}
  StepAwaiter(const StepAwaiter&) = delete;
  StepAwaiter& operator=(const StepAwaiter&) = delete;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h);
  StepResult await_resume();

 private:
  Replica* replica_;
  RunContext* ctx_;
  StepPlan plan_;
  std::span<const std::int32_t> batch_;
  std::uint64_t incarnation_ = 0;
  float loss_ = 0.0f;
  MathPool::Job job_;
};

inline Replica::StepAwaiter Replica::local_step(RunContext& ctx, StepPlan plan) {
  return StepAwaiter(*this, ctx, std::move(plan));
}

}  // namespace algo
