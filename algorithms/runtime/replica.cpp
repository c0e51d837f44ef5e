#include "algorithms/runtime/replica.h"

#include <utility>

#include "algorithms/ml/dataset.h"
#include "algorithms/runtime/model_shape.h"
#include "algorithms/runtime/privacy_ledger.h"
#include "algorithms/runtime/training_seeds.h"

namespace algo {

Replica::Replica(const RunContext& ctx, const Node& node, ml::Shard shard, int batch_size,
                 const ml::Vector& initial)
    : node(node),
      batch_size(batch_size),
      optimizer(ctx.optimizer->clone()),
      sampler(std::move(shard), batch_order_seed(ctx.seed, node.name)),
      compute(node, ctx.seed),
      objective(&plain_),
      flops_per_sample_(step_flops_per_sample(ctx)),
      overhead_flops_(step_overhead_flops(ctx, node)),
      parameters_(model_parameters(ctx)) {
  // The private objective exists with math: none too: its extra FLOPs are
  // part of the step's simulated time, which must not depend on the math.
  if (ctx.privacy) {
    private_objective = ctx.privacy->make_objective(node.name);
    if (private_objective) objective = private_objective.get();
  }
  if (ctx.timing_only) return;  // math: none keeps no replica (10,000 workers fit in memory)
  model.emplace(ctx.model);
  model->parameters() = initial;
}

void Replica::StepAwaiter::await_suspend(std::coroutine_handle<> h) {
  Replica& r = *replica_;
  RunContext& ctx = *ctx_;
  batch_ = r.sampler.next_batch(r.batch_size);
  incarnation_ = ctx.net->incarnation(r.node.host);
  if (ctx.privacy && ctx.privacy->dp_sgd()) {  // one release, sampling batch / shard of its records
    ctx.privacy->record(r.node.name, static_cast<double>(r.batch_size) /
                                         static_cast<double>(r.sampler.shard_size()));
  }
  if (r.has_model()) {
    job_ = submit_math(ctx.math, [this] {
      Replica& r = *replica_;
      if (plan_.before) plan_.before();
      ml::gather_batch(*ctx_->train, batch_, r.x_, r.y_);
      if (r.node.flips_labels) {
        const std::int32_t last = ctx_->model.widths.back() - 1;
        for (std::int32_t& y : r.y_) y = last - y;
      }
      loss_ = r.objective->loss_and_gradient(*r.model, r.x_, r.y_, r.gradient);
      if (plan_.after) plan_.after();
    });
    r.computing = &job_;
  }
  const double flops = r.flops_per_sample_ * static_cast<double>(batch_.size()) +
                       r.overhead_flops_ + plan_.extra_flops +
                       r.objective->extra_flops(r.parameters_);
  ComputeModel& compute = r.shared_compute ? *r.shared_compute : r.compute;
  compute.run(*ctx.net, flops).await_suspend(h);
}

StepResult Replica::StepAwaiter::await_resume() {
  Replica& r = *replica_;
  job_.join();
  if (r.computing == &job_) r.computing = nullptr;
  const StepResult result{static_cast<std::int64_t>(batch_.size()), loss_};
  const bool alive = ctx_->net->incarnation(r.node.host) == incarnation_;
  if (!r.has_model() || !alive) return result;
  ctx_->monitor->record_train_loss(result.loss, result.samples);
  // After the join, not in the job: the parameters stay those of the last
  // complete step while the step's time elapses, as a neighbour or the
  // Monitor may read them meanwhile (and a crashed worker never applies).
  if (plan_.apply) {
    MathTimer timer(ctx_->math);
    r.optimizer->step(r.model->parameters(), r.gradient);
  }
  return result;
}

}  // namespace algo
