// Divergence: a NaN or Inf in the training loss or the global parameters ends
// the run as "diverged at step N". Checked on the monitor alone (hand-placed
// non-finite values) and on a real ps_sync run with a huge learning rate,
// against a serial oracle that replays the same batches on one model and
// finds the first step whose loss or parameters are not finite.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "algorithms/ml/batch_sampler.h"
#include "algorithms/ml/partition.h"
#include "algorithms/sync/ps_sync.h"
#include "algorithms/runtime/training_seeds.h"
#include "star_world.h"

namespace {

constexpr std::uint64_t kSeed = 5;

struct MonitorFixture {
  sim::Simulator sim;
  topology::Topology topo = topology::build_star({"a", "b"}, {1e9, 0});
  topology::Network net{sim, topo};
  ml::Dataset test = ml::make_synthetic({100, 5, 3, 1.0f, 3.0f}, 1);
  ml::MlpSpec spec{{5, 4, 3}, ml::Activation::relu, ml::LossKind::softmax_cross_entropy};
  ml::Vector params = ml::Vector::Zero(ml::Mlp(spec).num_parameters());
  algo::Monitor monitor{sim, net, test, spec, {0, 0.0, 100, 0.0}, {}, 1000};
};

struct OneWorker : StarWorld {
  explicit OneWorker(float lr)
      : StarWorld({{"server", 100e9}, {"worker0", 50e9}}, {1.25e9, 5'000}, synthetic(256, 3),
                  synthetic(64, 4), small_mlp(), ml::make_sgd({lr, 0.0f, 0.0f, false}),
                  {0, 0.0, 500, 0.0}, {}, kSeed) {
    algo::PsSyncConfig config;
    config.server = 0;
    config.workers = {1};
    config.batch_size = 16;
    launch(std::make_unique<algo::PsSync>(config));
  }
};

// The oracle: the one worker's batches, in order, on one model. Step k's loss
// is computed on version k; the update makes version k + 1.
std::int64_t serial_divergence_step(const OneWorker& w, float lr) {
  ml::Mlp model(w.spec);
  model.initialize(algo::model_init_seed(kSeed));
  auto optimizer = ml::make_sgd({lr, 0.0f, 0.0f, false});
  auto shards = ml::partition_iid(w.train.size(), 1, algo::partition_seed(kSeed));
  ml::BatchSampler sampler(shards[0], algo::batch_order_seed(kSeed, "worker0"));
  ml::RowMatrix x;
  std::vector<std::int32_t> y;
  ml::Vector grad;
  for (std::int64_t k = 0; k < 500; ++k) {
    ml::gather_batch(w.train, sampler.next_batch(16), x, y);
    const double loss = model.loss_and_gradient(x, y, grad);
    if (!std::isfinite(loss)) return k;
    optimizer->step(model.parameters(), grad);
    if (!model.parameters().allFinite()) return k + 1;
  }
  return -1;
}

}  // namespace

TEST_CASE("the monitor stops a run whose parameters become non-finite") {
  const float bad =
      GENERATE(std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity());
  MonitorFixture f;
  CHECK_FALSE(f.monitor.on_update(0, 0, f.params));
  CHECK_FALSE(f.monitor.on_update(1, 10, f.params));
  CHECK_FALSE(f.monitor.on_update(2, 10, f.params));
  f.params[3] = bad;
  CHECK(f.monitor.on_update(3, 10, f.params));
  CHECK(f.sim.stop_requested());
  CHECK(f.monitor.stopping());
  // A later update (another worker finishing in the same instant) changes nothing.
  CHECK(f.monitor.on_update(4, 10, f.params));
  f.monitor.finish("ignored");
  CHECK(f.monitor.totals().stop_reason == "diverged");
  CHECK(f.monitor.totals().status == "diverged at step 3");
  REQUIRE(f.monitor.totals().diverged_at_step);
  CHECK(*f.monitor.totals().diverged_at_step == 3);
  // The outputs stay complete: the last model is evaluated (its loss is not finite).
  CHECK(f.monitor.rows().back().step == 4);
  CHECK_FALSE(std::isfinite(f.monitor.rows().back().test_loss));
}

TEST_CASE("the monitor stops a run whose training loss is not finite") {
  const double bad =
      GENERATE(std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity());
  MonitorFixture f;
  CHECK_FALSE(f.monitor.on_update(0, 0, f.params));
  CHECK_FALSE(f.monitor.on_update(1, 10, f.params));
  f.monitor.record_train_loss(0.5, 10);
  CHECK_FALSE(f.monitor.stopping());
  f.monitor.record_train_loss(bad, 10);  // computed on version 1, the current one
  CHECK(f.monitor.stopping());
  CHECK(f.sim.stop_requested());
  f.monitor.finish("ignored");
  CHECK(f.monitor.totals().status == "diverged at step 1");
  CHECK(f.monitor.totals().stop_reason == "diverged");
}

TEST_CASE("a finite run keeps status ok") {
  MonitorFixture f;
  CHECK_FALSE(f.monitor.on_update(0, 0, f.params));
  f.monitor.record_train_loss(1e30, 10);  // huge but finite
  CHECK_FALSE(f.monitor.on_update(1, 10, f.params));
  f.monitor.finish("no_more_events");
  CHECK(f.monitor.totals().status == "ok");
  CHECK_FALSE(f.monitor.totals().diverged_at_step);
}

TEST_CASE("ps_sync with a huge learning rate diverges at the step a serial replay does") {
  const float lr = GENERATE(1e3f, 1e6f, 1e12f);
  OneWorker world(lr);
  world.run();
  const std::int64_t expected = serial_divergence_step(world, lr);
  INFO("lr " << lr << ", serial oracle diverges at step " << expected);
  REQUIRE(expected >= 0);
  const algo::RunTotals& t = world.monitor->totals();
  CHECK(t.stop_reason == "diverged");
  REQUIRE(t.diverged_at_step);
  CHECK(*t.diverged_at_step == expected);
  CHECK(t.status == "diverged at step " + std::to_string(expected));
  // The run stopped there: no version beyond the one after the divergent step.
  CHECK(t.steps <= expected + 1);
}

TEST_CASE("ps_sync with a sane learning rate never reports divergence") {
  OneWorker world(0.1f);
  world.run();
  CHECK(world.monitor->totals().stop_reason == "steps");
  CHECK(world.monitor->totals().status == "ok");
}
