// The one local step (Replica::local_step) against the same step written out
// by hand: the same gradient, the same simulated time, the loss recorded.
#include <catch2/catch.hpp>

#include <memory>

#include "algorithms/ml/optimizer.h"
#include "algorithms/runtime/replica.h"
#include "algorithms/runtime/training_seeds.h"
#include "star_world.h"

namespace {

struct OneWorker : StarWorld {
  explicit OneWorker(bool timing_only = false)
      : StarWorld({{"worker0", 1e9}}, {1e9, 0}, synthetic(64, 1), synthetic(16, 2), small_mlp(),
                  ml::make_sgd(ml::SgdConfig{0.1f}), algo::StopCondition{}, algo::EvalSchedule{},
                  7) {
    ctx.timing_only = timing_only;
    ml::Mlp initial(spec);
    initial.initialize(algo::model_init_seed(ctx.seed));
    start = initial.parameters();
    ml::Shard shard;
    for (std::int32_t i = 0; i < 64; ++i) shard.push_back(i);
    replica = std::make_unique<algo::Replica>(ctx, ctx.nodes[0], shard, 8, start);
  }
  ml::Vector start;
  std::unique_ptr<algo::Replica> replica;
};

sim::Task one_step(OneWorker& w, algo::StepPlan plan, algo::StepResult& out) {
  out = co_await w.replica->local_step(w.ctx, std::move(plan));
}

}  // namespace

TEST_CASE("a local step computes the batch's gradient while its compute time elapses") {
  OneWorker w;
  // The same batch, by hand: the sampler's order is seeded by (seed, node).
  ml::BatchSampler sampler(w.replica->sampler);
  const auto batch = sampler.next_batch(8);
  ml::Mlp model(w.spec);
  model.parameters() = w.start;
  ml::RowMatrix x;
  std::vector<std::int32_t> y;
  ml::gather_batch(w.train, batch, x, y);
  ml::Vector expected_gradient;
  const float expected_loss = model.loss_and_gradient(x, y, expected_gradient);

  algo::StepResult result;
  w.sim.spawn(one_step(w, {}, result));
  w.sim.run();
  CHECK(result.samples == 8);
  CHECK(result.loss == expected_loss);
  CHECK(w.replica->gradient == expected_gradient);
  CHECK(w.replica->parameters() == w.start);  // no apply: the model is untouched
  // FLOPs / FLOP/s, no straggler: 3 x forward FLOPs per sample x 8 samples.
  const double flops = 8.0 * ml::train_flops_per_sample(w.spec);
  CHECK(w.sim.now() == sim::from_seconds(flops / 1e9));
}

TEST_CASE("a step with apply takes the optimizer step inside the job") {
  OneWorker w;
  auto sgd = ml::make_sgd(ml::SgdConfig{0.1f});
  algo::StepResult result;
  w.sim.spawn(one_step(w, algo::StepPlan{true, 0.0, {}, {}}, result));
  w.sim.run();
  ml::Vector expected = w.start;
  sgd->step(expected, w.replica->gradient);
  CHECK(w.replica->parameters() == expected);
}

TEST_CASE("extra FLOPs and the hooks run with the step") {
  OneWorker w;
  int before = 0, after = 0;
  algo::StepPlan plan;
  plan.extra_flops = 1e6;
  plan.before = [&] { ++before; };
  plan.after = [&] { ++after; };
  algo::StepResult result;
  w.sim.spawn(one_step(w, std::move(plan), result));
  w.sim.run();
  CHECK(before == 1);
  CHECK(after == 1);
  const double flops = 8.0 * ml::train_flops_per_sample(w.spec) + 1e6;
  CHECK(w.sim.now() == sim::from_seconds(flops / 1e9));
}

TEST_CASE("with math: none a step only takes its time") {
  OneWorker w(true);
  CHECK_FALSE(w.replica->has_model());
  algo::StepResult result;
  w.sim.spawn(one_step(w, {}, result));
  w.sim.run();
  CHECK(result.samples == 8);
  CHECK(result.loss == 0.0f);
  CHECK(w.sim.now() == sim::from_seconds(8.0 * ml::train_flops_per_sample(w.spec) / 1e9));
}
