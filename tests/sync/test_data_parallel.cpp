// The data-parallel algorithms (all-reduce SGD, local SGD) against oracles:
//  - all-reduce SGD, whatever the collective, ends with the parameters of
//    ps_sync on the same seed (same shards, same batch order, same initial
//    model), up to float rounding of the different summation orders;
//  - local SGD with H = 1 ends with the parameters of all-reduce SGD: the
//    average of the replicas after one step each is the step on the average
//    gradient. With SGD (momentum, weight decay included) and equal batches
//    this holds exactly in real arithmetic, because the update is linear in
//    the gradient and every replica's momentum buffer averages to the global
//    one. With Adam (not linear) it does not, and the test shows it.
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "algorithms/ml/synthetic.h"
#include "algorithms/sync/data_parallel.h"
#include "algorithms/sync/ps_sync.h"
#include "star_world.h"

namespace {

constexpr std::uint64_t kSeed = 11;

std::vector<StarWorld::Host> hosts(int workers, bool with_server) {
  std::vector<StarWorld::Host> h;
  if (with_server) h.push_back({"server", 100e9});
  for (int i = 0; i < workers; ++i) h.push_back({"worker" + std::to_string(i), 50e9});
  return h;
}

// One run of an algorithm over `workers` workers (plus a server if with_server)
// on a star, until `steps` model versions.
struct World : StarWorld {
  World(int workers, bool with_server, std::unique_ptr<ml::Optimizer> opt, int steps)
      : StarWorld(hosts(workers, with_server), {1.25e9, 5'000}, synthetic(512, 3),
                  synthetic(128, 4), small_mlp(), std::move(opt),
                  algo::StopCondition{0, 0.0, steps, 0.0}, algo::EvalSchedule{}, kSeed) {}

  void run(std::unique_ptr<algo::Algorithm> a) {
    launch(std::move(a));
    StarWorld::run();
  }

  std::vector<int> worker_indices() const {
    std::vector<int> w;
    for (std::size_t i = 0; i < ctx.nodes.size(); ++i) {
      if (ctx.nodes[i].name != "server") w.push_back(static_cast<int>(i));
    }
    return w;
  }
};

std::unique_ptr<ml::Optimizer> momentum_sgd() { return ml::make_sgd({0.1f, 0.9f, 0.0f, false}); }

struct Outcome {
  ml::Vector parameters;
  std::int64_t samples;
};

Outcome ps_sync_outcome(int workers, int batch, int steps) {
  World world(workers, true, momentum_sgd(), steps);
  algo::PsSyncConfig config;
  config.server = 0;
  config.workers = world.worker_indices();
  config.batch_size = batch;
  world.run(std::make_unique<algo::PsSync>(config));
  return {world.algorithm->global_parameters(), world.monitor->totals().samples};
}

algo::DataParallelConfig data_parallel_config(const World& world, int batch,
                                              algo::CollectiveKind kind) {
  algo::DataParallelConfig config;
  config.workers = world.worker_indices();
  config.batch_size = batch;
  config.collective.kind = kind;
  return config;
}

float largest_difference(const ml::Vector& a, const ml::Vector& b) {
  REQUIRE(a.size() == b.size());
  return (a - b).cwiseAbs().maxCoeff();
}

}  // namespace

TEST_CASE("all-reduce training ends with the parameters of ps_sync on the same seed") {
  const int workers = GENERATE(1, 3, 4);
  const auto kind = GENERATE(algo::CollectiveKind::ring, algo::CollectiveKind::rabenseifner,
                             algo::CollectiveKind::binary_tree, algo::CollectiveKind::binomial_tree,
                             algo::CollectiveKind::hierarchical);
  const int batch = 8;
  const int steps = 40;  // 40 x 8 = 320 > 512 / 4 per shard: crosses epoch boundaries
  const Outcome expected = ps_sync_outcome(workers, batch, steps);

  World world(workers, false, momentum_sgd(), steps);
  world.run(std::make_unique<algo::DataParallel>(data_parallel_config(world, batch, kind)));
  REQUIRE(world.monitor->totals().steps == steps);
  const float diff = largest_difference(world.algorithm->global_parameters(), expected.parameters);
  INFO(workers << " workers, " << algo::collective_name(kind) << ": largest parameter difference "
               << diff);
  CHECK(diff < 1e-5f);
  CHECK(world.monitor->totals().staleness_max == 0);
  CHECK(world.monitor->totals().updates_applied == static_cast<std::int64_t>(workers) * steps);
  // Short batches at the end of an epoch (3 workers: shards of 170 and 171) count as they are.
  CHECK(world.monitor->totals().samples == expected.samples);
}

TEST_CASE("local SGD with one local step matches all-reduce SGD, but not under Adam") {
  const int workers = 4;
  const int batch = 8;
  const int rounds = 30;
  const auto run = [&](algo::Averaged averaged, std::unique_ptr<ml::Optimizer> opt) {
    World world(workers, false, std::move(opt), rounds);
    algo::DataParallelConfig config =
        data_parallel_config(world, batch, algo::CollectiveKind::ring);
    config.averaged = averaged;
    world.run(std::make_unique<algo::DataParallel>(config));
    REQUIRE(world.monitor->totals().steps == rounds);
    return ml::Vector(world.algorithm->global_parameters());
  };

  SECTION("plain SGD") {
    const float diff = largest_difference(run(algo::Averaged::parameters, ml::make_sgd({0.1f})),
                                          run(algo::Averaged::gradients, ml::make_sgd({0.1f})));
    INFO("largest parameter difference " << diff);
    CHECK(diff < 1e-5f);
  }
  SECTION("SGD with momentum and weight decay: linear, so still equal with equal batches") {
    const ml::SgdConfig sgd{0.1f, 0.9f, 1e-3f, false};
    const float diff = largest_difference(run(algo::Averaged::parameters, ml::make_sgd(sgd)),
                                          run(algo::Averaged::gradients, ml::make_sgd(sgd)));
    INFO("largest parameter difference " << diff);
    CHECK(diff < 1e-5f);
  }
  SECTION("Adam: the average of the replicas' steps is not the step on the average") {
    const ml::AdamConfig adam{1e-2f, 0.9f, 0.999f, 1e-8f, 0.0f};
    const float diff = largest_difference(run(algo::Averaged::parameters, ml::make_adam(adam)),
                                          run(algo::Averaged::gradients, ml::make_adam(adam)));
    INFO("largest parameter difference " << diff);
    CHECK(diff > 1e-3f);
  }
}

TEST_CASE("local SGD counts averaging rounds as versions and H steps of samples per round") {
  const int workers = 4;  // shards of 128: batches of 8 are never short
  const int batch = 8;
  const int local_steps = GENERATE(1, 2, 5);
  World world(workers, false, momentum_sgd(), 6);
  algo::DataParallelConfig config = data_parallel_config(world, batch, algo::CollectiveKind::ring);
  config.name = "local_sgd";
  config.averaged = algo::Averaged::parameters;
  config.local_steps = local_steps;
  world.run(std::make_unique<algo::DataParallel>(config));
  const algo::RunTotals& totals = world.monitor->totals();
  CHECK(totals.steps == 6);
  CHECK(totals.samples == 6 * workers * local_steps * batch);
  CHECK(totals.updates_applied == 6 * workers);
  CHECK(totals.staleness_max == 0);
}

TEST_CASE("data-parallel training rejects a bad configuration") {
  algo::DataParallelConfig config;
  config.workers = {0, 1};
  SECTION("no workers") {
    config.workers.clear();
    CHECK_THROWS_AS(algo::DataParallel(config), std::invalid_argument);
  }
  SECTION("zero batch") {
    config.batch_size = 0;
    CHECK_THROWS_AS(algo::DataParallel(config), std::invalid_argument);
  }
  SECTION("zero local steps") {
    config.averaged = algo::Averaged::parameters;
    config.local_steps = 0;
    CHECK_THROWS_AS(algo::DataParallel(config), std::invalid_argument);
  }
  SECTION("local steps while averaging gradients") {
    config.local_steps = 2;
    CHECK_THROWS_AS(algo::DataParallel(config), std::invalid_argument);
  }
  SECTION("zero segments") {
    config.collective.segments = 0;
    CHECK_THROWS_AS(algo::DataParallel(config), std::invalid_argument);
  }
}

// One step with no stragglers: every worker computes for the same time c,
// all-reduces, and averages for the same time a. One worker alone takes
// c + a, so the difference is the all-reduce's time as the last worker sees
// it. In the heap-ordered binary tree of 3 ranks rank 0 is done as soon as
// its two sends have started, the leaves only when their copy arrives:
// 2 (alpha + 2S/B) on the star, not the reduce's alpha + 2S/B alone.
TEST_CASE("a one-step all-reduce run ends when every worker has finished the step") {
  const auto one_step = [](int workers, algo::CollectiveKind kind) {
    World world(workers, false, momentum_sgd(), 1);
    world.run(std::make_unique<algo::DataParallel>(data_parallel_config(world, 8, kind)));
    REQUIRE(world.monitor->totals().steps == 1);
    return std::pair{world.monitor->totals().time, world.algorithm->global_parameters().size()};
  };
  const auto [alone, parameters] = one_step(1, algo::CollectiveKind::binary_tree);
  const double bytes = static_cast<double>(parameters + 1) * sizeof(float);  // + the weight
  const double alpha = 2 * 5e-6;
  const double bandwidth = 1.25e9;
  SECTION("binary tree") {
    const sim::Time three = one_step(3, algo::CollectiveKind::binary_tree).first;
    const double expected = 2.0 * (alpha + 2.0 * bytes / bandwidth);
    INFO("all-reduce took " << sim::to_seconds(three - alone) << " s, formula " << expected);
    CHECK(std::abs(sim::to_seconds(three - alone) - expected) < 5e-9);
  }
  SECTION("binomial tree") {
    const sim::Time four = one_step(4, algo::CollectiveKind::binomial_tree).first;
    const double expected = 4.0 * (alpha + bytes / bandwidth);
    INFO("all-reduce took " << sim::to_seconds(four - alone) << " s, formula " << expected);
    CHECK(std::abs(sim::to_seconds(four - alone) - expected) < 5e-9);
  }
}
